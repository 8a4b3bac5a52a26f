#include "core/client/protocol.h"

#include "absl/strings/str_cat.h"
#include "core/common/error.h"

namespace ignite_tf {

std::string ProtocolVersion::ToString() const {
  return absl::StrCat(major, ".", minor, ".", patch);
}

std::string AffinityVersion::ToString() const { return absl::StrCat(major, ".", minor); }

absl::Status ServerError(int32_t status, absl::string_view server_message, absl::string_view peer,
                         absl::string_view operation) {
  std::string message =
      absl::StrCat(operation, " failed on ", peer, ": ", server_message, " (status ", status, ")");
  switch (status) {
    case kStatusCacheDoesNotExist:
      return MakeError(absl::StatusCode::kNotFound, ErrorKind::kCacheNotFound, message);
    case kStatusCacheExists:
      return MakeError(absl::StatusCode::kAlreadyExists, ErrorKind::kServer, message);
    case kStatusAuthFailed:
    case kStatusSecurityViolation:
      return MakeError(absl::StatusCode::kPermissionDenied, ErrorKind::kAuthentication, message);
    case kStatusTooManyCursors:
      return MakeError(absl::StatusCode::kResourceExhausted, ErrorKind::kServer,
                       absl::StrCat(message,
                                    "; close unfinished scans or raise "
                                    "maxOpenCursorsPerConnection on the server"));
    case kStatusInvalidOpCode:
    case kStatusFunctionalityDisabled:
      return MakeError(absl::StatusCode::kUnimplemented, ErrorKind::kServer, message);
    default:
      return MakeError(absl::StatusCode::kInternal, ErrorKind::kServer, message);
  }
}

}  // namespace ignite_tf
