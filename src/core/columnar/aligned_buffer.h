// columnar/aligned_buffer.h: a growable byte buffer whose data is 64-byte aligned, so NumPy and
// TensorFlow can adopt it without copying. Owned through shared_ptr once handed out.
#ifndef IGNITE_TF_CORE_COLUMNAR_ALIGNED_BUFFER_H_
#define IGNITE_TF_CORE_COLUMNAR_ALIGNED_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/common/blocks.h"

namespace ignite_tf {

inline constexpr size_t kBufferAlignment = kBlockAlignment;

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  void Reserve(size_t capacity);
  // Makes room for `n` more bytes and returns where they go; size grows by n.
  uint8_t* Extend(size_t n) {
    if (size_ + n > capacity_) Grow(size_ + n);
    uint8_t* out = data_ + size_;
    size_ += n;
    return out;
  }
  void Append(const void* src, size_t n) {
    if (n != 0) std::memcpy(Extend(n), src, n);
  }
  template <typename T>
  void Push(T v) {
    std::memcpy(Extend(sizeof(T)), &v, sizeof(T));
  }

  // Drops bytes past `n` (n <= size()).
  void Truncate(size_t n) {
    if (n < size_) size_ = n;
  }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }

 private:
  void Grow(size_t at_least);

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_COLUMNAR_ALIGNED_BUFFER_H_
