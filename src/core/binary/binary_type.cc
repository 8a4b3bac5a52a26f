#include "core/binary/binary_type.h"

#include "absl/strings/str_cat.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"

namespace ignite_tf {
namespace {

// Reads a typed String value or null; metadata strings are always typed.
absl::StatusOr<std::string> ReadMetaString(Reader& r, absl::string_view what) {
  IGNITE_ASSIGN_OR_RETURN(uint8_t code, r.ReadUInt8());
  if (code == kNull) return std::string();
  if (code != kString) {
    return ProtocolError(absl::StrCat("binary type metadata: expected a string for ", what,
                                      ", got ", TypeCodeName(code)));
  }
  IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(1, what));
  IGNITE_ASSIGN_OR_RETURN(auto bytes, r.ReadBytes(n));
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

const BinaryField* BinaryType::FieldById(int32_t field_id) const {
  for (const BinaryField& f : fields) {
    if (f.id == field_id) return &f;
  }
  return nullptr;
}

const std::vector<int32_t>* BinaryType::Schema(int32_t schema_id) const {
  auto it = schemas.find(schema_id);
  return it == schemas.end() ? nullptr : &it->second;
}

absl::StatusOr<BinaryType> ParseBinaryType(Reader& r) {
  BinaryType t;
  IGNITE_ASSIGN_OR_RETURN(t.type_id, r.ReadInt32());
  IGNITE_ASSIGN_OR_RETURN(t.type_name, ReadMetaString(r, "type name"));
  IGNITE_ASSIGN_OR_RETURN(t.affinity_key_field, ReadMetaString(r, "affinity key field"));
  // Each field needs at least 1 + 4 + 4 + 4 bytes.
  IGNITE_ASSIGN_OR_RETURN(int32_t field_count, r.ReadLength(9, "binary type field count"));
  t.fields.reserve(field_count);
  for (int32_t i = 0; i < field_count; ++i) {
    BinaryField f;
    IGNITE_ASSIGN_OR_RETURN(f.name, ReadMetaString(r, "field name"));
    IGNITE_ASSIGN_OR_RETURN(f.type_code, r.ReadInt32());
    IGNITE_ASSIGN_OR_RETURN(f.id, r.ReadInt32());
    t.fields.push_back(std::move(f));
  }
  IGNITE_ASSIGN_OR_RETURN(t.is_enum, r.ReadBool());
  if (t.is_enum) {
    IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(5, "enum value count"));
    for (int32_t i = 0; i < n; ++i) {
      IGNITE_ASSIGN_OR_RETURN(std::string name, ReadMetaString(r, "enum value name"));
      IGNITE_ASSIGN_OR_RETURN(int32_t ordinal, r.ReadInt32());
      t.enum_values.emplace_back(std::move(name), ordinal);
    }
  }
  IGNITE_ASSIGN_OR_RETURN(int32_t schema_count, r.ReadLength(8, "binary type schema count"));
  for (int32_t i = 0; i < schema_count; ++i) {
    IGNITE_ASSIGN_OR_RETURN(int32_t schema_id, r.ReadInt32());
    IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(4, "schema field count"));
    std::vector<int32_t> ids(n);
    for (int32_t j = 0; j < n; ++j) {
      IGNITE_ASSIGN_OR_RETURN(ids[j], r.ReadInt32());
    }
    t.schemas[schema_id] = std::move(ids);
  }
  return t;
}

absl::StatusOr<std::shared_ptr<const BinaryType>> TypeResolver::ResolveType(int32_t type_id) {
  return absl::UnimplementedError(absl::StrCat("no metadata source for type id ", type_id));
}

void WriteBinaryType(const BinaryType& t, Writer& w) {
  w.WriteInt32(t.type_id);
  w.WriteString(t.type_name);
  if (t.affinity_key_field.empty()) {
    w.WriteNull();
  } else {
    w.WriteString(t.affinity_key_field);
  }
  w.WriteInt32(static_cast<int32_t>(t.fields.size()));
  for (const BinaryField& f : t.fields) {
    w.WriteString(f.name);
    w.WriteInt32(f.type_code);
    w.WriteInt32(f.id);
  }
  w.WriteBool(t.is_enum);
  if (t.is_enum) {
    w.WriteInt32(static_cast<int32_t>(t.enum_values.size()));
    for (const auto& [name, ordinal] : t.enum_values) {
      w.WriteString(name);
      w.WriteInt32(ordinal);
    }
  }
  w.WriteInt32(static_cast<int32_t>(t.schemas.size()));
  for (const auto& [schema_id, ids] : t.schemas) {
    w.WriteInt32(schema_id);
    w.WriteInt32(static_cast<int32_t>(ids.size()));
    for (int32_t id : ids) w.WriteInt32(id);
  }
}

}  // namespace ignite_tf
