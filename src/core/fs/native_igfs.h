// fs/native_igfs.h: the filesystem interface (fs/filesystem.h) over IGFS's native protocol
// (igfs/connection.h), for Ignite 2.8 nodes that still serve IGFS (Backend::kNative).
//
// IGFS has Hadoop's semantics; this class gives it TensorFlow's (the contract in filesystem.h):
// - CreateDir checks that the path is absent and its parent a directory (IGFS's mkdirs is
//   idempotent and creates parents); OpenWrite checks the parent (IGFS's create makes parents).
// - Rename onto an existing file deletes it first (IGFS refuses to replace), and never lets IGFS
//   move a file into a directory at the destination (Hadoop's rename does).
// - A read crossing the end is OutOfRange; a reader past the length it saw at open re-asks the
//   server and reopens its stream, so a file whose writer syncs can be followed.
// - Writes stream in chunks (igfs ConnectionOptions::write_chunk_bytes); Sync closes the stream
//   and reopens it for append, which is what makes IGFS publish the new length to readers.
// Every server error is tagged with the filesystem's kinds (fs/igfs_errors.h), so callers see the
// same errors from both backends.
#ifndef IGNITE_TF_CORE_FS_NATIVE_IGFS_H_
#define IGNITE_TF_CORE_FS_NATIVE_IGFS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/fs/filesystem.h"
#include "core/igfs/connection.h"

namespace ignite_tf::fs {

class NativeIgfs : public FileSystem, public std::enable_shared_from_this<NativeIgfs> {
 public:
  // Connects and shakes hands.
  static absl::StatusOr<std::shared_ptr<NativeIgfs>> Connect(
      const igfs::ConnectionOptions& options);
  // Over a connection that has shaken hands.
  static std::shared_ptr<NativeIgfs> Adopt(std::unique_ptr<igfs::Connection> connection,
                                           const igfs::ConnectionOptions& options);

  Backend backend() const override { return Backend::kNative; }
  std::string Describe() const override;
  bool broken() const override { return !connection_->broken().ok(); }

  absl::StatusOr<FileStat> Stat(const std::string& path) override;
  absl::Status CreateDir(const std::string& path) override;
  absl::Status CreateDirs(const std::string& path) override;
  absl::StatusOr<std::vector<ListedEntry>> List(const std::string& path) override;
  absl::Status DeleteFile(const std::string& path) override;
  absl::Status DeleteDir(const std::string& path) override;
  absl::Status DeleteRecursively(const std::string& path) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::StatusOr<std::unique_ptr<ReadableFile>> OpenRead(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> OpenWrite(const std::string& path,
                                                          bool append) override;

  igfs::Connection& connection() { return *connection_; }

 private:
  friend class NativeReader;
  friend class NativeWriter;
  NativeIgfs(std::unique_ptr<igfs::Connection> connection, const igfs::ConnectionOptions& options)
      : connection_(std::move(connection)), chunk_bytes_(options.write_chunk_bytes) {}

  // The file at `path`, nullopt when absent (then NotADirectory when a parent is a file).
  absl::StatusOr<std::optional<FileStat>> Lookup(const std::string& path);
  absl::Status CheckParentIsDirectory(const std::string& path);

  std::unique_ptr<igfs::Connection> connection_;
  const int32_t chunk_bytes_;
};

}  // namespace ignite_tf::fs

#endif  // IGNITE_TF_CORE_FS_NATIVE_IGFS_H_
