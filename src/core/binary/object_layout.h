// binary/object_layout.h: the validated shape of one complex object (type code 103): header,
// field offsets from its own footer, raw data. Every offset is checked against the object's
// bounds once, here, so decoders can index fields without re-checking.
#ifndef IGNITE_TF_CORE_BINARY_OBJECT_LAYOUT_H_
#define IGNITE_TF_CORE_BINARY_OBJECT_LAYOUT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/wire/reader.h"

namespace ignite_tf {

inline constexpr size_t kObjectHeaderSize = 24;

enum ObjectFlags : uint16_t {
  kFlagUserType = 0x01,
  kFlagHasSchema = 0x02,
  kFlagHasRaw = 0x04,
  kFlagOffsetOneByte = 0x08,
  kFlagOffsetTwoBytes = 0x10,
  kFlagCompactFooter = 0x20,
};

struct ObjectLayout {
  size_t start = 0;  // absolute position of the 0x67 byte in the buffer
  uint16_t flags = 0;
  int32_t type_id = 0;
  int32_t hash_code = 0;
  uint32_t length = 0;  // header + data + footer (+ raw offset)
  int32_t schema_id = 0;
  size_t data_end = 0;      // absolute end of field data (start of raw data or footer)
  size_t footer_begin = 0;  // absolute
  size_t field_count = 0;
  int offset_size = 4;      // 1, 2 or 4
  size_t footer_entry = 4;  // offset_size, plus 4 for the field id in a full footer
  bool has_raw = false;
  size_t raw_begin = 0, raw_end = 0;  // absolute

  size_t end() const { return start + length; }
  bool compact() const { return (flags & kFlagCompactFooter) != 0; }

  // Absolute position of the i-th field's value (footer order). i < field_count.
  size_t FieldPosition(const uint8_t* buffer, size_t i) const {
    const uint8_t* e = buffer + footer_begin + i * footer_entry + (compact() ? 0 : 4);
    uint32_t off = offset_size == 1   ? e[0]
                   : offset_size == 2 ? LoadUnaligned<uint16_t>(e)
                                      : LoadUnaligned<uint32_t>(e);
    return start + off;
  }
  // Field id of the i-th footer entry; only for full (non-compact) footers.
  int32_t FieldId(const uint8_t* buffer, size_t i) const {
    return LoadUnaligned<int32_t>(buffer + footer_begin + i * footer_entry);
  }
};

// Parses and validates the object whose 0x67 byte is at `start` in `buffer`: version, length,
// footer bounds and every field offset.
absl::StatusOr<ObjectLayout> ParseObjectLayout(absl::Span<const uint8_t> buffer, size_t start);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_OBJECT_LAYOUT_H_
