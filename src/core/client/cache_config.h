// client/cache_config.h: the cache settings a user sets when creating a cache (mode, backups,
// atomicity, write synchronization), as OP_CACHE_CREATE_WITH_CONFIGURATION (1053) and
// OP_CACHE_GET_OR_CREATE_WITH_CONFIGURATION (1054) send them, and as OP_CACHE_GET_CONFIGURATION
// (1055) returns them. Enum values are the server's (CacheMode codes, enum ordinals).
#ifndef IGNITE_TF_CORE_CLIENT_CACHE_CONFIG_H_
#define IGNITE_TF_CORE_CLIENT_CACHE_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/wire/reader.h"
#include "core/wire/writer.h"

namespace ignite_tf {

enum class CacheMode : int32_t { kReplicated = 1, kPartitioned = 2 };
enum class CacheAtomicity : int32_t { kTransactional = 0, kAtomic = 1 };
enum class WriteSynchronization : int32_t { kFullSync = 0, kFullAsync = 1, kPrimarySync = 2 };

// Settings of a cache; unset ones keep the server's defaults (partitioned, 0 backups, atomic,
// primary_sync).
struct CacheSettings {
  std::optional<CacheMode> mode;
  std::optional<int32_t> backups;
  std::optional<CacheAtomicity> atomicity;
  std::optional<WriteSynchronization> write_synchronization;

  bool empty() const {
    return !mode.has_value() && !backups.has_value() && !atomicity.has_value() &&
           !write_synchronization.has_value();
  }
  // InvalidArgument for negative backups.
  absl::Status Validate() const;
};

// The body of a 1053/1054 request: int32 length, int16 property count, then (int16 code, value)
// for the name and each setting given.
void WriteCacheConfiguration(Writer& w, const std::string& name, const CacheSettings& settings);

// The settings in a 1055 reply body (the configuration's fixed leading fields up to the write
// synchronization mode), and the cache name it carries in *name when not null.
absl::StatusOr<CacheSettings> ReadCacheConfiguration(Reader& r, std::string* name = nullptr);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_CACHE_CONFIG_H_
