// binary/ids.h: the hashes Ignite derives from names and bytes (cache ids, type/field ids,
// schema ids, object hash codes). They must match the Java server bit for bit.
#ifndef IGNITE_TF_CORE_BINARY_IDS_H_
#define IGNITE_TF_CORE_BINARY_IDS_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ignite_tf {

// Java String.hashCode() of a UTF-8 string, computed over its UTF-16 code units. Cache ids.
int32_t JavaStringHash(absl::string_view utf8);

// Type and field ids (BinaryBasicIdMapper, lower-case mode): hash of the lower-cased name.
int32_t BinaryNameId(absl::string_view utf8);

// Schema id: FNV-1 over the field ids in write order. Zero fields give 0.
int32_t SchemaIdOf(absl::Span<const int32_t> field_ids);

// Object header hash (BinaryArrayIdentityResolver): h = 31*h + b over signed bytes, from 1.
int32_t ObjectHashCode(absl::Span<const uint8_t> data);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_IDS_H_
