// wire/reader.h: reads little-endian values from a received message, never past its end.
#ifndef IGNITE_TF_CORE_WIRE_READER_H_
#define IGNITE_TF_CORE_WIRE_READER_H_

#include <cstdint>
#include <cstring>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ignite_tf {

class Reader {
 public:
  // A start position past the end is clamped to the end: every read then fails cleanly.
  explicit Reader(absl::Span<const uint8_t> bytes, size_t pos = 0)
      : bytes_(bytes), pos_(pos < bytes.size() ? pos : bytes.size()) {}

  absl::StatusOr<int8_t> ReadInt8() { return Read<int8_t>(); }
  absl::StatusOr<uint8_t> ReadUInt8() { return Read<uint8_t>(); }
  absl::StatusOr<int16_t> ReadInt16() { return Read<int16_t>(); }
  absl::StatusOr<uint16_t> ReadUInt16() { return Read<uint16_t>(); }
  absl::StatusOr<int32_t> ReadInt32() { return Read<int32_t>(); }
  absl::StatusOr<int64_t> ReadInt64() { return Read<int64_t>(); }
  absl::StatusOr<float> ReadFloat() { return Read<float>(); }
  absl::StatusOr<double> ReadDouble() { return Read<double>(); }
  absl::StatusOr<bool> ReadBool();

  // Returns a view into the message; valid while the message buffer lives.
  absl::StatusOr<absl::Span<const uint8_t>> ReadBytes(size_t n);
  // Reads an int32 length that must be >= 0 and, multiplied by `element_size`, fit in what is left.
  absl::StatusOr<int32_t> ReadLength(size_t element_size, absl::string_view what);
  // Reads an int32 count of `element_size`-byte elements (ReadLength's checks) and returns a view
  // of those count * element_size bytes: the length and its bytes in one checked read.
  absl::StatusOr<absl::Span<const uint8_t>> ReadSized(size_t element_size, absl::string_view what) {
    absl::StatusOr<int32_t> n = ReadLength(element_size, what);
    if (!n.ok()) return n.status();
    const absl::Span<const uint8_t> out =
        bytes_.subspan(pos_, static_cast<size_t>(*n) * element_size);  // ReadLength checked it fits
    pos_ += out.size();
    return out;
  }
  absl::Status Skip(size_t n);
  absl::Status Seek(size_t pos);

  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  size_t size() const { return bytes_.size(); }
  absl::Span<const uint8_t> bytes() const { return bytes_; }

 private:
  template <typename T>
  absl::StatusOr<T> Read() {
    if (remaining() < sizeof(T)) return Truncated(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  absl::Status Truncated(size_t wanted) const;

  absl::Span<const uint8_t> bytes_;
  size_t pos_;
};

// Unchecked little-endian load for hot loops whose bounds were checked beforehand.
template <typename T>
inline T LoadUnaligned(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_WIRE_READER_H_
