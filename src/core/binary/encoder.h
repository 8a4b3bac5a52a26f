// binary/encoder.h: writes Value trees in the Ignite binary format, so users and tests can put
// rows without another client. Objects get compact footers; the types they use are collected so
// the client can register their metadata (OP_PUT_BINARY_TYPE) before sending them.
#ifndef IGNITE_TF_CORE_BINARY_ENCODER_H_
#define IGNITE_TF_CORE_BINARY_ENCODER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/binary/binary_type.h"
#include "core/binary/value.h"
#include "core/wire/writer.h"

namespace ignite_tf {

// Starts an object of `type_id` (its header; flags, hash, length and schema offset are set by
// FinishObject) and returns where it starts.
size_t StartObject(Writer& w, int32_t type_id, int32_t schema_id);
// Ends the object whose 0x67 byte is at `start` of `w`, after its header (type id and schema
// id set) and its fields, which start at `field_offsets` (from `start`): writes the compact
// footer in the narrowest offset width and sets the flags, the hash (Java's, over the field
// data), the total length and the schema offset.
void FinishObject(Writer& w, size_t start, absl::Span<const uint32_t> field_offsets);

class ValueEncoder {
 public:
  // Appends `value` to `writer`. Null fields of objects are written as nulls; their metadata type
  // is Object, since nothing else is known.
  absl::Status Encode(const Value& value, Writer& writer);

  // Metadata of every object type written so far, one entry per (type, schema), and of enum
  // types whose constants were written with their type and constant names.
  const std::vector<BinaryType>& types() const { return types_; }

 private:
  absl::Status EncodeObject(const ObjectValue& object, Writer& writer);
  std::vector<BinaryType> types_;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_ENCODER_H_
