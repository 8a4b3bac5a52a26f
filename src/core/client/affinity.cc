#include "core/client/affinity.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/binary/ids.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"

namespace ignite_tf {
namespace {

// Ignite's most partitions per cache (CacheConfiguration.MAX_PARTITIONS_COUNT is 65000).
constexpr int32_t kMaxPartitions = 65536;

int32_t FoldLong(int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v);
  return static_cast<int32_t>(static_cast<uint32_t>(u ^ (u >> 32)));
}

absl::StatusOr<NodeId> ReadNodeId(Reader& r) {
  IGNITE_ASSIGN_OR_RETURN(uint8_t code, r.ReadUInt8());
  NodeId id{};
  if (code == kNull) return id;
  if (code != kUuid) return ProtocolError("partition map: a node id is not a UUID");
  IGNITE_ASSIGN_OR_RETURN(auto bytes, r.ReadBytes(16));
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return id;
}

// The partition -> primary mapping of one applicable group.
absl::Status ReadMapping(Reader& r, CacheAffinity* map) {
  IGNITE_ASSIGN_OR_RETURN(int32_t nodes, r.ReadLength(21, "partition map node count"));
  std::vector<std::pair<int32_t, int32_t>> owned;  // (partition, node index)
  int64_t total = 0;
  for (int32_t n = 0; n < nodes; ++n) {
    IGNITE_ASSIGN_OR_RETURN(NodeId id, ReadNodeId(r));
    map->nodes.push_back(id);
    IGNITE_ASSIGN_OR_RETURN(auto parts, r.ReadSized(4, "partition count of a node"));
    Reader pr(parts);
    for (size_t p = 0; p < parts.size() / 4; ++p) {
      const int32_t part = pr.ReadInt32().value();  // ReadSized checked the bytes are there
      if (part < 0 || part >= kMaxPartitions) {
        return ProtocolError(absl::StrCat("partition map: partition ", part, " is out of range"));
      }
      owned.emplace_back(part, n);
      ++total;
    }
  }
  int32_t count = static_cast<int32_t>(total);
  for (const auto& [part, node] : owned) count = std::max(count, part + 1);
  map->partition_count = count;
  map->primary.assign(static_cast<size_t>(count), -1);
  for (const auto& [part, node] : owned) map->primary[static_cast<size_t>(part)] = node;
  return absl::OkStatus();
}

}  // namespace

const NodeId* CacheAffinity::PrimaryOf(int32_t partition) const {
  if (!applicable || partition < 0 || partition >= static_cast<int32_t>(primary.size())) {
    return nullptr;
  }
  const int32_t node = primary[static_cast<size_t>(partition)];
  return node < 0 ? nullptr : &nodes[static_cast<size_t>(node)];
}

absl::StatusOr<PartitionsReply> ParsePartitionsReply(Reader& r) {
  PartitionsReply reply;
  IGNITE_ASSIGN_OR_RETURN(reply.version.major, r.ReadInt64());
  IGNITE_ASSIGN_OR_RETURN(reply.version.minor, r.ReadInt32());
  IGNITE_ASSIGN_OR_RETURN(int32_t groups, r.ReadLength(5, "partition group count"));
  for (int32_t g = 0; g < groups; ++g) {
    CacheAffinity group;
    group.version = reply.version;
    IGNITE_ASSIGN_OR_RETURN(group.applicable, r.ReadBool());
    IGNITE_ASSIGN_OR_RETURN(int32_t caches, r.ReadLength(4, "cache count"));
    std::vector<std::pair<int32_t, std::vector<KeyConfig>>> members;
    for (int32_t c = 0; c < caches; ++c) {
      IGNITE_ASSIGN_OR_RETURN(int32_t id, r.ReadInt32());
      std::vector<KeyConfig> keys;
      if (group.applicable) {
        IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(8, "key configuration count"));
        for (int32_t k = 0; k < n; ++k) {
          KeyConfig key;
          IGNITE_ASSIGN_OR_RETURN(key.key_type_id, r.ReadInt32());
          IGNITE_ASSIGN_OR_RETURN(key.affinity_field_id, r.ReadInt32());
          keys.push_back(key);
        }
      }
      members.emplace_back(id, std::move(keys));
    }
    if (group.applicable) IGNITE_RETURN_IF_ERROR(ReadMapping(r, &group));
    for (auto& [id, keys] : members) {
      CacheAffinity cache = group;
      cache.cache_id = id;
      cache.key_configs = std::move(keys);
      reply.caches.push_back(std::move(cache));
    }
  }
  return reply;
}

int32_t PartitionOfHash(int32_t hash, int32_t partition_count) {
  if (partition_count <= 0) return 0;
  if ((partition_count & (partition_count - 1)) == 0) {
    const uint32_t h = static_cast<uint32_t>(hash);
    return static_cast<int32_t>((h ^ (h >> 16)) & static_cast<uint32_t>(partition_count - 1));
  }
  const int32_t rest = hash % partition_count;  // truncated, as in Java
  return rest < 0 ? -rest : rest;
}

std::optional<int32_t> KeyHashCode(absl::Span<const uint8_t> encoded_key) {
  Reader r(encoded_key);
  absl::StatusOr<uint8_t> code = r.ReadUInt8();
  if (!code.ok()) return std::nullopt;
  switch (*code) {
    case kByte:
      if (auto v = r.ReadInt8(); v.ok()) return int32_t{*v};
      break;
    case kShort:
      if (auto v = r.ReadInt16(); v.ok()) return int32_t{*v};
      break;
    case kChar:
      if (auto v = r.ReadUInt16(); v.ok()) return int32_t{*v};
      break;
    case kInt:
      if (auto v = r.ReadInt32(); v.ok()) return *v;
      break;
    case kLong:
    case kDate:       // java.util.Date: the long fold of its milliseconds
    case kTimestamp:  // java.sql.Timestamp: Date's hash of getTime(), the whole milliseconds
      if (auto v = r.ReadInt64(); v.ok()) return FoldLong(*v);
      break;
    case kBool:
      if (auto v = r.ReadBool(); v.ok()) return *v ? 1231 : 1237;
      break;
    case kFloat:
      if (auto v = r.ReadFloat(); v.ok()) {
        int32_t bits = 0x7fc00000;  // Float.floatToIntBits maps every NaN to this one
        if (!std::isnan(*v)) std::memcpy(&bits, &*v, sizeof bits);
        return bits;
      }
      break;
    case kDouble:
      if (auto v = r.ReadDouble(); v.ok()) {
        int64_t bits = 0x7ff8000000000000;  // Double.doubleToLongBits's one NaN
        if (!std::isnan(*v)) std::memcpy(&bits, &*v, sizeof bits);
        return FoldLong(bits);
      }
      break;
    case kString:
      if (auto bytes = r.ReadSized(1, "string"); bytes.ok()) {
        return JavaStringHash(
            absl::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
      }
      break;
    case kUuid: {
      auto most = r.ReadInt64();
      auto least = r.ReadInt64();
      if (most.ok() && least.ok()) return FoldLong(*most ^ *least);
      break;
    }
    case kComplexObject:  // header: code, version, int16 flags, int32 type id, int32 hash
      if (r.Skip(7).ok()) {
        if (auto v = r.ReadInt32(); v.ok()) return *v;
      }
      break;
    case kWrappedObject:
      if (auto bytes = r.ReadSized(1, "wrapped object"); bytes.ok()) {
        auto start = r.ReadInt32();
        if (start.ok() && *start >= 0 && static_cast<size_t>(*start) < bytes->size() &&
            (*bytes)[*start] == kComplexObject) {
          return KeyHashCode(bytes->subspan(*start));
        }
      }
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::optional<int32_t> PartitionOfKey(const CacheAffinity& affinity,
                                      absl::Span<const uint8_t> encoded_key) {
  if (!affinity.applicable || affinity.partition_count <= 0 || encoded_key.empty()) {
    return std::nullopt;
  }
  if (encoded_key[0] == kComplexObject || encoded_key[0] == kWrappedObject) {
    if (!affinity.key_configs.empty()) {
      // A key type may take its partition from a field: not worked out here; the default
      // connection serves it (the server routes it).
      return std::nullopt;
    }
  }
  const std::optional<int32_t> hash = KeyHashCode(encoded_key);
  if (!hash.has_value()) return std::nullopt;
  return PartitionOfHash(*hash, affinity.partition_count);
}

}  // namespace ignite_tf
