// client/protocol.h: thin-client protocol constants: versions, op codes, status codes, and how a
// server status becomes an absl::Status.
#ifndef IGNITE_TF_CORE_CLIENT_PROTOCOL_H_
#define IGNITE_TF_CORE_CLIENT_PROTOCOL_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ignite_tf {

struct ProtocolVersion {
  int16_t major = 1, minor = 7, patch = 0;

  bool AtLeast(int16_t ma, int16_t mi, int16_t pa = 0) const {
    if (major != ma) return major > ma;
    if (minor != mi) return minor > mi;
    return patch >= pa;
  }
  std::string ToString() const;
};

// The affinity topology version (major: the topology version; minor: changes within it, e.g.
// a cache started). Replies flag (0x02) when it changed; partition maps carry the one they are of.
struct AffinityVersion {
  int64_t major = -1;  // -1: none seen
  int32_t minor = 0;

  bool known() const { return major >= 0; }
  friend bool operator<(const AffinityVersion& a, const AffinityVersion& b) {
    return a.major != b.major ? a.major < b.major : a.minor < b.minor;
  }
  friend bool operator==(const AffinityVersion& a, const AffinityVersion& b) {
    return a.major == b.major && a.minor == b.minor;
  }
  std::string ToString() const;
};

// Newest version we offer, and the oldest we accept as a counter-offer.
inline constexpr ProtocolVersion kNewestVersion{1, 7, 0};
inline constexpr ProtocolVersion kOldestVersion{1, 1, 0};

enum class OpCode : int16_t {
  kResourceClose = 0,
  kCacheGet = 1000,
  kCachePut = 1001,
  kCachePutIfAbsent = 1002,
  kCacheGetAll = 1003,
  kCachePutAll = 1004,
  kCacheGetAndPut = 1005,
  kCacheReplaceIfEquals = 1010,
  kCacheContainsKey = 1011,
  kCacheRemoveKey = 1016,
  kCacheRemoveIfEquals = 1017,
  kCacheRemoveKeys = 1018,
  kCacheRemoveAll = 1019,
  kCacheGetSize = 1020,
  kCacheGetNames = 1050,
  kCacheCreateWithName = 1051,
  kCacheGetOrCreateWithName = 1052,
  kCacheCreateWithConfiguration = 1053,
  kCacheGetOrCreateWithConfiguration = 1054,
  kCacheGetConfiguration = 1055,
  kCacheDestroy = 1056,
  kCachePartitions = 1101,
  kQueryScan = 2000,
  kQueryScanCursorGetPage = 2001,
  kQuerySqlFields = 2004,
  kQuerySqlFieldsCursorGetPage = 2005,
  kGetBinaryType = 3002,
  kPutBinaryType = 3003,
};

enum ServerStatus : int32_t {
  kStatusSuccess = 0,
  kStatusFailed = 1,
  kStatusInvalidOpCode = 2,
  kStatusFunctionalityDisabled = 100,
  kStatusCacheDoesNotExist = 1000,
  kStatusCacheExists = 1001,
  kStatusTooManyCursors = 1010,
  kStatusResourceDoesNotExist = 1011,
  kStatusSecurityViolation = 1012,
  kStatusAuthFailed = 2000,
};

// Turns a non-zero server status and its message into a status the user can act on.
absl::Status ServerError(int32_t status, absl::string_view server_message, absl::string_view peer,
                         absl::string_view operation);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_PROTOCOL_H_
