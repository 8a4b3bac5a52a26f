// fs/filesystem.h: the one file-system interface behind igfs://, with two backends: the store kept
// in Ignite caches over the thin client (fs/store.h, any current Ignite) and Ignite 2.8's own IGFS
// over its native protocol (fs/native_igfs.h). The TensorFlow plugin, the Python binding and
// fsspec see only this interface, so both backends keep one contract, TensorFlow's:
//
// - Paths are normalized absolute paths (fs/path.h); the root "/" always exists.
// - Stat/List/Open of a missing path is NotFound (kNotFound); a path under a file is
//   FailedPrecondition (kNotADirectory), as on a local disk.
// - CreateDir of an existing path is AlreadyExists, of a path whose parent is missing NotFound;
//   CreateDirs creates the missing parents.
// - DeleteFile of a directory and DeleteDir of a file or a non-empty directory fail
//   (FailedPrecondition); DeleteRecursively removes a file or a whole tree.
// - Rename replaces a destination file (or empty directory of a directory), never moves a file
//   into a directory that happens to be at the destination.
// - A read that crosses the end of a file returns the bytes before it with OutOfRange; a reader
//   past the length it knows re-checks it, so a file its writer keeps syncing can be followed.
// - Writes stream: a writer holds at most one chunk in memory; Flush sends what it holds, Sync
//   makes everything written so far visible to readers, Close publishes the whole file.
#ifndef IGNITE_TF_CORE_FS_FILESYSTEM_H_
#define IGNITE_TF_CORE_FS_FILESYSTEM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ignite_tf::fs {

// Which protocol serves an igfs:// URI. kAuto asks the port (fs/open.h).
enum class Backend { kAuto, kThin, kNative };

// "thin" (the cache-backed store over the thin client), "native" (IGFS's own protocol, Ignite
// 2.8) or "auto"/"" (ask the port); anything else is InvalidArgument naming the choices.
absl::StatusOr<Backend> ParseBackend(absl::string_view name);
absl::string_view BackendName(Backend backend);

struct FileStat {
  bool is_directory = false;
  int64_t length = 0;      // 0 for a directory
  int64_t mtime_ms = 0;    // ms since the epoch; 0 when the backend does not say
  int64_t block_size = 0;  // the file's block size, 0 for a directory
  bool open = false;       // a writer has synced it and not closed it yet (cache store only)
};

struct ListedEntry {
  std::string name;  // base name
  FileStat stat;
};

// Reads one file. Thread-safe: TensorFlow reads one file from several threads.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to n bytes at `offset` into `out`; the count goes to *read. Fewer than n bytes
  // (the end of the file) is OutOfRange with the count in *read.
  virtual absl::Status Read(int64_t offset, int64_t n, char* out, int64_t* read) = 0;
  // The length known to this reader (a later Read past it re-checks).
  virtual int64_t length() = 0;
  virtual const std::string& path() const = 0;
};

// Writes one file from its start (or its end, for an append). Not thread-safe.
class WritableFile {
 public:
  // Abandons an unclosed writer (best effort, never blocks longer than the backend's timeouts).
  virtual ~WritableFile() = default;
  virtual absl::Status Append(const char* data, int64_t n) = 0;
  // Hands what is buffered to the server.
  virtual absl::Status Flush() = 0;
  // Makes everything appended so far visible to readers (TensorBoard follows growing files).
  virtual absl::Status Sync() = 0;
  // Publishes the whole file; the writer is unusable after.
  virtual absl::Status Close() = 0;
  virtual int64_t position() const = 0;  // bytes written by this writer (plus an append's start)
  virtual const std::string& path() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual Backend backend() const = 0;
  // Where it is served, for messages: "host:port (IGFS 'name')" or "host:port (caches IGFS_x_*)".
  virtual std::string Describe() const = 0;
  // Whether its connection broke for good (a new one is needed).
  virtual bool broken() const = 0;

  virtual absl::StatusOr<FileStat> Stat(const std::string& path) = 0;
  virtual absl::Status CreateDir(const std::string& path) = 0;
  virtual absl::Status CreateDirs(const std::string& path) = 0;
  // Sorted by name.
  virtual absl::StatusOr<std::vector<ListedEntry>> List(const std::string& path) = 0;
  virtual absl::Status DeleteFile(const std::string& path) = 0;
  virtual absl::Status DeleteDir(const std::string& path) = 0;
  virtual absl::Status DeleteRecursively(const std::string& path) = 0;
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  virtual absl::StatusOr<std::unique_ptr<ReadableFile>> OpenRead(const std::string& path) = 0;
  // A new empty file (replacing any existing one), or an append to an existing one (created
  // when missing). The parent must exist.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> OpenWrite(const std::string& path,
                                                                  bool append) = 0;

  // Streams `from` into a new file `to` (replacing it), one chunk in memory at a time.
  absl::Status Copy(const std::string& from, const std::string& to);
};

}  // namespace ignite_tf::fs

#endif  // IGNITE_TF_CORE_FS_FILESYSTEM_H_
