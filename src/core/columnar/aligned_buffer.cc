#include "core/columnar/aligned_buffer.h"

#include <algorithm>
#include <utility>

#include "core/common/blocks.h"

namespace ignite_tf {

AlignedBuffer::~AlignedBuffer() { FreeBlock(data_, capacity_); }

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    FreeBlock(data_, capacity_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

void AlignedBuffer::Reserve(size_t capacity) {
  if (capacity > capacity_) Grow(capacity);
}

void AlignedBuffer::Grow(size_t at_least) {
  const size_t capacity = BlockCapacity(std::max<size_t>({at_least, capacity_ * 2, 1}));
  auto* fresh = static_cast<uint8_t*>(AllocateBlock(capacity));
  if (size_ != 0) std::memcpy(fresh, data_, size_);
  FreeBlock(data_, capacity_);
  data_ = fresh;
  capacity_ = capacity;
}

}  // namespace ignite_tf
