// igfs/errors.h: the error codes an IGFS server sends (IgfsControlResponse) and the statuses
// that carry them.
//
// A server error becomes a status of ErrorKind kServer whose absl code says what happened
// (FILE_NOT_FOUND is NotFound, PATH_ALREADY_EXISTS AlreadyExists, ...) and whose payload keeps
// the server's code, so the filesystem layer above can tag it with its own kind (fs/errors.h)
// without reading messages.
#ifndef IGNITE_TF_CORE_IGFS_ERRORS_H_
#define IGNITE_TF_CORE_IGFS_ERRORS_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ignite_tf::igfs {

// IgfsControlResponse's error codes.
enum class ServerErrorCode : int32_t {
  kGeneric = 0,
  kIgfsGeneric = 1,
  kFileNotFound = 2,
  kPathAlreadyExists = 3,
  kDirectoryNotEmpty = 4,
  kParentNotDirectory = 5,
  kInvalidHdfsVersion = 6,
  kCorruptedFile = 7,
};

// The payload URL under which a status keeps the server's error code (decimal text).
inline constexpr absl::string_view kServerErrorCodePayload = "type.ignite_tf/igfs_error_code";

// A status for error `code` with the server's `message` (codes unknown to us are generic).
absl::Status ServerError(int32_t code, absl::string_view message);

// The server error code a status carries, if it came from an IGFS server.
std::optional<ServerErrorCode> GetServerErrorCode(const absl::Status& status);

}  // namespace ignite_tf::igfs

#endif  // IGNITE_TF_CORE_IGFS_ERRORS_H_
