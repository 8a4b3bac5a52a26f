// common/blocks.h: memory blocks for page-sized buffers (frames and column data), with a small
// process-wide cache of recently freed large blocks.
//
// Streaming pages of megabytes allocates and frees blocks of the same few sizes over and over.
// The C library serves such sizes straight from the kernel, so every page would fault in and
// zero fresh memory again (on 1 MiB rows that was a third of the client's CPU). Large blocks are
// therefore rounded up to a few size classes and the last freed ones are kept for reuse, at most
// kMaxCachedBlocks / kMaxCachedBytes, so memory stays bounded.
#ifndef IGNITE_TF_CORE_COMMON_BLOCKS_H_
#define IGNITE_TF_CORE_COMMON_BLOCKS_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

namespace ignite_tf {

inline constexpr size_t kBlockAlignment = 64;
// Blocks from this size up are rounded to a size class and cached when freed. Frames of pages of
// small rows (1,024 MNIST rows: 0.86 MB) are above it: the C library served them from memory it
// had just returned to the kernel, which faulted in one page per 4 KiB on every network page.
inline constexpr size_t kLargeBlock = size_t{64} << 10;
inline constexpr size_t kMaxCachedBlocks = 16;
inline constexpr size_t kMaxCachedBytes = size_t{256} << 20;

// The size AllocateBlock really allocates for `bytes`: a multiple of 64, and for large blocks one
// of four classes per power of two (at most 25% more than asked).
size_t BlockCapacity(size_t bytes);

// A 64-byte aligned block of BlockCapacity(bytes) bytes (not zeroed); throws std::bad_alloc.
void* AllocateBlock(size_t bytes);

// Frees a block from AllocateBlock(bytes) (any `bytes` with the same BlockCapacity).
void FreeBlock(void* block, size_t bytes) noexcept;

// Bytes and blocks the cache holds now (for tests).
size_t CachedBlockBytes();
size_t CachedBlockCount();

// A std::allocator replacement over AllocateBlock that leaves elements default-initialized: a
// resize() of a byte vector does not zero what is about to be overwritten.
template <typename T>
struct BlockAllocator {
  using value_type = T;
  BlockAllocator() = default;
  template <typename U>
  BlockAllocator(const BlockAllocator<U>&) noexcept {}  // NOLINT: implicit, as allocators are

  T* allocate(size_t n) { return static_cast<T*>(AllocateBlock(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { FreeBlock(p, n * sizeof(T)); }

  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  template <typename U>
  bool operator==(const BlockAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const BlockAllocator<U>&) const noexcept {
    return false;
  }
};

// The bytes of one message as read from the network.
using FrameBytes = std::vector<uint8_t, BlockAllocator<uint8_t>>;

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_COMMON_BLOCKS_H_
