// client/client.h: the thin client a user holds: one connection, its type registry, cache
// operations, scans and SQL.
#ifndef IGNITE_TF_CORE_CLIENT_CLIENT_H_
#define IGNITE_TF_CORE_CLIENT_CLIENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/binary/value.h"
#include "core/client/connection.h"
#include "core/client/scan_cursor.h"
#include "core/client/sql_cursor.h"
#include "core/client/type_registry.h"

namespace ignite_tf {

class Client {
 public:
  static absl::StatusOr<std::unique_ptr<Client>> Connect(const ConnectionOptions& options);

  absl::StatusOr<std::vector<std::string>> CacheNames();
  absl::Status CreateCache(const std::string& name);
  absl::Status GetOrCreateCache(const std::string& name);
  absl::Status DestroyCache(const std::string& name);

  absl::Status Put(const std::string& cache, const Value& key, const Value& value);
  absl::Status PutAll(const std::string& cache,
                      const std::vector<std::pair<Value, Value>>& entries);
  // Null Value when the key is absent.
  absl::StatusOr<Value> Get(const std::string& cache, const Value& key);
  absl::StatusOr<int64_t> Size(const std::string& cache);

  // Single-key operations with the cache's atomicity (one entry is updated atomically).
  // Each returns whether it changed the cache (or whether the key is present).
  absl::StatusOr<bool> PutIfAbsent(const std::string& cache, const Value& key, const Value& value);
  // Replaces the value of `key` only when it currently equals `expected` (binary equality).
  absl::StatusOr<bool> ReplaceIfEquals(const std::string& cache, const Value& key,
                                       const Value& expected, const Value& value);
  // Puts and returns the previous value (null Value when there was none).
  absl::StatusOr<Value> GetAndPut(const std::string& cache, const Value& key, const Value& value);
  absl::StatusOr<bool> RemoveKey(const std::string& cache, const Value& key);
  // Removes `key` only when its value currently equals `expected`.
  absl::StatusOr<bool> RemoveIfEquals(const std::string& cache, const Value& key,
                                      const Value& expected);
  absl::Status RemoveKeys(const std::string& cache, const std::vector<Value>& keys);
  absl::Status Clear(const std::string& cache);

  // Indices of the cache's partitions, from the server's partition map (protocol 1.4+).
  absl::StatusOr<std::vector<int32_t>> Partitions(const std::string& cache);

  absl::StatusOr<std::unique_ptr<ScanCursor>> Scan(const std::string& cache,
                                                   const ScanOptions& options);
  absl::StatusOr<std::unique_ptr<SqlCursor>> Sql(const SqlQuery& query);

  // Fails with a cache-not-found error naming `cache` when the cluster has no such cache.
  absl::Status CheckCacheExists(const std::string& cache);

  std::shared_ptr<TypeRegistry> types() const { return types_; }
  std::shared_ptr<Connection> connection() const { return connection_; }
  const ConnectionOptions& options() const { return options_; }

 private:
  Client(ConnectionOptions options, std::shared_ptr<Connection> connection)
      : options_(std::move(options)),
        connection_(std::move(connection)),
        types_(std::make_shared<TypeRegistry>(connection_)) {}

  // Encodes values, registering any object types they use before the request is sent.
  absl::StatusOr<std::vector<uint8_t>> EncodeValues(absl::Span<const Value* const> values);
  // Sends a cache op whose body is `values` (after `count` when count >= 0) and returns the reply.
  absl::StatusOr<Response> CallWithValues(OpCode op, const std::string& cache,
                                          absl::Span<const Value* const> values, int32_t count,
                                          absl::string_view operation);
  // Whether the cache's configuration says REPLICATED (false when the server does not say).
  bool IsReplicated(int32_t cache_id);
  absl::StatusOr<bool> CallForBool(OpCode op, const std::string& cache,
                                   absl::Span<const Value* const> values,
                                   absl::string_view operation);

  ConnectionOptions options_;
  std::shared_ptr<Connection> connection_;
  std::shared_ptr<TypeRegistry> types_;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_CLIENT_H_
