#include "core/common/blocks.h"

#include <cstdlib>
#include <mutex>

namespace ignite_tf {
namespace {

struct Cached {
  void* block;
  size_t capacity;
};

struct Cache {
  std::mutex mu;
  std::vector<Cached> blocks;  // oldest first
  size_t bytes = 0;
};

Cache& TheCache() {
  static auto* cache = new Cache();  // never destroyed: blocks may be freed during exit
  return *cache;
}

}  // namespace

size_t BlockCapacity(size_t bytes) {
  if (bytes < kLargeBlock) {
    return (bytes + kBlockAlignment - 1) / kBlockAlignment * kBlockAlignment;
  }
  // Four classes per power of two: 1, 1.25, 1.5, 1.75 times 2^k.
  size_t power = kLargeBlock;
  while (power <= bytes / 2) power *= 2;
  const size_t step = power / 4;
  return (bytes + step - 1) / step * step;
}

void* AllocateBlock(size_t bytes) {
  const size_t capacity = BlockCapacity(bytes == 0 ? 1 : bytes);
  if (capacity >= kLargeBlock) {
    Cache& cache = TheCache();
    std::lock_guard<std::mutex> lock(cache.mu);
    for (size_t i = cache.blocks.size(); i-- > 0;) {  // the most recently freed first
      if (cache.blocks[i].capacity == capacity) {
        void* block = cache.blocks[i].block;
        cache.blocks.erase(cache.blocks.begin() + static_cast<std::ptrdiff_t>(i));
        cache.bytes -= capacity;
        return block;
      }
    }
  }
  void* block = std::aligned_alloc(kBlockAlignment, capacity);
  if (block == nullptr) throw std::bad_alloc();
  return block;
}

void FreeBlock(void* block, size_t bytes) noexcept {
  if (block == nullptr) return;
  const size_t capacity = BlockCapacity(bytes == 0 ? 1 : bytes);
  if (capacity < kLargeBlock || capacity > kMaxCachedBytes) {
    std::free(block);
    return;
  }
  std::vector<void*> evicted;
  {
    Cache& cache = TheCache();
    std::lock_guard<std::mutex> lock(cache.mu);
    cache.blocks.push_back({block, capacity});
    cache.bytes += capacity;
    while (cache.blocks.size() > kMaxCachedBlocks || cache.bytes > kMaxCachedBytes) {
      evicted.push_back(cache.blocks.front().block);
      cache.bytes -= cache.blocks.front().capacity;
      cache.blocks.erase(cache.blocks.begin());
    }
  }
  for (void* old : evicted) std::free(old);
}

size_t CachedBlockBytes() {
  Cache& cache = TheCache();
  std::lock_guard<std::mutex> lock(cache.mu);
  return cache.bytes;
}

size_t CachedBlockCount() {
  Cache& cache = TheCache();
  std::lock_guard<std::mutex> lock(cache.mu);
  return cache.blocks.size();
}

}  // namespace ignite_tf
