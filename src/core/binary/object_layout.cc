#include "core/binary/object_layout.h"

#include "absl/strings/str_cat.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"

namespace ignite_tf {

absl::StatusOr<ObjectLayout> ParseObjectLayout(absl::Span<const uint8_t> buffer, size_t start) {
  if (start > buffer.size() || buffer.size() - start < kObjectHeaderSize) {
    return ProtocolError(absl::StrCat("complex object at offset ", start,
                                      " is truncated: its 24-byte header does not fit"));
  }
  const uint8_t* p = buffer.data() + start;
  if (p[0] != kComplexObject) {
    return ProtocolError(absl::StrCat("expected a complex object at offset ", start, ", found ",
                                      TypeCodeName(p[0])));
  }
  if (p[1] != 1) {
    return ProtocolError(
        absl::StrCat("complex object at offset ", start, " has unsupported version ", int{p[1]}));
  }
  ObjectLayout o;
  o.start = start;
  o.flags = LoadUnaligned<uint16_t>(p + 2);
  o.type_id = LoadUnaligned<int32_t>(p + 4);
  o.hash_code = LoadUnaligned<int32_t>(p + 8);
  int32_t length = LoadUnaligned<int32_t>(p + 12);
  o.schema_id = LoadUnaligned<int32_t>(p + 16);
  int32_t schema_or_raw = LoadUnaligned<int32_t>(p + 20);
  if (length < static_cast<int32_t>(kObjectHeaderSize) ||
      static_cast<size_t>(length) > buffer.size() - start) {
    return ProtocolError(absl::StrCat("complex object at offset ", start, " (type id ", o.type_id,
                                      ") claims length ", length, " but ", buffer.size() - start,
                                      " bytes remain"));
  }
  o.length = static_cast<uint32_t>(length);
  const bool has_schema = (o.flags & kFlagHasSchema) != 0;
  o.has_raw = (o.flags & kFlagHasRaw) != 0;
  o.offset_size = (o.flags & kFlagOffsetOneByte) ? 1 : (o.flags & kFlagOffsetTwoBytes) ? 2 : 4;
  o.footer_entry = o.offset_size + (o.compact() ? 0 : 4);

  auto bad = [&](absl::string_view what) {
    return ProtocolError(absl::StrCat("complex object at offset ", start, " (type id ", o.type_id,
                                      ", schema id ", o.schema_id, "): ", what));
  };

  if (has_schema) {
    if (schema_or_raw < static_cast<int32_t>(kObjectHeaderSize) ||
        static_cast<uint32_t>(schema_or_raw) > o.length) {
      return bad(absl::StrCat("footer offset ", schema_or_raw, " lies outside the object"));
    }
    size_t footer_end = o.length;
    if (o.has_raw) {
      if (o.length < kObjectHeaderSize + 4) return bad("raw offset does not fit");
      footer_end = o.length - 4;
      if (static_cast<size_t>(schema_or_raw) > footer_end) return bad("footer overlaps raw offset");
      int32_t raw = LoadUnaligned<int32_t>(p + o.length - 4);
      if (raw < static_cast<int32_t>(kObjectHeaderSize) || raw > schema_or_raw) {
        return bad(absl::StrCat("raw data offset ", raw, " lies outside the data area"));
      }
      o.raw_begin = start + raw;
      o.raw_end = start + schema_or_raw;
      o.data_end = o.raw_begin;
    } else {
      o.data_end = start + schema_or_raw;
    }
    size_t footer_bytes = footer_end - schema_or_raw;
    if (footer_bytes % o.footer_entry != 0) {
      return bad(absl::StrCat("footer of ", footer_bytes, " bytes is not a whole number of ",
                              o.footer_entry, "-byte entries"));
    }
    o.footer_begin = start + schema_or_raw;
    o.field_count = footer_bytes / o.footer_entry;
    for (size_t i = 0; i < o.field_count; ++i) {
      size_t pos = o.FieldPosition(buffer.data(), i);
      if (pos < start + kObjectHeaderSize || pos >= o.data_end) {
        return bad(absl::StrCat("field #", i, " offset ", pos - start, " points outside the data"));
      }
    }
  } else {
    o.footer_begin = start + o.length;
    o.field_count = 0;
    if (o.has_raw) {
      if (schema_or_raw < static_cast<int32_t>(kObjectHeaderSize) ||
          static_cast<uint32_t>(schema_or_raw) > o.length) {
        return bad(absl::StrCat("raw data offset ", schema_or_raw, " lies outside the object"));
      }
      o.raw_begin = start + schema_or_raw;
      o.raw_end = start + o.length;
    }
    o.data_end = o.has_raw ? o.raw_begin : start + o.length;
  }
  return o;
}

}  // namespace ignite_tf
