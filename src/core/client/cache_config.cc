#include "core/client/cache_config.h"

#include "absl/strings/str_cat.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"

namespace ignite_tf {
namespace {

// Property codes of ClientCacheConfigurationSerializer.
constexpr int16_t kPropertyName = 0;
constexpr int16_t kPropertyCacheMode = 1;
constexpr int16_t kPropertyAtomicityMode = 2;
constexpr int16_t kPropertyBackups = 3;
constexpr int16_t kPropertyWriteSynchronizationMode = 4;

// A typed string that may be null.
absl::StatusOr<std::string> ReadOptionalString(Reader& r) {
  IGNITE_ASSIGN_OR_RETURN(uint8_t code, r.ReadUInt8());
  if (code == kNull) return std::string();
  if (code != kString) return ProtocolError("cache configuration: expected a string");
  IGNITE_ASSIGN_OR_RETURN(auto bytes, r.ReadSized(1, "string"));
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

absl::Status CacheSettings::Validate() const {
  if (backups.has_value() && *backups < 0) {
    return absl::InvalidArgumentError(absl::StrCat("backups must be 0 or more, got ", *backups));
  }
  return absl::OkStatus();
}

void WriteCacheConfiguration(Writer& w, const std::string& name, const CacheSettings& settings) {
  const size_t length_at = w.size();
  w.WriteInt32(0);  // the length, patched below
  const size_t count_at = w.size();
  w.WriteInt16(0);  // the property count, patched below
  int16_t count = 0;
  auto property = [&](int16_t code) {
    w.WriteInt16(code);
    ++count;
  };
  property(kPropertyName);
  w.WriteString(name);
  if (settings.mode.has_value()) {
    property(kPropertyCacheMode);
    w.WriteInt32(static_cast<int32_t>(*settings.mode));
  }
  if (settings.atomicity.has_value()) {
    property(kPropertyAtomicityMode);
    w.WriteInt32(static_cast<int32_t>(*settings.atomicity));
  }
  if (settings.backups.has_value()) {
    property(kPropertyBackups);
    w.WriteInt32(*settings.backups);
  }
  if (settings.write_synchronization.has_value()) {
    property(kPropertyWriteSynchronizationMode);
    w.WriteInt32(static_cast<int32_t>(*settings.write_synchronization));
  }
  w.PatchAt<int32_t>(length_at, static_cast<int32_t>(w.size() - length_at - 4));
  w.PatchAt<int16_t>(count_at, count);
}

absl::StatusOr<CacheSettings> ReadCacheConfiguration(Reader& r, std::string* name) {
  CacheSettings settings;
  IGNITE_RETURN_IF_ERROR(r.Skip(4));  // length
  IGNITE_ASSIGN_OR_RETURN(int32_t atomicity, r.ReadInt32());
  IGNITE_ASSIGN_OR_RETURN(int32_t backups, r.ReadInt32());
  IGNITE_ASSIGN_OR_RETURN(int32_t mode, r.ReadInt32());
  settings.atomicity = static_cast<CacheAtomicity>(atomicity);
  settings.backups = backups;
  settings.mode = static_cast<CacheMode>(mode);
  // copyOnRead, dataRegionName, eagerTtl, statisticsEnabled, groupName, defaultLockTimeout,
  // maxConcurrentAsyncOperations, maxQueryIteratorsCount, name, ...
  IGNITE_RETURN_IF_ERROR(r.Skip(1));
  IGNITE_RETURN_IF_ERROR(ReadOptionalString(r).status());
  IGNITE_RETURN_IF_ERROR(r.Skip(2));
  IGNITE_RETURN_IF_ERROR(ReadOptionalString(r).status());
  IGNITE_RETURN_IF_ERROR(r.Skip(8 + 4 + 4));
  IGNITE_ASSIGN_OR_RETURN(std::string cache_name, ReadOptionalString(r));
  if (name != nullptr) *name = std::move(cache_name);
  // onheapCacheEnabled, partitionLossPolicy, queryDetailMetricsSize, queryParallelism,
  // readFromBackup, rebalanceBatchSize, rebalanceBatchesPrefetchCount, rebalanceDelay,
  // rebalanceMode, rebalanceOrder, rebalanceThrottle, rebalanceTimeout, sqlEscapeAll,
  // sqlIndexMaxInlineSize, sqlSchema, then the write synchronization mode.
  IGNITE_RETURN_IF_ERROR(r.Skip(1 + 4 + 4 + 4 + 1 + 4 + 8 + 8 + 4 + 4 + 8 + 8 + 1 + 4));
  IGNITE_RETURN_IF_ERROR(ReadOptionalString(r).status());
  IGNITE_ASSIGN_OR_RETURN(int32_t sync, r.ReadInt32());
  settings.write_synchronization = static_cast<WriteSynchronization>(sync);
  return settings;
}

}  // namespace ignite_tf
