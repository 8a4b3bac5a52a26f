#include "core/columnar/aligned_buffer.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <utility>

namespace ignite_tf {

AlignedBuffer::~AlignedBuffer() { std::free(data_); }

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    std::free(data_);
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
  size_t capacity = std::max<size_t>({at_least, capacity_ * 2, kBufferAlignment});
  capacity = (capacity + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  auto* fresh = static_cast<uint8_t*>(std::aligned_alloc(kBufferAlignment, capacity));
  if (fresh == nullptr) throw std::bad_alloc();
  if (size_ != 0) std::memcpy(fresh, data_, size_);
  std::free(data_);
  data_ = fresh;
  capacity_ = capacity;
}

}  // namespace ignite_tf
