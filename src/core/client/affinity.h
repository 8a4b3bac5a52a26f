// client/affinity.h: a cache's partition map (OP_CACHE_PARTITIONS, protocol 1.4+): whether the
// client can use it, the partition count, each partition's primary node and the affinity
// version it is of; and the key -> partition function of Ignite's RendezvousAffinityFunction
// (the Java hashCode of the key, then the partition formula).
#ifndef IGNITE_TF_CORE_CLIENT_AFFINITY_H_
#define IGNITE_TF_CORE_CLIENT_AFFINITY_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/client/connection.h"
#include "core/client/protocol.h"
#include "core/wire/reader.h"

namespace ignite_tf {

// A key type whose partition comes from one of its fields (CacheKeyConfiguration).
struct KeyConfig {
  int32_t key_type_id = 0;
  int32_t affinity_field_id = 0;
};

struct CacheAffinity {
  int32_t cache_id = 0;
  AffinityVersion version;
  // False for a cache the client cannot map (replicated, custom affinity function or key
  // mapper, node filter): its keys and partitions go through the default connection.
  bool applicable = false;
  int32_t partition_count = 0;
  std::vector<NodeId> nodes;     // the primary nodes
  std::vector<int32_t> primary;  // per partition: its primary's index in `nodes`, -1 if none
  std::vector<KeyConfig> key_configs;

  // The primary node of `partition`, or nullptr when the map does not name one.
  const NodeId* PrimaryOf(int32_t partition) const;
};

// The caches of one OP_CACHE_PARTITIONS reply (the server may add caches not asked for).
struct PartitionsReply {
  AffinityVersion version;
  std::vector<CacheAffinity> caches;
};

// Parses a whole OP_CACHE_PARTITIONS reply body.
absl::StatusOr<PartitionsReply> ParsePartitionsReply(Reader& r);

// RendezvousAffinityFunction's partition of a key whose hashCode() is `hash`.
int32_t PartitionOfHash(int32_t hash, int32_t partition_count);

// The Java hashCode() the server computes for a key, from the key as encoded in a request
// (type code and payload): int, long, byte, short, char, float, double, bool, String, UUID,
// Date, Timestamp, and binary objects (their header hash). nullopt for other types.
std::optional<int32_t> KeyHashCode(absl::Span<const uint8_t> encoded_key);

// The partition of an encoded key in a cache, or nullopt when the client cannot tell (a map it
// cannot use, a key type without a known hash, an object whose type takes its partition from
// a field).
std::optional<int32_t> PartitionOfKey(const CacheAffinity& affinity,
                                      absl::Span<const uint8_t> encoded_key);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_AFFINITY_H_
