// fs/igfs_errors.h: the errors of an IGFS server (igfs/errors.h, Ignite 2.8's native protocol)
// as the filesystem's error kinds (fs/errors.h), so the legacy backend fails the way the
// cache-backed store does (the same exception classes in Python, the same codes in TensorFlow).
#ifndef IGNITE_TF_CORE_FS_IGFS_ERRORS_H_
#define IGNITE_TF_CORE_FS_IGFS_ERRORS_H_

#include "absl/status/status.h"

namespace ignite_tf::fs {

// A status from the IGFS client, tagged with the fs kind of its server error code:
// FILE_NOT_FOUND is kNotFound, PATH_ALREADY_EXISTS kExists, DIRECTORY_NOT_EMPTY kState,
// PARENT_NOT_DIRECTORY kNotADirectory. The message and the other payloads (the server's code,
// hints) stay. Any other status (generic server errors, connection, protocol) is returned as is.
absl::Status FsErrorFromIgfs(const absl::Status& status);

}  // namespace ignite_tf::fs

#endif  // IGNITE_TF_CORE_FS_IGFS_ERRORS_H_
