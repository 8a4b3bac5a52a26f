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
