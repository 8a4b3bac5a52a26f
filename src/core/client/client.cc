#include "core/client/client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/binary/decoder.h"
#include "core/binary/encoder.h"
#include "core/binary/ids.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"

namespace ignite_tf {
namespace {

void WriteCachePrefix(Writer& w, const std::string& cache) {
  w.WriteInt32(JavaStringHash(cache));
  w.WriteUInt8(0x01);  // keep binary
}

std::string Quoted(const std::string& cache) { return absl::StrCat("'", cache, "'"); }

}  // namespace

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(const ConnectionOptions& options) {
  IGNITE_ASSIGN_OR_RETURN(std::shared_ptr<Topology> topology, Topology::Connect(options));
  return std::unique_ptr<Client>(new Client(options, std::move(topology)));
}

absl::StatusOr<std::vector<std::string>> Client::CacheNames() {
  IGNITE_ASSIGN_OR_RETURN(Response response,
                          connection()->Call(
                              OpCode::kCacheGetNames, [](Writer&) {}, "listing cache names"));
  auto parse = [&]() -> absl::StatusOr<std::vector<std::string>> {
    Reader r = response.body();
    IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(1, "cache name count"));
    std::vector<std::string> names;
    ValueDecoder decoder(nullptr);
    size_t pos = r.position();
    for (int32_t i = 0; i < n; ++i) {
      IGNITE_ASSIGN_OR_RETURN(Value v, decoder.Decode(response.frame, &pos, "cache name"));
      if (v.code != kString) return ProtocolError("a cache name is not a string");
      names.push_back(std::move(v.text));
    }
    return names;
  };
  return connection()->InContext(parse(), "listing cache names");
}

absl::Status Client::CreateWith(OpCode by_name, OpCode by_configuration, const std::string& name,
                                const CacheSettings& settings) {
  IGNITE_RETURN_IF_ERROR(settings.Validate());
  if (settings.empty()) {
    return connection()
        ->Call(
            by_name, [&](Writer& w) { w.WriteString(name); },
            absl::StrCat("creating cache ", Quoted(name)))
        .status();
  }
  return connection()
      ->Call(
          by_configuration, [&](Writer& w) { WriteCacheConfiguration(w, name, settings); },
          absl::StrCat("creating cache ", Quoted(name), " with its configuration"))
      .status();
}

absl::Status Client::CreateCache(const std::string& name, const CacheSettings& settings) {
  return CreateWith(OpCode::kCacheCreateWithName, OpCode::kCacheCreateWithConfiguration, name,
                    settings);
}

absl::Status Client::GetOrCreateCache(const std::string& name, const CacheSettings& settings) {
  return CreateWith(OpCode::kCacheGetOrCreateWithName, OpCode::kCacheGetOrCreateWithConfiguration,
                    name, settings);
}

absl::StatusOr<CacheSettings> Client::CacheConfiguration(const std::string& name) {
  const std::string operation = absl::StrCat("configuration of cache ", Quoted(name));
  IGNITE_ASSIGN_OR_RETURN(Response response, connection()->Call(
                                                 OpCode::kCacheGetConfiguration,
                                                 [&](Writer& w) {
                                                   w.WriteInt32(JavaStringHash(name));
                                                   w.WriteInt8(0);  // flags
                                                 },
                                                 operation));
  Reader r = response.body();
  return connection()->InContext(ReadCacheConfiguration(r), operation);
}

absl::Status Client::DestroyCache(const std::string& name) {
  return connection()
      ->Call(
          OpCode::kCacheDestroy, [&](Writer& w) { w.WriteInt32(JavaStringHash(name)); },
          absl::StrCat("destroying cache ", Quoted(name)))
      .status();
}

absl::StatusOr<std::vector<uint8_t>> Client::EncodeValues(absl::Span<const Value* const> values,
                                                          std::vector<size_t>* ends) {
  Writer w;
  ValueEncoder encoder;
  for (const Value* v : values) {
    IGNITE_RETURN_IF_ERROR(encoder.Encode(*v, w));
    if (ends != nullptr) ends->push_back(w.size());
  }
  for (const BinaryType& type : encoder.types()) IGNITE_RETURN_IF_ERROR(types_->Register(type));
  return w.Release();
}

absl::Status Client::Put(const std::string& cache, const Value& key, const Value& value) {
  if (key.is_null() || value.is_null()) {
    return absl::InvalidArgumentError(absl::StrCat("put into cache ", Quoted(cache),
                                                   ": Ignite keys and values cannot be null (the ",
                                                   key.is_null() ? "key" : "value", " is null)"));
  }
  const Value* values[] = {&key, &value};
  std::vector<size_t> ends;
  IGNITE_ASSIGN_OR_RETURN(std::vector<uint8_t> body, EncodeValues(values, &ends));
  return ConnectionForKey(cache, absl::MakeConstSpan(body).first(ends[0]))
      ->Call(
          OpCode::kCachePut,
          [&](Writer& w) {
            WriteCachePrefix(w, cache);
            w.WriteBytes(body);
          },
          absl::StrCat("put into cache ", Quoted(cache)))
      .status();
}

absl::Status Client::PutAll(const std::string& cache,
                            const std::vector<std::pair<Value, Value>>& entries) {
  std::vector<const Value*> values;
  values.reserve(entries.size() * 2);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].first.is_null() || entries[i].second.is_null()) {
      return absl::InvalidArgumentError(
          absl::StrCat("put_all into cache ", Quoted(cache), ": entry #", i,
                       " has a null key or value, which Ignite does not store"));
    }
  }
  for (const auto& [k, v] : entries) {
    values.push_back(&k);
    values.push_back(&v);
  }
  std::vector<size_t> ends;
  IGNITE_ASSIGN_OR_RETURN(std::vector<uint8_t> body, EncodeValues(values, &ends));
  // One put_all per primary node, each with the entries whose key it holds (in their order).
  std::vector<std::pair<std::shared_ptr<Connection>, std::vector<size_t>>> groups;
  const std::shared_ptr<const CacheAffinity> affinity = RoutingAffinity(cache);  // once per call
  for (size_t i = 0; i < entries.size(); ++i) {
    const size_t begin = i == 0 ? 0 : ends[2 * i - 1];
    std::shared_ptr<Connection> target = ConnectionForKey(
        affinity.get(), absl::MakeConstSpan(body).subspan(begin, ends[2 * i] - begin));
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& g) { return g.first == target; });
    if (group == groups.end()) group = groups.insert(groups.end(), {target, {}});
    group->second.push_back(i);
  }
  for (const auto& group : groups) {
    // Not a structured binding: lambdas cannot capture those before C++20 in every compiler
    // (clang 14 builds the fuzzers).
    const std::vector<size_t>& indices = group.second;
    IGNITE_RETURN_IF_ERROR(
        group.first
            ->Call(
                OpCode::kCachePutAll,
                [&](Writer& w) {
                  WriteCachePrefix(w, cache);
                  w.WriteInt32(static_cast<int32_t>(indices.size()));
                  for (size_t i : indices) {
                    const size_t begin = i == 0 ? 0 : ends[2 * i - 1];
                    w.WriteBytes(absl::MakeConstSpan(body).subspan(begin, ends[2 * i + 1] - begin));
                  }
                },
                absl::StrCat("put_all into cache ", Quoted(cache)))
            .status());
  }
  return absl::OkStatus();
}

absl::Status Client::PutAllEncoded(Connection& connection, const std::string& cache, int32_t count,
                                   absl::Span<const uint8_t> entries) {
  const absl::Span<const uint8_t> pieces[] = {entries};
  return PutAllEncoded(connection, cache, count, pieces);
}

absl::Status Client::PutAllEncoded(Connection& connection, const std::string& cache, int32_t count,
                                   absl::Span<const absl::Span<const uint8_t>> pieces) {
  return connection
      .CallGathered(
          OpCode::kCachePutAll,
          [&](Writer& w) {
            WriteCachePrefix(w, cache);
            w.WriteInt32(count);
          },
          absl::StrCat("put_all into cache ", Quoted(cache)), pieces)
      .status();
}

absl::StatusOr<int64_t> Client::PutIfAbsentEncoded(Connection& connection, const std::string& cache,
                                                   absl::Span<const uint8_t> entries,
                                                   absl::Span<const size_t> ends,
                                                   std::vector<int8_t>* outcome) {
  if (outcome != nullptr) outcome->assign(ends.size(), kNoReply);
  int64_t added = 0;
  IGNITE_RETURN_IF_ERROR(connection.CallEach(
      OpCode::kCachePutIfAbsent, ends.size(),
      [&](size_t i, Writer& w) {
        WriteCachePrefix(w, cache);
        const size_t begin = i == 0 ? 0 : ends[i - 1];
        w.WriteBytes(entries.subspan(begin, ends[i] - begin));
      },
      [&](size_t i, Reader& body) -> absl::Status {
        IGNITE_ASSIGN_OR_RETURN(bool stored, body.ReadBool());
        if (stored) ++added;
        if (outcome != nullptr) (*outcome)[i] = stored ? kPut : kPresent;
        return absl::OkStatus();
      },
      absl::StrCat("put_if_absent into cache ", Quoted(cache))));
  return added;
}

absl::StatusOr<std::vector<uint8_t>> Client::GetEncoded(Connection& connection,
                                                        const std::string& cache,
                                                        absl::Span<const uint8_t> key) {
  IGNITE_ASSIGN_OR_RETURN(Response response, connection.Call(
                                                 OpCode::kCacheGet,
                                                 [&](Writer& w) {
                                                   WriteCachePrefix(w, cache);
                                                   w.WriteBytes(key);
                                                 },
                                                 absl::StrCat("get from cache ", Quoted(cache))));
  const FrameBytes& frame = response.frame;
  return std::vector<uint8_t>(frame.begin() + static_cast<ptrdiff_t>(response.body_offset),
                              frame.end());
}

absl::StatusOr<Value> Client::Get(const std::string& cache, const Value& key) {
  if (key.is_null()) {
    return absl::InvalidArgumentError(
        absl::StrCat("get from cache ", Quoted(cache), ": the key cannot be null"));
  }
  const Value* values[] = {&key};
  IGNITE_ASSIGN_OR_RETURN(std::vector<uint8_t> body, EncodeValues(values));
  std::shared_ptr<Connection> target = ConnectionForKey(cache, body);
  IGNITE_ASSIGN_OR_RETURN(Response response, target->Call(
                                                 OpCode::kCacheGet,
                                                 [&](Writer& w) {
                                                   WriteCachePrefix(w, cache);
                                                   w.WriteBytes(body);
                                                 },
                                                 absl::StrCat("get from cache ", Quoted(cache))));
  ValueDecoder decoder(types_.get());
  size_t pos = response.body_offset;
  return target->InContext(decoder.Decode(response.frame, &pos, "value"),
                           absl::StrCat("get from cache ", Quoted(cache)));
}

absl::StatusOr<int64_t> Client::Size(const std::string& cache) {
  IGNITE_ASSIGN_OR_RETURN(Response response, connection()->Call(
                                                 OpCode::kCacheGetSize,
                                                 [&](Writer& w) {
                                                   WriteCachePrefix(w, cache);
                                                   w.WriteInt32(1);
                                                   w.WriteUInt8(2);  // PRIMARY: each entry once
                                                 },
                                                 absl::StrCat("size of cache ", Quoted(cache))));
  Reader r = response.body();
  return connection()->InContext(r.ReadInt64(), absl::StrCat("size of cache ", Quoted(cache)));
}

absl::StatusOr<Response> Client::CallWithValues(OpCode op, const std::string& cache,
                                                absl::Span<const Value* const> values,
                                                int32_t count, absl::string_view operation) {
  for (const Value* v : values) {
    if (v->is_null()) {
      return absl::InvalidArgumentError(
          absl::StrCat(operation, ": Ignite keys and values cannot be null"));
    }
  }
  std::vector<size_t> ends;
  IGNITE_ASSIGN_OR_RETURN(std::vector<uint8_t> body, EncodeValues(values, &ends));
  std::shared_ptr<Connection> target =
      count < 0 && !ends.empty() ? ConnectionForKey(cache, absl::MakeConstSpan(body).first(ends[0]))
                                 : connection();
  return target->Call(
      op,
      [&](Writer& w) {
        WriteCachePrefix(w, cache);
        if (count >= 0) w.WriteInt32(count);
        w.WriteBytes(body);
      },
      operation);
}

absl::StatusOr<bool> Client::CallForBool(OpCode op, const std::string& cache,
                                         absl::Span<const Value* const> values,
                                         absl::string_view operation) {
  IGNITE_ASSIGN_OR_RETURN(Response response, CallWithValues(op, cache, values, -1, operation));
  Reader r = response.body();
  return connection()->InContext(r.ReadBool(), operation);
}

absl::StatusOr<bool> Client::PutIfAbsent(const std::string& cache, const Value& key,
                                         const Value& value) {
  const Value* values[] = {&key, &value};
  return CallForBool(OpCode::kCachePutIfAbsent, cache, values,
                     absl::StrCat("put_if_absent into cache ", Quoted(cache)));
}

absl::StatusOr<bool> Client::ReplaceIfEquals(const std::string& cache, const Value& key,
                                             const Value& expected, const Value& value) {
  const Value* values[] = {&key, &expected, &value};
  return CallForBool(OpCode::kCacheReplaceIfEquals, cache, values,
                     absl::StrCat("replace_if_equals in cache ", Quoted(cache)));
}

absl::StatusOr<Value> Client::GetAndPut(const std::string& cache, const Value& key,
                                        const Value& value) {
  const Value* values[] = {&key, &value};
  const std::string operation = absl::StrCat("get_and_put into cache ", Quoted(cache));
  IGNITE_ASSIGN_OR_RETURN(Response response,
                          CallWithValues(OpCode::kCacheGetAndPut, cache, values, -1, operation));
  ValueDecoder decoder(types_.get());
  size_t pos = response.body_offset;
  return connection()->InContext(decoder.Decode(response.frame, &pos, "value"), operation);
}

absl::StatusOr<bool> Client::RemoveKey(const std::string& cache, const Value& key) {
  const Value* values[] = {&key};
  return CallForBool(OpCode::kCacheRemoveKey, cache, values,
                     absl::StrCat("remove from cache ", Quoted(cache)));
}

absl::StatusOr<bool> Client::RemoveIfEquals(const std::string& cache, const Value& key,
                                            const Value& expected) {
  const Value* values[] = {&key, &expected};
  return CallForBool(OpCode::kCacheRemoveIfEquals, cache, values,
                     absl::StrCat("remove_if_equals from cache ", Quoted(cache)));
}

absl::Status Client::RemoveKeys(const std::string& cache, const std::vector<Value>& keys) {
  if (keys.empty()) return absl::OkStatus();
  std::vector<const Value*> values;
  values.reserve(keys.size());
  for (const Value& k : keys) values.push_back(&k);
  return CallWithValues(OpCode::kCacheRemoveKeys, cache, values, static_cast<int32_t>(keys.size()),
                        absl::StrCat("remove_all of keys from cache ", Quoted(cache)))
      .status();
}

absl::Status Client::Clear(const std::string& cache) {
  return connection()
      ->Call(
          OpCode::kCacheRemoveAll, [&](Writer& w) { WriteCachePrefix(w, cache); },
          absl::StrCat("clearing cache ", Quoted(cache)))
      .status();
}

absl::StatusOr<std::shared_ptr<const CacheAffinity>> Client::Affinity(const std::string& cache,
                                                                      bool refresh) {
  std::shared_ptr<Connection> connection = this->connection();
  if (!connection->version().AtLeast(1, 4, 0)) {
    return MakeError(absl::StatusCode::kFailedPrecondition, ErrorKind::kNoPartitionMap,
                     absl::StrCat("the server at ", connection->peer(), " speaks protocol ",
                                  connection->version().ToString(),
                                  ", which has no partition map (needs 1.4.0)"));
  }
  const int32_t cache_id = JavaStringHash(cache);
  if (!refresh) {
    absl::MutexLock lock(&affinity_mu_);
    auto known = affinity_.find(cache_id);
    // A reply flagged a newer affinity version (a node joined or left, a cache started): the
    // map may be stale.
    if (known != affinity_.end() &&
        !(known->second->version < topology_->NewestAffinityVersion())) {
      return known->second;
    }
  }
  const std::string operation = absl::StrCat("partition map of cache ", Quoted(cache));
  auto call = [&]() -> absl::StatusOr<Response> {
    return connection->Call(
        OpCode::kCachePartitions,
        [&](Writer& w) {
          w.WriteInt32(1);
          w.WriteInt32(cache_id);
        },
        operation);
  };
  absl::StatusOr<Response> response = call();
  if (!response.ok() && GetErrorKind(response.status()) == ErrorKind::kConnection) {
    // The default node died: once more through the next live node, if there is one.
    std::shared_ptr<Connection> next = this->connection();
    if (next != connection) {
      connection = std::move(next);
      response = call();
    }
  }
  if (!response.ok()) return response.status();
  Reader r = response->body();
  IGNITE_ASSIGN_OR_RETURN(PartitionsReply reply,
                          connection->InContext(ParsePartitionsReply(r), operation));
  std::shared_ptr<const CacheAffinity> ours;
  absl::MutexLock lock(&affinity_mu_);
  for (CacheAffinity& map : reply.caches) {
    auto shared = std::make_shared<const CacheAffinity>(std::move(map));
    affinity_[shared->cache_id] = shared;
    if (shared->cache_id == cache_id) ours = shared;
  }
  if (ours == nullptr) {
    return MakeError(absl::StatusCode::kNotFound, ErrorKind::kCacheNotFound,
                     absl::StrCat("the partition map from ", connection->peer(),
                                  " does not list cache ", Quoted(cache)));
  }
  return ours;
}

absl::StatusOr<std::shared_ptr<const CacheAffinity>> Client::UsableAffinity(
    const std::string& cache) {
  absl::StatusOr<std::shared_ptr<const CacheAffinity>> map = Affinity(cache);
  if (!map.ok() && GetErrorKind(map.status()) == ErrorKind::kCacheNotFound) {
    IGNITE_RETURN_IF_ERROR(CheckCacheExists(cache));
  }
  if (!map.ok()) return map.status();
  if (!(*map)->applicable) {
    // The server maps only partitioned caches with the default affinity function.
    const std::string why =
        IsReplicated(cache)
            ? " is replicated: every node holds all of it, so it has no partition map; read it "
              "whole, without naming a partition"
            : " has no partition map the client can use (it uses a custom affinity function); "
              "read it whole, without naming a partition";
    return MakeError(absl::StatusCode::kFailedPrecondition, ErrorKind::kNoPartitionMap,
                     absl::StrCat("cache ", Quoted(cache), why));
  }
  return map;
}

absl::StatusOr<std::vector<int32_t>> Client::Partitions(const std::string& cache) {
  IGNITE_ASSIGN_OR_RETURN(std::shared_ptr<const CacheAffinity> map, UsableAffinity(cache));
  std::vector<int32_t> partitions;
  for (int32_t p = 0; p < map->partition_count; ++p) {
    if (map->primary[static_cast<size_t>(p)] >= 0) partitions.push_back(p);
  }
  return partitions;
}

absl::StatusOr<std::optional<int32_t>> Client::PartitionOfKey(const std::string& cache,
                                                              const Value& key) {
  const Value* values[] = {&key};
  IGNITE_ASSIGN_OR_RETURN(std::vector<uint8_t> body, EncodeValues(values));
  IGNITE_ASSIGN_OR_RETURN(std::shared_ptr<const CacheAffinity> map, UsableAffinity(cache));
  return ignite_tf::PartitionOfKey(*map, body);
}

bool Client::Routes() const {
  // With one address there is no other node to reach: requests stay on the default connection
  // (and cost no partition map).
  return topology_->options().addresses.size() > 1 && connection()->version().AtLeast(1, 4, 0);
}

std::shared_ptr<Connection> Client::ConnectionForPartition(const std::string& cache,
                                                           int32_t partition) {
  // Routing only chooses where a request goes: when the map cannot be had, the default
  // connection serves it, and reports any error of its own.
  if (!Routes()) return connection();
  absl::StatusOr<std::shared_ptr<const CacheAffinity>> map = Affinity(cache);
  if (!map.ok()) return connection();
  const NodeId* primary = (*map)->PrimaryOf(partition);
  if (primary == nullptr) return connection();
  std::shared_ptr<Connection> target = topology_->ConnectionTo(*primary);
  return target != nullptr ? target : connection();
}

std::shared_ptr<Connection> Client::ConnectionForKey(const std::string& cache,
                                                     absl::Span<const uint8_t> encoded_key) {
  return ConnectionForKey(RoutingAffinity(cache).get(), encoded_key);
}

std::shared_ptr<const CacheAffinity> Client::RoutingAffinity(const std::string& cache) {
  if (!Routes()) return nullptr;
  absl::StatusOr<std::shared_ptr<const CacheAffinity>> map = Affinity(cache);
  return map.ok() ? *std::move(map) : nullptr;
}

std::shared_ptr<Connection> Client::ConnectionForKey(const CacheAffinity* affinity,
                                                     absl::Span<const uint8_t> encoded_key) {
  if (affinity == nullptr) return connection();
  const std::optional<int32_t> partition = ignite_tf::PartitionOfKey(*affinity, encoded_key);
  if (!partition.has_value()) return connection();
  const NodeId* primary = affinity->PrimaryOf(*partition);
  if (primary == nullptr) return connection();
  std::shared_ptr<Connection> target = topology_->ConnectionTo(*primary);
  return target != nullptr ? target : connection();
}

bool Client::IsReplicated(const std::string& cache) {
  absl::StatusOr<CacheSettings> settings = CacheConfiguration(cache);
  return settings.ok() && settings->mode == CacheMode::kReplicated;
}

absl::Status Client::CheckCacheExists(const std::string& cache) {
  IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> names, CacheNames());
  if (std::find(names.begin(), names.end(), cache) != names.end()) return absl::OkStatus();
  std::string hint;
  for (const std::string& name : names) {
    if (name.size() == cache.size() &&
        std::equal(name.begin(), name.end(), cache.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      hint = absl::StrCat(" (did you mean ", Quoted(name), "? cache names are case-sensitive)");
    }
  }
  if (hint.empty() && cache.rfind("SQL_", 0) != 0) {
    hint = " (a table made by CREATE TABLE lives in the cache SQL_<SCHEMA>_<TABLE>)";
  }
  return MakeError(
      absl::StatusCode::kNotFound, ErrorKind::kCacheNotFound,
      absl::StrCat("cache ", Quoted(cache), " does not exist on ", connection()->peer(), hint));
}

absl::StatusOr<std::unique_ptr<ScanCursor>> Client::Scan(const std::string& cache,
                                                         const ScanOptions& options) {
  std::shared_ptr<Connection> target =
      options.partition >= 0 ? ConnectionForPartition(cache, options.partition) : connection();
  absl::StatusOr<std::unique_ptr<ScanCursor>> cursor = ScanCursor::Open(target, cache, options);
  if (!cursor.ok() && GetErrorKind(cursor.status()) == ErrorKind::kCacheNotFound) {
    IGNITE_RETURN_IF_ERROR(CheckCacheExists(cache));
  }
  return cursor;
}

absl::StatusOr<std::unique_ptr<SqlCursor>> Client::Sql(const SqlQuery& query) {
  return SqlCursor::Open(connection(), types_, query);
}

}  // namespace ignite_tf
