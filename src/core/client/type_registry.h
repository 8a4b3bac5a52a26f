// client/type_registry.h: binary type metadata fetched once per (type id, schema id) over a
// connection and cached; also registers the types of objects we write. Metadata is the
// cluster's: any node serves it, so each request goes to the connection `connection()` gives
// then (the client's default, which moves to another node when its node dies).
#ifndef IGNITE_TF_CORE_CLIENT_TYPE_REGISTRY_H_
#define IGNITE_TF_CORE_CLIENT_TYPE_REGISTRY_H_

#include <functional>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "core/binary/binary_type.h"
#include "core/client/connection.h"

namespace ignite_tf {

class TypeRegistry final : public TypeResolver {
 public:
  explicit TypeRegistry(std::function<std::shared_ptr<Connection>()> connection)
      : connection_(std::move(connection)) {}

  absl::StatusOr<std::shared_ptr<const BinaryType>> Resolve(int32_t type_id,
                                                            int32_t schema_id) override;

  absl::StatusOr<std::shared_ptr<const BinaryType>> ResolveType(int32_t type_id) override;

  // Sends `type` with OP_PUT_BINARY_TYPE unless this (type, schema) was sent or seen before.
  absl::Status Register(const BinaryType& type);

  // How many metadata requests went to the server (observable caching, for tests).
  int64_t fetch_count() const;

 private:
  absl::StatusOr<std::shared_ptr<const BinaryType>> Fetch(int32_t type_id);

  std::function<std::shared_ptr<Connection>()> connection_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<int32_t, std::shared_ptr<const BinaryType>> types_;
  absl::flat_hash_set<std::pair<int32_t, int32_t>> registered_;              // (type, schema)
  absl::flat_hash_set<std::pair<int32_t, int32_t>> registered_enum_values_;  // (type, ordinal)
  int64_t fetch_count_ = 0;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_TYPE_REGISTRY_H_
