// binary/decoder.h: decodes one typed Ignite value into a Value tree, checking every length and
// offset. Objects are read through their own footer and schema, never by metadata order.
#ifndef IGNITE_TF_CORE_BINARY_DECODER_H_
#define IGNITE_TF_CORE_BINARY_DECODER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/binary/binary_type.h"
#include "core/binary/object_layout.h"
#include "core/binary/value.h"
#include "core/wire/reader.h"

namespace ignite_tf {

// Nesting deeper than this (objects in objects, handles to handles) is refused as malformed.
inline constexpr int kMaxNestingDepth = 64;

// The field ids of `layout`'s footer entries, in footer order: from the footer itself when it is
// full, from the type's schema when it is compact.
absl::StatusOr<std::vector<int32_t>> FooterFieldIds(absl::Span<const uint8_t> buffer,
                                                    const ObjectLayout& layout,
                                                    const BinaryType* type);

// Which of `selected` (field paths below an object) reach its field `name`: the whole field, or
// paths below it (relative to it).
struct FieldSelection {
  bool whole = false;
  std::vector<std::string> below;
};
FieldSelection SelectionOf(absl::string_view name, const std::vector<std::string>& selected);

class ValueDecoder {
 public:
  explicit ValueDecoder(TypeResolver* types) : types_(types) {}

  // Decodes the value starting at `*pos` in `buffer` and advances `*pos` past it. `path` names the
  // value in errors ("val.metadata.label"). With `fields` (paths below the value: "NAME",
  // "metadata.label"), an object's fields outside them are not decoded: they are null in the
  // result, or for objects, objects of such fields (their names kept, their values not read).
  absl::StatusOr<Value> Decode(absl::Span<const uint8_t> buffer, size_t* pos,
                               absl::string_view path,
                               const std::vector<std::string>* fields = nullptr);

 private:
  absl::StatusOr<Value> DecodeAt(absl::Span<const uint8_t> buffer, size_t* pos,
                                 absl::string_view path, int depth,
                                 const std::vector<std::string>* selected = nullptr);
  // The object and the position just past it.
  absl::StatusOr<std::pair<Value, size_t>> DecodeObject(absl::Span<const uint8_t> buffer,
                                                        size_t start, absl::string_view path,
                                                        int depth,
                                                        const std::vector<std::string>* selected);

  // Fills the enum's type name and constant name from type metadata, when the server has it.
  void DescribeEnum(int32_t type_id, int32_t ordinal, Value* v);

  TypeResolver* types_;
};

// Finds where the value at `pos` ends without decoding it into a Value (used to step over keys or
// fields nobody asked for). Handles and nested objects are skipped by their length.
absl::StatusOr<size_t> SkipValue(absl::Span<const uint8_t> buffer, size_t pos,
                                 absl::string_view path);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_DECODER_H_
