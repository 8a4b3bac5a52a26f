// columnar/schema.h: the shape of a row as columns: a tree of structs (Ignite objects, fields
// sorted by name as the original IgniteDataset did) whose leaves are typed columns.
#ifndef IGNITE_TF_CORE_COLUMNAR_SCHEMA_H_
#define IGNITE_TF_CORE_COLUMNAR_SCHEMA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/binary/binary_type.h"
#include "core/binary/value.h"

namespace ignite_tf {

// Element type of a column, named after the NumPy/TensorFlow dtype it becomes.
enum class ElementType {
  kUInt8,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kUInt16,
  kBool,
  kString
};

const char* ElementTypeName(ElementType type);
size_t ElementSize(ElementType type);  // 0 for strings

struct SchemaNode {
  std::string name;
  std::string path;  // "val.metadata.label"; set by RowSchema::Index
  bool is_struct = false;
  std::vector<SchemaNode> children;  // structs: sorted by name

  // Leaves:
  int32_t type_code = 0;  // the Ignite type code this leaf accepts
  ElementType element = ElementType::kInt64;
  bool is_list = false;  // arrays: one variable-length list per row
  int column = -1;       // index of the leaf's column in a Batch

  const SchemaNode* Child(absl::string_view child_name) const;
};

struct RowSchema {
  SchemaNode key;
  SchemaNode value;
  std::vector<std::string> column_paths;  // "key", "val.metadata.label", ...
  std::vector<const SchemaNode*> leaves;  // by column index; points into key/value

  RowSchema() = default;
  RowSchema(const RowSchema& other) { *this = other; }
  RowSchema& operator=(const RowSchema& other);
  // Assigns column indices and paths; call after building or changing the tree.
  void Index();
};

// The leaf for an Ignite type code, or an unsupported-type error naming `path`.
absl::StatusOr<SchemaNode> LeafFor(int32_t type_code, std::string name, absl::string_view path);

// Infers a schema from one decoded row, the way the original integration did from its first
// row. `types` fills in fields that are null or absent in this row from binary type metadata.
absl::StatusOr<RowSchema> InferSchema(const Value& key, const Value& value, TypeResolver* types);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_COLUMNAR_SCHEMA_H_
