// wire/writer.h: appends little-endian values to a growing buffer (requests and encoded objects).
#ifndef IGNITE_TF_CORE_WIRE_WRITER_H_
#define IGNITE_TF_CORE_WIRE_WRITER_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ignite_tf {

class Writer {
 public:
  void WriteInt8(int8_t v) { Write(v); }
  void WriteUInt8(uint8_t v) { Write(v); }
  void WriteInt16(int16_t v) { Write(v); }
  void WriteUInt16(uint16_t v) { Write(v); }
  void WriteInt32(int32_t v) { Write(v); }
  void WriteInt64(int64_t v) { Write(v); }
  void WriteFloat(float v) { Write(v); }
  void WriteDouble(double v) { Write(v); }
  void WriteBool(bool v) { Write<uint8_t>(v ? 1 : 0); }
  void WriteBytes(absl::Span<const uint8_t> bytes) {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  }
  void WriteRaw(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    buffer_.insert(buffer_.end(), p, p + n);
  }
  // Typed string value: 0x09, int32 length, UTF-8 bytes.
  void WriteString(absl::string_view s);
  // Typed null: 0x65.
  void WriteNull() { WriteUInt8(101); }

  template <typename T>
  void PatchAt(size_t pos, T v) {
    std::memcpy(buffer_.data() + pos, &v, sizeof(T));
  }

  size_t size() const { return buffer_.size(); }
  const std::vector<uint8_t>& buffer() const { return buffer_; }
  std::vector<uint8_t>& mutable_buffer() { return buffer_; }
  std::vector<uint8_t> Release() { return std::move(buffer_); }

 private:
  template <typename T>
  void Write(T v) {
    size_t at = buffer_.size();
    buffer_.resize(at + sizeof(T));
    std::memcpy(buffer_.data() + at, &v, sizeof(T));
  }

  std::vector<uint8_t> buffer_;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_WIRE_WRITER_H_
