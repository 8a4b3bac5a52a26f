#include "core/client/type_registry.h"

#include "absl/strings/str_cat.h"
#include "core/common/error.h"

namespace ignite_tf {

absl::StatusOr<std::shared_ptr<const BinaryType>> TypeRegistry::Resolve(int32_t type_id,
                                                                        int32_t schema_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = types_.find(type_id);
    if (it != types_.end() && it->second->Schema(schema_id) != nullptr) return it->second;
  }
  // Unknown type, or a schema written after we cached it: ask the server again.
  IGNITE_ASSIGN_OR_RETURN(std::shared_ptr<const BinaryType> type, Fetch(type_id));
  if (type->Schema(schema_id) == nullptr) {
    return ProtocolError(absl::StrCat("binary type '", type->type_name, "' (id ", type_id,
                                      ") has no schema with id ", schema_id,
                                      " on the server; the object's fields cannot be located"));
  }
  return type;
}

absl::StatusOr<std::shared_ptr<const BinaryType>> TypeRegistry::ResolveType(int32_t type_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = types_.find(type_id);
    if (it != types_.end()) return it->second;
  }
  return Fetch(type_id);
}

absl::StatusOr<std::shared_ptr<const BinaryType>> TypeRegistry::Fetch(int32_t type_id) {
  const std::shared_ptr<Connection> connection = connection_();
  IGNITE_ASSIGN_OR_RETURN(Response response,
                          connection->Call(
                              OpCode::kGetBinaryType, [&](Writer& w) { w.WriteInt32(type_id); },
                              absl::StrCat("fetching binary type metadata for type id ", type_id)));
  Reader r = response.body();
  IGNITE_ASSIGN_OR_RETURN(bool exists, connection->InContext(r.ReadBool(), "binary type reply"));
  if (!exists) {
    return ProtocolError(absl::StrCat("the server at ", connection->peer(),
                                      " has no metadata for binary type id ", type_id));
  }
  absl::StatusOr<BinaryType> parsed = connection->InContext(
      ParseBinaryType(r), absl::StrCat("reading metadata of binary type id ", type_id));
  if (!parsed.ok()) return parsed.status();
  if (parsed->type_id != type_id) {
    return ProtocolError(
        absl::StrCat("asked for metadata of type id ", type_id, ", got ", parsed->type_id));
  }
  auto type = std::make_shared<const BinaryType>(std::move(*parsed));
  absl::MutexLock lock(&mu_);
  ++fetch_count_;
  types_[type_id] = type;
  return type;
}

absl::Status TypeRegistry::Register(const BinaryType& type) {
  {
    absl::MutexLock lock(&mu_);
    bool all_known = true;
    for (const auto& [schema_id, ids] : type.schemas) {
      if (!registered_.contains({type.type_id, schema_id})) all_known = false;
    }
    for (const auto& [name, ordinal] : type.enum_values) {
      if (!registered_enum_values_.contains({type.type_id, ordinal})) all_known = false;
    }
    if (all_known) return absl::OkStatus();
  }
  IGNITE_RETURN_IF_ERROR(connection_()
                             ->Call(
                                 OpCode::kPutBinaryType,
                                 [&](Writer& w) { WriteBinaryType(type, w); },
                                 absl::StrCat("registering binary type '", type.type_name, "'"))
                             .status());
  absl::MutexLock lock(&mu_);
  for (const auto& [schema_id, ids] : type.schemas) registered_.insert({type.type_id, schema_id});
  for (const auto& [name, ordinal] : type.enum_values) {
    registered_enum_values_.insert({type.type_id, ordinal});
  }
  types_.erase(type.type_id);  // the server's copy now has more than our cached one
  return absl::OkStatus();
}

int64_t TypeRegistry::fetch_count() const {
  absl::MutexLock lock(&mu_);
  return fetch_count_;
}

}  // namespace ignite_tf
