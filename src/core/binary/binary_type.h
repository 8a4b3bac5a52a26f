// binary/binary_type.h: binary type metadata (OP_GET_BINARY_TYPE / OP_PUT_BINARY_TYPE blocks):
// field names, ids and type codes, and the schemas that fix each object's field order.
#ifndef IGNITE_TF_CORE_BINARY_BINARY_TYPE_H_
#define IGNITE_TF_CORE_BINARY_BINARY_TYPE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/wire/reader.h"
#include "core/wire/writer.h"

namespace ignite_tf {

struct BinaryField {
  std::string name;
  int32_t type_code = 0;
  int32_t id = 0;
};

struct BinaryType {
  int32_t type_id = 0;
  std::string type_name;
  std::string affinity_key_field;  // empty when none
  std::vector<BinaryField> fields;
  bool is_enum = false;
  std::vector<std::pair<std::string, int32_t>> enum_values;
  // schema id -> field ids in write order.
  absl::flat_hash_map<int32_t, std::vector<int32_t>> schemas;

  const BinaryField* FieldById(int32_t field_id) const;
  const std::vector<int32_t>* Schema(int32_t schema_id) const;
};

// Parses the metadata block (after the `exists` flag of a 3002 reply).
absl::StatusOr<BinaryType> ParseBinaryType(Reader& reader);

// Writes the block of a 3003 request.
void WriteBinaryType(const BinaryType& type, Writer& writer);

// Where decoders learn types from. The client implements it with a per-connection cache.
class TypeResolver {
 public:
  virtual ~TypeResolver() = default;
  // Returns metadata of `type_id` that knows `schema_id` (fetching again if the cached copy does
  // not), or an error naming both ids.
  virtual absl::StatusOr<std::shared_ptr<const BinaryType>> Resolve(int32_t type_id,
                                                                    int32_t schema_id) = 0;
  // Metadata of `type_id` without requiring a schema (enums have none).
  virtual absl::StatusOr<std::shared_ptr<const BinaryType>> ResolveType(int32_t type_id);
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_BINARY_TYPE_H_
