#include "core/columnar/schema.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
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

size_t ElementSize(ElementType type) {
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

const SchemaNode* SchemaNode::Child(absl::string_view child_name) const {
  for (const SchemaNode& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

RowSchema& RowSchema::operator=(const RowSchema& other) {
  key = other.key;
  value = other.value;
  Index();
  return *this;
}

namespace {

void IndexNode(SchemaNode& node, const std::string& path, RowSchema& schema) {
  node.path = path;
  if (node.is_struct) {
    for (SchemaNode& child : node.children) IndexNode(child, path + "." + child.name, schema);
    return;
  }
  node.column = static_cast<int>(schema.leaves.size());
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
      return ElementType::kInt64;
    case kFloat:
      return ElementType::kFloat32;
    case kDouble:
      return ElementType::kFloat64;
    case kChar:
      return ElementType::kUInt16;
    case kBool:
      return ElementType::kBool;
    default:
      return ElementType::kString;
  }
}

absl::StatusOr<SchemaNode> InferNode(const Value& v, std::string name, const std::string& path,
                                     TypeResolver* types, int depth) {
  if (depth > 32) return SchemaError(absl::StrCat(path, ": objects nest too deeply"));
  if (v.code == kNull) {
    return SchemaError(absl::StrCat(path, " is null in the first row, so its type is unknown"));
  }
  if (v.code != kComplexObject) return LeafFor(v.code, std::move(name), path);
  SchemaNode node;
  node.name = std::move(name);
  node.is_struct = true;
  const ObjectValue& object = *v.object;
  std::shared_ptr<const BinaryType> type;
  if (types != nullptr) {
    absl::StatusOr<std::shared_ptr<const BinaryType>> resolved =
        types->Resolve(object.type_id, object.schema_id);
    if (resolved.ok()) type = *resolved;
  }
  for (const auto& [field_name, field_value] : object.fields) {
    std::string field_path = absl::StrCat(path, ".", field_name);
    if (field_value.code == kNull) {
      const BinaryField* meta = nullptr;
      if (type != nullptr) {
        for (const BinaryField& f : type->fields) {
          if (f.name == field_name) meta = &f;
        }
      }
      if (meta == nullptr || meta->type_code == kComplexObject || meta->type_code == kNull) {
        return SchemaError(absl::StrCat(field_path,
                                        " is null in the first row and its type cannot be "
                                        "learned from metadata"));
      }
      IGNITE_ASSIGN_OR_RETURN(SchemaNode leaf, LeafFor(meta->type_code, field_name, field_path));
      node.children.push_back(std::move(leaf));
      continue;
    }
    IGNITE_ASSIGN_OR_RETURN(SchemaNode child,
                            InferNode(field_value, field_name, field_path, types, depth + 1));
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

absl::StatusOr<SchemaNode> LeafFor(int32_t type_code, std::string name, absl::string_view path) {
  SchemaNode leaf;
  leaf.name = std::move(name);
  leaf.type_code = type_code;
  if ((type_code >= kByte && type_code <= kString) || type_code == kDate) {
    leaf.element = ElementFor(type_code);
    return leaf;
  }
  if (type_code >= kByteArray && type_code <= kStringArray) {
    leaf.element = ElementFor(ArrayElementCode(type_code));
    leaf.is_list = true;
    return leaf;
  }
  return UnsupportedError(absl::StrCat(path, " has type ", TypeCodeName(type_code),
                                       ", which this version of ignite_tf cannot read yet"));
}

absl::StatusOr<RowSchema> InferSchema(const Value& key, const Value& value, TypeResolver* types) {
  RowSchema schema;
  IGNITE_ASSIGN_OR_RETURN(schema.key, InferNode(key, "key", "key", types, 0));
  IGNITE_ASSIGN_OR_RETURN(schema.value, InferNode(value, "val", "val", types, 0));
  schema.Index();
  return schema;
}

void RowSchema::Index() {
  leaves.clear();
  column_paths.clear();
  IndexNode(key, key.name, *this);
  IndexNode(value, value.name, *this);
}

}  // namespace ignite_tf
