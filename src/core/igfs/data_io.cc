#include "core/igfs/data_io.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/common/error.h"
#include "core/igfs/modified_utf8.h"

namespace ignite_tf::igfs {
namespace {

// A property map or string collection larger than this is garbage, not a reply.
constexpr int32_t kMaxMapEntries = 1 << 20;

}  // namespace

absl::Status DataWriter::WriteUnitsUtf(std::u16string_view units) {
  const size_t bytes = ModifiedUtf8Length(units);
  if (bytes > kMaxUtfBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a name of ", bytes, " bytes in modified UTF-8 is longer than IGFS takes (65,535)"));
  }
  out_.push_back(static_cast<uint8_t>(bytes >> 8));
  out_.push_back(static_cast<uint8_t>(bytes));
  AppendModifiedUtf8(units, out_);
  return absl::OkStatus();
}

absl::Status DataWriter::WriteUtf(absl::string_view utf8) {
  IGNITE_ASSIGN_OR_RETURN(std::u16string units, Utf8ToUtf16(utf8));
  return WriteUnitsUtf(units);
}

absl::Status DataWriter::WriteString(const std::optional<std::string>& s) {
  WriteBool(!s.has_value());  // the flag says null
  return s.has_value() ? WriteUtf(*s) : absl::OkStatus();
}

absl::Status DataWriter::WriteChunkedUtf(absl::string_view utf8) {
  IGNITE_ASSIGN_OR_RETURN(std::u16string units, Utf8ToUtf16(utf8));
  if (units.size() > static_cast<size_t>(INT32_MAX)) {
    return absl::InvalidArgumentError("a property of over 2^31 characters");
  }
  WriteInt32(static_cast<int32_t>(units.size()));
  if (units.empty()) return WriteUnitsUtf(units);  // Java writes one empty chunk
  // Java cuts at unit counts, even between the halves of a surrogate pair; so do we.
  for (size_t at = 0; at < units.size(); at += kMaxUtfChunkUnits) {
    IGNITE_RETURN_IF_ERROR(WriteUnitsUtf(
        std::u16string_view(units).substr(at, std::min(kMaxUtfChunkUnits, units.size() - at))));
  }
  return absl::OkStatus();
}

absl::Status DataWriter::WriteStringMap(const std::optional<Properties>& map) {
  if (!map.has_value()) {
    WriteInt32(-1);
    return absl::OkStatus();
  }
  WriteInt32(static_cast<int32_t>(map->size()));
  for (const auto& [key, value] : *map) {
    IGNITE_RETURN_IF_ERROR(WriteChunkedUtf(key));
    IGNITE_RETURN_IF_ERROR(WriteChunkedUtf(value));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint8_t> DataInput::ReadUInt8() {
  uint8_t b;
  IGNITE_RETURN_IF_ERROR(ReadFully(absl::MakeSpan(&b, 1)));
  return b;
}

absl::StatusOr<bool> DataInput::ReadBool() {
  IGNITE_ASSIGN_OR_RETURN(uint8_t b, ReadUInt8());
  return b != 0;
}

absl::StatusOr<int32_t> DataInput::ReadInt32() {
  uint8_t b[4];
  IGNITE_RETURN_IF_ERROR(ReadFully(absl::MakeSpan(b, 4)));
  return static_cast<int32_t>((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
                              (uint32_t{b[2]} << 8) | uint32_t{b[3]});
}

absl::StatusOr<int64_t> DataInput::ReadInt64() {
  uint8_t b[8];
  IGNITE_RETURN_IF_ERROR(ReadFully(absl::MakeSpan(b, 8)));
  uint64_t v = 0;
  for (uint8_t byte : b) v = (v << 8) | byte;
  return static_cast<int64_t>(v);
}

absl::StatusOr<std::u16string> DataInput::ReadUtfUnits() {
  uint8_t len[2];
  IGNITE_RETURN_IF_ERROR(ReadFully(absl::MakeSpan(len, 2)));
  std::vector<uint8_t> bytes((size_t{len[0]} << 8) | len[1]);
  IGNITE_RETURN_IF_ERROR(ReadFully(absl::MakeSpan(bytes)));
  return DecodeModifiedUtf8(bytes);
}

absl::StatusOr<std::string> DataInput::ReadUtf() {
  IGNITE_ASSIGN_OR_RETURN(std::u16string units, ReadUtfUnits());
  return Utf16ToUtf8(units);
}

absl::StatusOr<std::optional<std::string>> DataInput::ReadString() {
  IGNITE_ASSIGN_OR_RETURN(bool is_null, ReadBool());
  if (is_null) return std::optional<std::string>();
  IGNITE_ASSIGN_OR_RETURN(std::string s, ReadUtf());
  return std::optional<std::string>(std::move(s));
}

absl::StatusOr<std::optional<std::string>> DataInput::ReadChunkedUtf() {
  IGNITE_ASSIGN_OR_RETURN(int32_t count, ReadInt32());
  if (count < 0) return std::optional<std::string>();
  std::u16string units;
  do {  // one chunk even for an empty string, as Java writes it
    IGNITE_ASSIGN_OR_RETURN(std::u16string chunk, ReadUtfUnits());
    if (chunk.empty() && count > 0) {
      return ProtocolError("the IGFS server sent an empty chunk of a non-empty property");
    }
    units += chunk;
  } while (units.size() < static_cast<size_t>(count));
  if (units.size() != static_cast<size_t>(count)) {
    return ProtocolError(absl::StrCat("the IGFS server sent a property of ", units.size(),
                                      " characters announced as ", count));
  }
  IGNITE_ASSIGN_OR_RETURN(std::string s, Utf16ToUtf8(units));
  return std::optional<std::string>(std::move(s));
}

absl::StatusOr<Properties> DataInput::ReadStringMap() {
  IGNITE_ASSIGN_OR_RETURN(int32_t size, ReadInt32());
  Properties map;
  if (size < 0) return map;
  if (size > kMaxMapEntries) {
    return ProtocolError(absl::StrCat("the IGFS server sent a property map of ", size, " entries"));
  }
  for (int32_t i = 0; i < size; ++i) {
    IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> key, ReadChunkedUtf());
    IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> value, ReadChunkedUtf());
    if (!key.has_value()) return ProtocolError("the IGFS server sent a property with a null name");
    map[*key] = value.value_or("");
  }
  return map;
}

absl::Status SpanInput::ReadFully(absl::Span<uint8_t> out) {
  if (out.size() > remaining()) {
    return ProtocolError(absl::StrCat("an IGFS reply ended after ", bytes_.size(),
                                      " bytes, in the middle of a field of ", out.size()));
  }
  if (!out.empty()) std::memcpy(out.data(), bytes_.data() + pos_, out.size());
  pos_ += out.size();
  return absl::OkStatus();
}

absl::Status TransportInput::ReadFully(absl::Span<uint8_t> out) {
  size_t done = std::min(out.size(), end_ - begin_);
  if (done > 0) std::memcpy(out.data(), buffer_.data() + begin_, done);
  begin_ += done;
  if (done == out.size()) return absl::OkStatus();
  // Large reads (block data) go straight to their destination; small ones refill the buffer.
  if (out.size() - done >= buffer_.size()) return transport_.ReadExact(out.subspan(done));
  while (done < out.size()) {
    IGNITE_ASSIGN_OR_RETURN(size_t n, transport_.ReadSome(absl::MakeSpan(buffer_)));
    begin_ = 0;
    end_ = n;
    const size_t take = std::min(n, out.size() - done);
    std::memcpy(out.data() + done, buffer_.data(), take);
    begin_ = take;
    done += take;
  }
  return absl::OkStatus();
}

}  // namespace ignite_tf::igfs
