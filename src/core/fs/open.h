// fs/open.h: which backend serves an igfs:// filesystem, and opening it.
//
// Backend::kAuto asks the port: it sends IGFS's handshake (request id 0) on a probe connection.
// An Ignite 2.8 IGFS endpoint answers it; a thin-client port closes the connection at once
// (measured on 2.8.1 and 2.17: IGFS's 24-byte header starts with eight zero bytes, a message
// length of 0, which the thin-client listener refuses), and so does a TLS listener. The reverse
// probe would not do: an IGFS endpoint waits silently for the rest of a thin-client handshake.
// Options only the thin client has (TLS, a username) choose the thin client without a probe.
#ifndef IGNITE_TF_CORE_FS_OPEN_H_
#define IGNITE_TF_CORE_FS_OPEN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/client/connection_options.h"
#include "core/fs/filesystem.h"
#include "core/fs/store.h"

namespace ignite_tf::fs {

struct OpenOptions {
  // The nodes (the first that answers serves), TLS, credentials and timeouts. The native backend
  // uses the addresses and timeouts only (IGFS's endpoint has no TLS and no authentication).
  ConnectionOptions connection;
  Backend backend = Backend::kAuto;
  // The cache store's filesystem (caches IGFS_<name>_*; unset: "default"), or the IGFS to use
  // on a native endpoint (unset: the node's one IGFS, whatever its name).
  std::optional<std::string> fs_name;
  int64_t block_size = kDefaultBlockSize;  // new files of the cache store
};

absl::StatusOr<std::shared_ptr<FileSystem>> OpenFileSystem(const OpenOptions& options);

// The cache store behind `fs`, for what only it has (its caches, garbage collection);
// FailedPrecondition for a native IGFS.
absl::StatusOr<Store*> CacheStore(FileSystem& fs);

}  // namespace ignite_tf::fs

#endif  // IGNITE_TF_CORE_FS_OPEN_H_
