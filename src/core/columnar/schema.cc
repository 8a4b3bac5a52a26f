#include "core/columnar/schema.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/binary/decoder.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"

namespace ignite_tf {

const char* ElementTypeName(ElementType type) {
  switch (type) {
    case ElementType::kUInt8:
      return "uint8";
    case ElementType::kInt16:
      return "int16";
    case ElementType::kInt32:
      return "int32";
    case ElementType::kInt64:
      return "int64";
    case ElementType::kFloat32:
      return "float32";
    case ElementType::kFloat64:
      return "float64";
    case ElementType::kUInt16:
      return "uint16";
    case ElementType::kBool:
      return "bool";
    case ElementType::kString:
      return "string";
  }
  return "?";
}

const SchemaNode* SchemaNode::Child(absl::string_view child_name) const {
  for (const SchemaNode& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

RowSchema& RowSchema::operator=(const RowSchema& other) {
  key = other.key;
  value = other.value;
  sql_columns = other.sql_columns;
  Index();
  return *this;
}

namespace {

void IndexNode(SchemaNode& node, const std::string& path, int outer_lists, RowSchema& schema) {
  node.path = path;
  node.struct_index = node.kind == NodeKind::kStruct ? schema.struct_count++ : -1;
  node.outer_lists = outer_lists;
  node.list_depth = outer_lists + node.own_lists;
  if (node.is_struct) {
    for (SchemaNode& child : node.children) {
      IndexNode(child, path.empty() ? child.name : path + "." + child.name, node.list_depth,
                schema);
    }
    return;
  }
  node.is_list = node.list_depth > 0;
  node.column = static_cast<int>(schema.leaves.size());
  node.copy_size = 0;
  if (node.kind == NodeKind::kLeaf && node.list_depth == 0) {
    const int32_t code = node.type_code;
    const size_t sent = code == kDate || code == kTime   ? 8
                        : code >= kByte && code <= kChar ? static_cast<size_t>(PrimitiveSize(code))
                                                         : 0;
    if (sent != 0 && sent == ElementSize(node.element)) node.copy_size = static_cast<uint8_t>(sent);
  }
  schema.leaves.push_back(&node);
  schema.column_paths.push_back(path);
}

ElementType ElementFor(int32_t code) {
  switch (code) {
    case kByte:
      return ElementType::kUInt8;
    case kShort:
      return ElementType::kInt16;
    case kInt:
      return ElementType::kInt32;
    case kLong:
    case kDate:
    case kTimestamp:
    case kTime:
      return ElementType::kInt64;
    case kFloat:
      return ElementType::kFloat32;
    case kDouble:
    case kDecimal:
      return ElementType::kFloat64;
    case kChar:
      return ElementType::kUInt16;
    case kBool:
      return ElementType::kBool;
    default:
      return ElementType::kString;  // string, UUID
  }
}

SchemaNode ScalarLeaf(int32_t code, std::string name, bool is_list, int32_t container) {
  SchemaNode leaf;
  leaf.name = std::move(name);
  leaf.type_code = code;
  leaf.element = ElementFor(code);
  leaf.is_list = is_list;
  leaf.own_lists = is_list ? 1 : 0;
  leaf.list_depth = leaf.own_lists;
  leaf.container_code = container;
  return leaf;
}

SchemaNode EnumNode(std::string name, bool repeated, int32_t container) {
  SchemaNode node;
  node.name = std::move(name);
  node.kind = NodeKind::kEnum;
  node.is_struct = true;
  node.repeated = repeated;
  node.own_lists = repeated ? 1 : 0;
  node.list_depth = node.own_lists;
  node.container_code = container;
  node.type_code = kBinaryEnum;
  // One value per enum; the enum array's list is the node's own (RowSchema::Index makes these
  // leaves lists).
  node.children.push_back(ScalarLeaf(kString, "name", false, 0));
  node.children.push_back(ScalarLeaf(kInt, "ordinal", false, 0));
  return node;
}

absl::StatusOr<SchemaNode> InferNode(const Value& v, std::string name, const std::string& path,
                                     TypeResolver* types, int depth,
                                     const std::vector<std::string>* selected = nullptr);

// An object array or collection whose elements have different types (legal in Ignite) has no
// column type. A value field can be left out of the read (`fields`), and then is never typed.
absl::Status MixedElements(const std::string& path, int32_t first, int32_t other) {
  absl::Status error = SchemaError(
      absl::StrCat(path, " mixes ", TypeCodeName(first), " and ", TypeCodeName(other),
                   " elements; a column holds one type, so this field cannot be read as a column"));
  constexpr absl::string_view kValue = "val.";
  if (!absl::StartsWith(path, kValue)) return error;
  return WithHint(error, OptionHint{"fields",
                                    OptionHint::ValueKind::kPlaceholder,
                                    absl::StrCat("<the fields to read, without \"",
                                                 path.substr(kValue.size()), "\">"),
                                    {},
                                    "(a field left out is skipped, never typed)"});
}

// The names of a value's fields (and of their fields, for objects), without typing anything: the
// node of a field outside the selected ones, which SelectFields removes.
SchemaNode Unselected(const Value& v, std::string name) {
  if (v.code == kObjectArray || v.code == kCollection) {  // named by their first object
    for (const Value& item : v.items) {
      if (!item.is_null()) return Unselected(item, std::move(name));
    }
  }
  SchemaNode node;
  node.name = std::move(name);
  if (v.code != kComplexObject) return node;
  node.kind = NodeKind::kStruct;
  node.is_struct = true;
  for (const auto& [field_name, field_value] : v.object->fields) {
    node.children.push_back(Unselected(field_value, field_name));
  }
  std::sort(node.children.begin(), node.children.end(),
            [](const SchemaNode& a, const SchemaNode& b) { return a.name < b.name; });
  return node;
}

absl::StatusOr<SchemaNode> InferMap(const Value& v, std::string name, const std::string& path);

// Object arrays and collections: the element layout comes from the first non-null element (for
// elements that are themselves containers, the first one whose layout can be learned). Elements
// that are arrays, maps or containers make lists of lists.
absl::StatusOr<SchemaNode> InferContainer(const Value& v, std::string name, const std::string& path,
                                          TypeResolver* types, int depth,
                                          const std::vector<std::string>* selected) {
  if (depth > 32) return SchemaError(absl::StrCat(path, ": containers nest too deeply"));
  const Value* sample = nullptr;
  for (const Value& item : v.items) {
    if (!item.is_null()) {
      sample = &item;
      break;
    }
  }
  if (sample == nullptr) {
    return SchemaError(absl::StrCat(path, " is an empty or all-null ", TypeCodeName(v.code),
                                    " in the first row, so its element type is unknown"));
  }
  // Fields selected below the container exist only in objects; of others the selection
  // finds none (SelectFields says so), and they are not typed.
  if (selected != nullptr && sample->code != kComplexObject) return Unselected(v, name);
  if (IsScalarCode(sample->code) || TypedArrayElementCode(sample->code) != 0) {
    for (const Value& item : v.items) {
      if (!item.is_null() && item.code != sample->code) {
        return MixedElements(path, sample->code, item.code);
      }
    }
    if (IsScalarCode(sample->code)) return ScalarLeaf(sample->code, std::move(name), true, v.code);
    // An object array or collection of typed arrays: lists of lists.
    SchemaNode leaf =
        ScalarLeaf(TypedArrayElementCode(sample->code), std::move(name), true, sample->code);
    ++leaf.own_lists;
    return leaf;
  }
  if (sample->code == kEnum || sample->code == kBinaryEnum) {
    return EnumNode(std::move(name), true, v.code);
  }
  if (sample->code == kComplexObject) {
    IGNITE_ASSIGN_OR_RETURN(SchemaNode node,
                            InferNode(*sample, name, path, types, depth + 1, selected));
    node.repeated = true;
    node.own_lists = 1;
    node.container_code = v.code;
    return node;
  }
  if (sample->code == kObjectArray || sample->code == kCollection || sample->code == kMap ||
      sample->code == kEnumArray) {
    // Containers of containers: the inner layout from the first inner container that shows it.
    absl::Status first_error;
    for (const Value& item : v.items) {
      if (item.is_null()) continue;
      if (item.code != kObjectArray && item.code != kCollection && item.code != kMap &&
          item.code != kEnumArray) {
        return MixedElements(path, sample->code, item.code);
      }
    }
    for (const Value& item : v.items) {
      if (item.is_null()) continue;
      absl::StatusOr<SchemaNode> inner =
          item.code == kMap         ? InferMap(item, name, path)
          : item.code == kEnumArray ? absl::StatusOr<SchemaNode>(EnumNode(name, true, kEnumArray))
                                    : InferContainer(item, name, path, types, depth + 1, nullptr);
      if (inner.ok()) {
        inner->repeated = inner->kind != NodeKind::kLeaf && inner->kind != NodeKind::kMap;
        ++inner->own_lists;
        return inner;
      }
      if (first_error.ok()) first_error = inner.status();
      if (GetErrorKind(inner.status()) != ErrorKind::kSchema) break;
    }
    return first_error;
  }
  return UnsupportedError(absl::StrCat(path, " holds ", TypeCodeName(sample->code),
                                       " elements inside ", TypeCodeName(v.code),
                                       ", which this version of ignite_tf cannot read yet"));
}

absl::StatusOr<SchemaNode> InferMap(const Value& v, std::string name, const std::string& path) {
  if (v.items.size() < 2) {
    return SchemaError(absl::StrCat(path,
                                    " is an empty map in the first row, so its key and "
                                    "value types are unknown"));
  }
  SchemaNode node;
  node.name = std::move(name);
  node.kind = NodeKind::kMap;
  node.is_struct = true;
  node.container_code = kMap;
  node.own_lists = 1;
  node.list_depth = 1;
  const char* part_names[2] = {"keys", "values"};
  for (int part = 0; part < 2; ++part) {
    int32_t code = 0;
    for (size_t i = part; i < v.items.size(); i += 2) {
      if (!v.items[i].is_null()) {
        code = v.items[i].code;
        break;
      }
    }
    if (!IsScalarCode(code)) {
      return UnsupportedError(absl::StrCat(
          path, ".", part_names[part], " are ", code == 0 ? "all null" : TypeCodeName(code),
          "; maps of numbers, strings, UUIDs, dates and decimals are supported"));
    }
    // One key (value) per entry; the map's list is the node's own (Index makes these lists).
    node.children.push_back(ScalarLeaf(code, part_names[part], false, 0));
  }
  return node;
}

absl::StatusOr<SchemaNode> InferNode(const Value& v, std::string name, const std::string& path,
                                     TypeResolver* types, int depth,
                                     const std::vector<std::string>* selected) {
  if (depth > 32) return SchemaError(absl::StrCat(path, ": objects nest too deeply"));
  if (v.code == kNull) {
    return SchemaError(absl::StrCat(path, " is null in the first row, so its type is unknown"));
  }
  if (v.code == kObjectArray || v.code == kCollection) {
    return InferContainer(v, std::move(name), path, types, depth, selected);
  }
  if (v.code == kMap) return InferMap(v, std::move(name), path);
  if (v.code != kComplexObject) return LeafFor(v.code, std::move(name), path);
  SchemaNode node;
  node.name = std::move(name);
  node.kind = NodeKind::kStruct;
  node.is_struct = true;
  const ObjectValue& object = *v.object;
  std::shared_ptr<const BinaryType> type;
  if (types != nullptr) {
    absl::StatusOr<std::shared_ptr<const BinaryType>> resolved =
        types->Resolve(object.type_id, object.schema_id);
    if (resolved.ok()) type = *resolved;
  }
  if (object.has_raw) {
    if (object.Find(kRawFieldName) != nullptr) {
      return SchemaError(absl::StrCat(path, " has both a field named ", kRawFieldName,
                                      " and raw data, which reads into a column of that name"));
    }
    node.children.push_back(RawLeaf());
  }
  for (const auto& [field_name, field_value] : object.fields) {
    std::string field_path = absl::StrCat(path, ".", field_name);
    FieldSelection selection;
    if (selected != nullptr) {
      selection = SelectionOf(field_name, *selected);
      // A field nobody asked for is never typed (it may hold what no column can), nor is a
      // path below a field that is no object (SelectFields reports it as unknown).
      if (!selection.whole && (selection.below.empty() || (field_value.code != kComplexObject &&
                                                           field_value.code != kObjectArray &&
                                                           field_value.code != kCollection))) {
        node.children.push_back(Unselected(field_value, field_name));
        continue;
      }
    }
    if (field_value.code == kNull) {
      const BinaryField* meta = nullptr;
      if (type != nullptr) {
        for (const BinaryField& f : type->fields) {
          if (f.name == field_name) meta = &f;
        }
      }
      absl::StatusOr<SchemaNode> leaf = meta == nullptr
                                            ? absl::StatusOr<SchemaNode>(absl::NotFoundError(""))
                                            : LeafFor(meta->type_code, field_name, field_path);
      if (!leaf.ok()) {
        return SchemaError(absl::StrCat(field_path,
                                        " is null in the first row and its type cannot be "
                                        "learned from metadata"));
      }
      node.children.push_back(std::move(*leaf));
      continue;
    }
    IGNITE_ASSIGN_OR_RETURN(
        SchemaNode child,
        InferNode(field_value, field_name, field_path, types, depth + 1,
                  selected != nullptr && !selection.whole ? &selection.below : nullptr));
    node.children.push_back(std::move(child));
  }
  // Fields this row's schema lacks (SQL NULLs, fields added later) still get columns when the
  // type metadata says what they hold.
  if (type != nullptr) {
    for (const BinaryField& f : type->fields) {
      if (object.Find(f.name) != nullptr) continue;
      absl::StatusOr<SchemaNode> leaf = LeafFor(f.type_code, f.name, path + "." + f.name);
      if (leaf.ok()) node.children.push_back(std::move(*leaf));
    }
  }
  std::sort(node.children.begin(), node.children.end(),
            [](const SchemaNode& a, const SchemaNode& b) { return a.name < b.name; });
  return node;
}

}  // namespace

SchemaNode RawLeaf() {
  SchemaNode leaf = ScalarLeaf(kByteArray, kRawFieldName, false, 0);
  leaf.element = ElementType::kString;
  leaf.raw = true;
  return leaf;
}

namespace {

void ApplyToNode(DecimalMode decimals, TimestampUnit unit, SchemaNode& node) {
  for (SchemaNode& child : node.children) ApplyToNode(decimals, unit, child);
  if (node.kind != NodeKind::kLeaf) return;
  if (node.type_code == kDecimal) {
    node.element = decimals == DecimalMode::kString ? ElementType::kString : ElementType::kFloat64;
  } else if (node.type_code == kTimestamp) {
    node.timestamp_unit = unit;
  }
}

}  // namespace

void ApplyColumnOptions(DecimalMode decimals, TimestampUnit unit, RowSchema* schema) {
  ApplyToNode(decimals, unit, schema->key);
  ApplyToNode(decimals, unit, schema->value);
  schema->Index();
}

bool IsScalarCode(int32_t code) {
  return (code >= kByte && code <= kDate) || code == kDecimal || code == kTimestamp ||
         code == kTime;
}

absl::StatusOr<SchemaNode> LeafFor(int32_t type_code, std::string name, absl::string_view path) {
  if (IsScalarCode(type_code)) return ScalarLeaf(type_code, std::move(name), false, 0);
  if (int32_t element = TypedArrayElementCode(type_code); element != 0) {
    return ScalarLeaf(element, std::move(name), true, type_code);
  }
  if (type_code == kEnum || type_code == kBinaryEnum) return EnumNode(std::move(name), false, 0);
  if (type_code == kEnumArray) return EnumNode(std::move(name), true, kEnumArray);
  return UnsupportedError(absl::StrCat(path, " has type ", TypeCodeName(type_code),
                                       ", which this version of ignite_tf cannot read yet"));
}

absl::StatusOr<RowSchema> InferSchema(const Value& key, const Value& value, TypeResolver* types,
                                      const std::vector<std::string>& fields) {
  RowSchema schema;
  IGNITE_ASSIGN_OR_RETURN(schema.key, InferNode(key, "key", "key", types, 0));
  IGNITE_ASSIGN_OR_RETURN(
      schema.value, InferNode(value, "val", "val", types, 0, fields.empty() ? nullptr : &fields));
  schema.Index();
  return SelectFields(schema, fields);
}

absl::StatusOr<SqlSchemaLearner> SqlSchemaLearner::Create(
    std::vector<std::string> columns, const std::map<std::string, int32_t>& given,
    TypeResolver* types) {
  for (size_t c = 0; c < columns.size(); ++c) {
    for (size_t d = 0; d < c; ++d) {
      if (columns[d] == columns[c]) {
        return SchemaError(absl::StrCat("the query returns two columns named ", columns[c],
                                        "; give them distinct names with AS"));
      }
    }
  }
  for (const auto& [name, code] : given) {
    if (std::find(columns.begin(), columns.end(), name) != columns.end()) continue;
    std::string hint;
    for (const std::string& column : columns) {
      if (absl::EqualsIgnoreCase(column, name))
        hint = absl::StrCat(" (did you mean ", column, "?)");
    }
    return SchemaError(absl::StrCat("a type is given for column ", name,
                                    ", which the query does not return", hint,
                                    "; its columns are: ", absl::StrJoin(columns, ", ")));
  }
  SqlSchemaLearner learner;
  learner.types_ = types;
  learner.nodes_.resize(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) {
    auto it = given.find(columns[c]);
    if (it == given.end()) {
      ++learner.untyped_;
      continue;
    }
    IGNITE_ASSIGN_OR_RETURN(SchemaNode node, LeafFor(it->second, columns[c], columns[c]));
    node.given = true;
    learner.nodes_[c] = std::move(node);
  }
  learner.columns_ = std::move(columns);
  return learner;
}

absl::Status SqlSchemaLearner::Add(const std::vector<std::vector<Value>>& rows) {
  for (size_t c = 0; c < columns_.size() && untyped_ > 0; ++c) {
    if (nodes_[c].has_value()) continue;
    for (const auto& row : rows) {
      if (c < row.size() && !row[c].is_null()) {
        IGNITE_ASSIGN_OR_RETURN(SchemaNode node,
                                InferNode(row[c], columns_[c], columns_[c], types_, 0));
        nodes_[c] = std::move(node);
        --untyped_;
        break;
      }
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> SqlSchemaLearner::Untyped() const {
  std::vector<std::string> out;
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (!nodes_[c].has_value()) out.push_back(columns_[c]);
  }
  return out;
}

absl::StatusOr<RowSchema> SqlSchemaLearner::Finish(absl::string_view seen) const {
  if (!complete()) {
    const std::vector<std::string> untyped = Untyped();
    const bool one = untyped.size() == 1;
    return WithHint(
        SchemaError(absl::StrCat(one ? "column " : "columns ", absl::StrJoin(untyped, ", "),
                                 one ? " is" : " are", " NULL in ", seen, ", so ",
                                 one ? "its type is" : "their types are", " unknown")),
        OptionHint{"column_types", OptionHint::ValueKind::kNameMap, "", untyped,
                   absl::StrCat("with Ignite type names such as \"double\" or \"string\", or "
                                "CAST ",
                                one ? "it" : "them", " in the query")});
  }
  RowSchema schema;
  schema.key.name = "key";
  schema.key.kind = NodeKind::kStruct;
  schema.key.is_struct = true;
  schema.value.name = "";
  schema.value.kind = NodeKind::kStruct;
  schema.value.is_struct = true;
  // Columns in query order, as the SELECT names them (batches and DataFrames keep it).
  for (const std::optional<SchemaNode>& node : nodes_) schema.value.children.push_back(*node);
  schema.sql_columns = columns_;
  schema.Index();
  return schema;
}

absl::StatusOr<RowSchema> InferSqlSchema(const std::vector<std::string>& columns,
                                         const std::vector<std::vector<Value>>& rows,
                                         TypeResolver* types) {
  IGNITE_ASSIGN_OR_RETURN(SqlSchemaLearner learner, SqlSchemaLearner::Create(columns, {}, types));
  IGNITE_RETURN_IF_ERROR(learner.Add(rows));
  return learner.Finish(absl::StrCat("all ", rows.size(), " rows"));
}

namespace {

void CollectPaths(const SchemaNode& node, const std::string& prefix,
                  std::vector<std::string>* out) {
  for (const SchemaNode& child : node.children) {
    std::string path = prefix.empty() ? child.name : prefix + "." + child.name;
    out->push_back(path);
    if (child.kind == NodeKind::kStruct) CollectPaths(child, path, out);
  }
}

// Prunes `node` (a struct) to the selected paths; `used[i]` records which selections matched.
void Prune(SchemaNode& node, const std::string& prefix, const std::vector<std::string>& fields,
           std::vector<bool>& used) {
  std::vector<SchemaNode> kept;
  for (SchemaNode& child : node.children) {
    std::string path = prefix.empty() ? child.name : prefix + "." + child.name;
    bool whole = false, below = false;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == path) {
        whole = true;
        used[i] = true;
      } else if (fields[i].size() > path.size() && fields[i].compare(0, path.size(), path) == 0 &&
                 fields[i][path.size()] == '.') {
        below = true;
      }
    }
    if (whole) {
      kept.push_back(std::move(child));
    } else if (below && child.kind == NodeKind::kStruct) {
      Prune(child, path, fields, used);
      if (!child.children.empty()) kept.push_back(std::move(child));
    }
  }
  node.children = std::move(kept);
}

}  // namespace

absl::StatusOr<RowSchema> SelectFields(const RowSchema& schema,
                                       const std::vector<std::string>& fields) {
  if (fields.empty()) return schema;
  if (!schema.value.is_struct || schema.value.kind != NodeKind::kStruct) {
    return SchemaError("fields can only be selected when the cache's values are objects");
  }
  RowSchema selected = schema;
  std::vector<bool> used(fields.size(), false);
  Prune(selected.value, "", fields, used);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!used[i]) {
      std::vector<std::string> available;
      CollectPaths(schema.value, "", &available);
      return SchemaError(absl::StrCat(
          "no field '", fields[i], "' in the values; they have: ", absl::StrJoin(available, ", ")));
    }
  }
  selected.Index();
  return selected;
}

void RowSchema::Index() {
  leaves.clear();
  column_paths.clear();
  struct_count = 0;
  IndexNode(key, key.name, 0, *this);
  IndexNode(value, value.name, 0, *this);
}

}  // namespace ignite_tf
