// columnar/schema.h: the shape of a row as columns: a tree of structs (Ignite objects, fields
// sorted by name as the original IgniteDataset did) whose leaves are typed columns.
#ifndef IGNITE_TF_CORE_COLUMNAR_SCHEMA_H_
#define IGNITE_TF_CORE_COLUMNAR_SCHEMA_H_

#include <cstdint>
#include <map>
#include <optional>
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
// Bytes of one element: 0 for strings.
inline size_t ElementSize(ElementType type) {
  switch (type) {
    case ElementType::kUInt8:
    case ElementType::kBool:
      return 1;
    case ElementType::kInt16:
    case ElementType::kUInt16:
      return 2;
    case ElementType::kInt32:
    case ElementType::kFloat32:
      return 4;
    case ElementType::kInt64:
    case ElementType::kFloat64:
      return 8;
    case ElementType::kString:
      return 0;
  }
  return 0;
}

// How decimal leaves become column values.
enum class DecimalMode {
  kFloat64,  // the nearest double
  kString,   // the exact value as Java's BigDecimal.toString() writes it ("-12.3400", "1E+3")
};

// The unit of the int64 in timestamp leaves (Timestamp, Timestamp[]), counted from the epoch.
// Nanoseconds cover the years 1677 to 2262 only; microseconds and milliseconds every date Java
// can hold but the last few thousand years of its range.
enum class TimestampUnit { kNanoseconds, kMicroseconds, kMilliseconds };

// The name of the leaf that holds an object's raw data section (what a Binarylizable class
// writes through rawWriter()): bytes, empty when the object has none. A struct has it when the
// object its schema was learned from had raw data, or when a given schema names it.
inline constexpr char kRawFieldName[] = "$raw";

// How a node reads from the wire.
enum class NodeKind {
  kLeaf,    // one value (or, with is_list, one array) per row
  kStruct,  // a complex object: children by field name
  kEnum,    // an enum: children "name" (string) and "ordinal" (int32)
  kMap,     // a map: children "keys" and "values", list leaves of aligned entries
};

// Lists nest: a node's value may sit inside lists opened by the nodes above it (an object array of
// objects opens one for every leaf below it) and open lists of its own (an int[] opens one, an
// Object[] of int[] two). A leaf's column has one level of offsets per list around its values.

struct SchemaNode {
  std::string name;
  std::string path;  // "val.metadata.label"; set by RowSchema::Index
  NodeKind kind = NodeKind::kLeaf;
  bool is_struct = false;            // kStruct, kEnum and kMap have children
  std::vector<SchemaNode> children;  // sorted by name

  // A struct or enum that appears once per element of a container (object array, collection,
  // enum array): its leaves are lists sharing the container's row lengths.
  bool repeated = false;
  // Wire code of the innermost container the node's own lists come from (an object array, a
  // collection, an enum array, a map, or a list leaf's typed array); the outer ones, when the
  // node opens more than one (an Object[] of int[]), are object arrays or collections.
  int32_t container_code = 0;
  // Levels of lists the node's own value opens: 0 for a plain value, 1 for an array, a map or a
  // repeated struct, 2 for an object array of arrays (or of maps, or of object arrays), ...
  int own_lists = 0;
  // Set by RowSchema::Index: levels of lists opened by the nodes above (an object array of
  // objects holding this field: 1), and that plus own_lists. A value of this node is decoded at
  // a level from outer_lists (a whole value: a container if own_lists > 0) to list_depth (one
  // element); a leaf's column has list_depth levels of offsets.
  int outer_lists = 0;
  int list_depth = 0;

  // Leaves:
  int32_t type_code = 0;  // the Ignite type code of one value (an element, for lists)
  ElementType element = ElementType::kInt64;
  bool is_list = false;  // list_depth > 0: a variable-length list per row (set by Index)
  int column = -1;       // index of the leaf's column in a Batch
  // Timestamp leaves: the unit of the column's int64 (ApplyColumnOptions).
  TimestampUnit timestamp_unit = TimestampUnit::kNanoseconds;
  // The raw data section of the parent struct (kRawFieldName), a string leaf.
  bool raw = false;
  // Set by RowSchema::Index: for a leaf of one value per row whose bytes are stored as sent (type
  // codes 1-7, 11 and 36, as wide in the column as on the wire), that size; 0 for other nodes.
  uint8_t copy_size = 0;
  // Set by RowSchema::Index: for a kStruct node, its number among the schema's structs (0 to
  // RowSchema::struct_count - 1), for caches kept per struct; -1 for other nodes.
  int struct_index = -1;
  // SQL result columns: the type was given by the user (SqlSchemaLearner's `given`), not learnt
  // from a value; mismatch errors say so.
  bool given = false;

  const SchemaNode* Child(absl::string_view child_name) const;
};

struct RowSchema {
  SchemaNode key;
  SchemaNode value;
  // SQL results: the query's columns in order, each a child of `value` (whose name is empty, so
  // column paths are the column names); `key` has no children. Empty for cache scans.
  std::vector<std::string> sql_columns;
  std::vector<std::string> column_paths;  // "key", "val.metadata.label", ...
  std::vector<const SchemaNode*> leaves;  // by column index; points into key/value
  int struct_count = 0;                   // kStruct nodes (SchemaNode::struct_index)

  RowSchema() = default;
  RowSchema(const RowSchema& other) { *this = other; }
  RowSchema& operator=(const RowSchema& other);
  // Assigns column indices and paths; call after building or changing the tree.
  void Index();
};

// The node for a value of an Ignite type code whose layout needs no sample (scalars, typed arrays,
// enums), or an unsupported-type error naming `path`.
absl::StatusOr<SchemaNode> LeafFor(int32_t type_code, std::string name, absl::string_view path);

// The leaf for the raw data section of a struct (see kRawFieldName).
SchemaNode RawLeaf();

// Applies the user's representation choices to every decimal and timestamp leaf of `schema`
// (learned or given): decimals become string or float64 columns, timestamps count `unit`s.
void ApplyColumnOptions(DecimalMode decimals, TimestampUnit unit, RowSchema* schema);

// True for codes read as one scalar column value: 1-11, 30, 33, 36.
bool IsScalarCode(int32_t code);

// Infers a schema from one decoded row, the way the original integration did from its first
// row. `types` fills in fields that are null or absent in this row from binary type metadata.
// `fields` (as SelectFields takes them; empty: all) are the value's fields to read: the schema
// has only those, and the others are never typed, so a field no column could hold (an Object[]
// of mixed types) does not stop the read of the others.
absl::StatusOr<RowSchema> InferSchema(const Value& key, const Value& value, TypeResolver* types,
                                      const std::vector<std::string>& fields = {});

// Learns the schema of SQL result rows, page by page: a column's type is the one the user gave
// (`given`: Ignite type codes by column name, as the server reports it) or else the type of its
// first non-null value in the rows added so far.
class SqlSchemaLearner {
 public:
  // A schema error for two columns of one name, or a given name the query does not return.
  static absl::StatusOr<SqlSchemaLearner> Create(std::vector<std::string> columns,
                                                 const std::map<std::string, int32_t>& given,
                                                 TypeResolver* types);

  // Types the columns still untyped from the first non-null value in `rows` (one value per
  // column, in query order).
  absl::Status Add(const std::vector<std::vector<Value>>& rows);

  // Every column has a type.
  bool complete() const { return untyped_ == 0; }
  // The columns without a type yet, in query order.
  std::vector<std::string> Untyped() const;
  const std::vector<std::string>& columns() const { return columns_; }

  // The schema, once complete(); else a schema error naming the untyped columns, which were
  // NULL in `seen` ("all 12 rows of the result"), and saying how to give their types.
  absl::StatusOr<RowSchema> Finish(absl::string_view seen) const;

 private:
  SqlSchemaLearner() = default;

  std::vector<std::string> columns_;
  std::vector<std::optional<SchemaNode>> nodes_;  // by query column; nullopt while untyped
  size_t untyped_ = 0;
  TypeResolver* types_ = nullptr;
};

// A schema for SQL result rows (SqlSchemaLearner over `rows`): each column's type comes from
// its first non-null value; a column NULL in every row is a schema error.
absl::StatusOr<RowSchema> InferSqlSchema(const std::vector<std::string>& columns,
                                         const std::vector<std::vector<Value>>& rows,
                                         TypeResolver* types);

// Keeps the key and only the named fields of the value: "NAME" or "metadata.label" (paths below
// `val`; an object keeps all its fields when named itself). An unknown name is a schema error
// that lists the fields there are.
absl::StatusOr<RowSchema> SelectFields(const RowSchema& schema,
                                       const std::vector<std::string>& fields);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_COLUMNAR_SCHEMA_H_
