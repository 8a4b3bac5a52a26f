#include "core/wire/reader.h"

#include "absl/strings/str_cat.h"
#include "core/common/error.h"

namespace ignite_tf {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the wire format is little-endian");

absl::Status Reader::Truncated(size_t wanted) const {
  return ProtocolError(absl::StrCat("message truncated: needed ", wanted, " bytes at offset ", pos_,
                                    " but only ", remaining(), " remain"));
}

absl::StatusOr<bool> Reader::ReadBool() {
  auto b = ReadUInt8();
  if (!b.ok()) return b.status();
  return *b != 0;
}

absl::StatusOr<absl::Span<const uint8_t>> Reader::ReadBytes(size_t n) {
  if (remaining() < n) return Truncated(n);
  absl::Span<const uint8_t> out = bytes_.subspan(pos_, n);
  pos_ += n;
  return out;
}

absl::StatusOr<int32_t> Reader::ReadLength(size_t element_size, absl::string_view what) {
  size_t at = pos_;
  auto n = ReadInt32();
  if (!n.ok()) return n.status();
  if (*n < 0) {
    return ProtocolError(absl::StrCat("negative length ", *n, " for ", what, " at offset ", at));
  }
  if (static_cast<uint64_t>(*n) * element_size > remaining()) {
    return ProtocolError(absl::StrCat("length ", *n, " of ", what, " at offset ", at,
                                      " exceeds the ", remaining(), " bytes left in the message"));
  }
  return *n;
}

absl::Status Reader::Skip(size_t n) {
  if (remaining() < n) return Truncated(n);
  pos_ += n;
  return absl::OkStatus();
}

absl::Status Reader::Seek(size_t pos) {
  if (pos > bytes_.size()) {
    return ProtocolError(
        absl::StrCat("offset ", pos, " points outside a message of ", bytes_.size(), " bytes"));
  }
  pos_ = pos;
  return absl::OkStatus();
}

}  // namespace ignite_tf
