// client/client.h: the thin client a user holds: the nodes it reached (a Topology), its type
// registry, cache operations, scans and SQL. With partition maps (protocol 1.4+), key operations
// and partition scans go to the primary node's connection (the router); everything else, and
// all of it for caches without a usable map, through the default connection.
#ifndef IGNITE_TF_CORE_CLIENT_CLIENT_H_
#define IGNITE_TF_CORE_CLIENT_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/binary/value.h"
#include "core/client/affinity.h"
#include "core/client/cache_config.h"
#include "core/client/connection.h"
#include "core/client/scan_cursor.h"
#include "core/client/sql_cursor.h"
#include "core/client/topology.h"
#include "core/client/type_registry.h"

namespace ignite_tf {

class Client {
 public:
  static absl::StatusOr<std::unique_ptr<Client>> Connect(const ConnectionOptions& options);

  absl::StatusOr<std::vector<std::string>> CacheNames();
  // Without settings: OP_CACHE_CREATE_WITH_NAME (the server's defaults and templates); with
  // some, OP_CACHE_CREATE_WITH_CONFIGURATION carrying the ones given.
  absl::Status CreateCache(const std::string& name, const CacheSettings& settings = {});
  absl::Status GetOrCreateCache(const std::string& name, const CacheSettings& settings = {});
  // The cache's mode, backups, atomicity and write synchronization, as the server reports them.
  absl::StatusOr<CacheSettings> CacheConfiguration(const std::string& name);
  absl::Status DestroyCache(const std::string& name);

  absl::Status Put(const std::string& cache, const Value& key, const Value& value);
  absl::Status PutAll(const std::string& cache,
                      const std::vector<std::pair<Value, Value>>& entries);
  // One OP_CACHE_PUT_ALL over `connection` with `count` entries already encoded (key, value,
  // key, value, ...), for writers that encode and route their own pages.
  absl::Status PutAllEncoded(Connection& connection, const std::string& cache, int32_t count,
                             absl::Span<const uint8_t> entries);
  // The same with the entries in pieces, sent from where they are, one after the other.
  absl::Status PutAllEncoded(Connection& connection, const std::string& cache, int32_t count,
                             absl::Span<const absl::Span<const uint8_t>> pieces);
  // What the server answered to one put-if-absent: nothing (yet), put, or its key was present.
  enum PutOutcome : int8_t { kNoReply = 0, kPut = 1, kPresent = 2 };
  // OP_CACHE_PUT_IF_ABSENT for each entry of `entries` (encoded key, value, key, value, ...;
  // entry i ends at `ends[i]`), all sent over `connection` in one write and answered as the
  // server goes. Returns how many were put: the others' keys were present and keep their
  // values. The protocol has no bulk put-if-absent; this is as close as it gets. `outcome`
  // gets each entry's answer, also when the call fails (entries not answered stay kNoReply).
  absl::StatusOr<int64_t> PutIfAbsentEncoded(Connection& connection, const std::string& cache,
                                             absl::Span<const uint8_t> entries,
                                             absl::Span<const size_t> ends,
                                             std::vector<int8_t>* outcome = nullptr);
  // OP_CACHE_GET of an encoded key over `connection`: the value's bytes as the node stores them
  // (type code first; a null when absent).
  absl::StatusOr<std::vector<uint8_t>> GetEncoded(Connection& connection, const std::string& cache,
                                                  absl::Span<const uint8_t> key);
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
  // The cache's partition map, fetched through the default connection, and fetched again when
  // a reply flagged a newer affinity version than the map's, or when `refresh` (a node was seen
  // to die: no reply may have flagged it yet). A map with applicable == false
  // for caches the client cannot map. Errors: FailedPrecondition (kNoPartitionMap) before
  // protocol 1.4; cache-not-found when the server does not know the cache; network errors.
  absl::StatusOr<std::shared_ptr<const CacheAffinity>> Affinity(const std::string& cache,
                                                                bool refresh = false);
  // Partitions(), with the error a user can act on when the map is missing or not applicable.
  absl::StatusOr<std::shared_ptr<const CacheAffinity>> UsableAffinity(const std::string& cache);
  // The partition of `key` in `cache`, or nullopt when the client cannot tell (no usable map,
  // a key type whose hash is not known here).
  absl::StatusOr<std::optional<int32_t>> PartitionOfKey(const std::string& cache, const Value& key);
  // The map keys of `cache` are routed by: nullptr without routing or a usable map.
  std::shared_ptr<const CacheAffinity> RoutingAffinity(const std::string& cache);
  // The connection that serves partition `partition` of `cache`: its primary node's, or the
  // default connection when the primary is unknown or unreachable.
  std::shared_ptr<Connection> ConnectionForPartition(const std::string& cache, int32_t partition);

  absl::StatusOr<std::unique_ptr<ScanCursor>> Scan(const std::string& cache,
                                                   const ScanOptions& options);
  absl::StatusOr<std::unique_ptr<SqlCursor>> Sql(const SqlQuery& query);

  // Fails with a cache-not-found error naming `cache` when the cluster has no such cache.
  absl::Status CheckCacheExists(const std::string& cache);

  std::shared_ptr<TypeRegistry> types() const { return types_; }
  // The default connection: the first node that answered, or after it died another live one.
  std::shared_ptr<Connection> connection() const { return topology_->default_connection(); }
  const std::shared_ptr<Topology>& topology() const { return topology_; }
  const ConnectionOptions& options() const { return options_; }
  // Closes every connection.
  void Close() { topology_->Close(); }
  // Whether requests are routed to primaries: several addresses and protocol 1.4+.
  bool Routes() const;

 private:
  Client(ConnectionOptions options, std::shared_ptr<Topology> topology)
      : options_(std::move(options)),
        topology_(std::move(topology)),
        types_(std::make_shared<TypeRegistry>(
            [topology = topology_] { return topology->default_connection(); })) {}

  // Encodes values, registering any object types they use before the request is sent. `ends`
  // (when not null) receives the end offset of each value in the bytes.
  absl::StatusOr<std::vector<uint8_t>> EncodeValues(absl::Span<const Value* const> values,
                                                    std::vector<size_t>* ends = nullptr);
  // The connection serving an encoded key of `cache` (see ConnectionForPartition).
  std::shared_ptr<Connection> ConnectionForKey(const std::string& cache,
                                               absl::Span<const uint8_t> encoded_key);
  // The same with the cache's map already looked up (nullptr: not routing), for many keys.
  std::shared_ptr<Connection> ConnectionForKey(const CacheAffinity* affinity,
                                               absl::Span<const uint8_t> encoded_key);
  // Sends a cache op whose body is `values` (after `count` when count >= 0) and returns the reply.
  // A single-key op (count < 0) goes to the primary of its first value, the key.
  absl::StatusOr<Response> CallWithValues(OpCode op, const std::string& cache,
                                          absl::Span<const Value* const> values, int32_t count,
                                          absl::string_view operation);
  // Whether the cache's configuration says REPLICATED (false when the server does not say).
  bool IsReplicated(const std::string& cache);
  absl::StatusOr<bool> CallForBool(OpCode op, const std::string& cache,
                                   absl::Span<const Value* const> values,
                                   absl::string_view operation);

  absl::Status CreateWith(OpCode by_name, OpCode by_configuration, const std::string& name,
                          const CacheSettings& settings);

  ConnectionOptions options_;
  std::shared_ptr<Topology> topology_;
  std::shared_ptr<TypeRegistry> types_;
  absl::Mutex affinity_mu_;
  absl::flat_hash_map<int32_t, std::shared_ptr<const CacheAffinity>> affinity_
      ABSL_GUARDED_BY(affinity_mu_);
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_CLIENT_H_
