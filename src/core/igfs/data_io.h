// igfs/data_io.h: the encodings of java.io.DataOutput/DataInput that IGFS messages are made of:
// big-endian integers, writeUTF strings (a uint16 byte length, then modified UTF-8), and the two
// ways IGFS wraps them:
//   - IgniteUtils.writeString (names, paths): an is-null flag byte, then writeUTF when not null;
//   - IgfsUtils.writeUTF (keys and values of property maps): an int32 count of UTF-16 units
//     (-1 for null), then writeUTF chunks of at most 16,383 units each.
// Replies carry no length, so they are parsed as they arrive, from a DataInput: a byte span (in
// tests; its end is a protocol error) or a buffered socket.
#ifndef IGNITE_TF_CORE_IGFS_DATA_IO_H_
#define IGNITE_TF_CORE_IGFS_DATA_IO_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/net/transport.h"

namespace ignite_tf::igfs {

using Properties = std::map<std::string, std::string>;

// writeUTF takes at most this many bytes; IgfsUtils.writeUTF splits longer strings into chunks of
// this many UTF-16 units (0xFFFF / 4: three bytes a unit at most, so a chunk always fits).
inline constexpr size_t kMaxUtfBytes = 0xFFFF;
inline constexpr size_t kMaxUtfChunkUnits = 0xFFFF / 4;

// Appends big-endian values to a byte buffer (a request being built).
class DataWriter {
 public:
  explicit DataWriter(std::vector<uint8_t>& out) : out_(out) {}

  void WriteBool(bool v) { out_.push_back(v ? 1 : 0); }
  void WriteInt32(int32_t v) { WriteBigEndian(static_cast<uint32_t>(v), 4); }
  void WriteInt64(int64_t v) { WriteBigEndian(static_cast<uint64_t>(v), 8); }
  // DataOutput.writeUTF of UTF-8 text; InvalidArgument for invalid UTF-8 or over 65,535 bytes.
  absl::Status WriteUtf(absl::string_view utf8);
  // IgniteUtils.writeString.
  absl::Status WriteString(const std::optional<std::string>& s);
  // IgfsUtils.writeStringMap: an int32 size (-1 for null), then IgfsUtils.writeUTF of each key
  // and value.
  absl::Status WriteStringMap(const std::optional<Properties>& map);

 private:
  void WriteBigEndian(uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  absl::Status WriteUnitsUtf(std::u16string_view units);
  absl::Status WriteChunkedUtf(absl::string_view utf8);

  std::vector<uint8_t>& out_;
};

// Reads big-endian values from a source that delivers exactly what is asked or fails.
class DataInput {
 public:
  virtual ~DataInput() = default;
  // Fills `out` completely, or fails (a protocol error at the end of a span; a connection or
  // timeout error on a socket).
  virtual absl::Status ReadFully(absl::Span<uint8_t> out) = 0;

  absl::StatusOr<uint8_t> ReadUInt8();
  absl::StatusOr<bool> ReadBool();  // any non-zero byte is true, as in Java
  absl::StatusOr<int32_t> ReadInt32();
  absl::StatusOr<int64_t> ReadInt64();
  // DataInput.readUTF, as UTF-16 units and as UTF-8.
  absl::StatusOr<std::u16string> ReadUtfUnits();
  absl::StatusOr<std::string> ReadUtf();
  // IgniteUtils.readString.
  absl::StatusOr<std::optional<std::string>> ReadString();
  // IgfsUtils.readStringMap; a null map reads as empty.
  absl::StatusOr<Properties> ReadStringMap();

 private:
  absl::StatusOr<std::optional<std::string>> ReadChunkedUtf();
};

// A DataInput over bytes in memory; reading past their end is a protocol error.
class SpanInput final : public DataInput {
 public:
  explicit SpanInput(absl::Span<const uint8_t> bytes) : bytes_(bytes) {}
  absl::Status ReadFully(absl::Span<uint8_t> out) override;
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  absl::Span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

// A DataInput over a transport, buffered: a reply of many small fields costs few reads.
class TransportInput final : public DataInput {
 public:
  explicit TransportInput(Transport& transport, size_t buffer_bytes = 64 << 10)
      : transport_(transport), buffer_(buffer_bytes) {}
  absl::Status ReadFully(absl::Span<uint8_t> out) override;

 private:
  Transport& transport_;
  std::vector<uint8_t> buffer_;
  size_t begin_ = 0;  // buffered bytes are buffer_[begin_, end_)
  size_t end_ = 0;
};

}  // namespace ignite_tf::igfs

#endif  // IGNITE_TF_CORE_IGFS_DATA_IO_H_
