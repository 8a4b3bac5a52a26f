#include "core/fs/native_igfs.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/common/error.h"
#include "core/fs/errors.h"
#include "core/fs/igfs_errors.h"
#include "core/fs/path.h"

namespace ignite_tf::fs {
namespace {

// The largest READ_BLOCK asked for at once (a reply is read whole into memory).
constexpr int64_t kReadChunk = 8 << 20;

FileStat StatOf(const igfs::FileInfo& info) {
  FileStat stat;
  stat.is_directory = info.is_directory();
  stat.length = stat.is_directory ? 0 : info.length;
  stat.mtime_ms = info.modification_time_ms;
  stat.block_size = stat.is_directory ? 0 : info.block_size;
  return stat;
}

FileStat RootStat() {
  FileStat stat;
  stat.is_directory = true;
  return stat;
}

// The server's errors in the filesystem's kinds.
template <typename T>
absl::StatusOr<T> Fs(absl::StatusOr<T> result) {
  if (result.ok()) return result;
  return FsErrorFromIgfs(result.status());
}
absl::Status Fs(const absl::Status& status) { return FsErrorFromIgfs(status); }

}  // namespace

// ---- files

class NativeReader : public ReadableFile {
 public:
  NativeReader(std::shared_ptr<NativeIgfs> fs, std::string path, igfs::ReadDescriptor stream)
      : fs_(std::move(fs)), path_(std::move(path)), stream_(stream) {}
  ~NativeReader() override {
    // Unwaited: a destructor must not block on the network (TensorFlow may hold the GIL).
    absl::MutexLock lock(&mu_);
    stale_.push_back(stream_.stream_id);
    for (int64_t id : stale_) fs_->connection_->CloseUnwaited(id);
  }

  absl::Status Read(int64_t offset, int64_t n, char* out, int64_t* read) override {
    *read = 0;
    if (offset < 0 || n < 0) return absl::InvalidArgumentError("igfs: negative offset or size");
    igfs::ReadDescriptor stream = Current();
    if (offset + n > stream.length) {
      IGNITE_ASSIGN_OR_RETURN(stream, Refresh(stream));
    }
    const int64_t want = std::max<int64_t>(0, std::min(n, stream.length - offset));
    while (*read < want) {
      const int32_t ask = static_cast<int32_t>(std::min(want - *read, kReadChunk));
      IGNITE_ASSIGN_OR_RETURN(
          std::vector<uint8_t> data,
          Fs(fs_->connection_->ReadBlock(stream.stream_id, offset + *read, ask)));
      if (data.empty()) {
        return absl::DataLossError(absl::StrCat("igfs: '", path_, "' ended at ", offset + *read,
                                                " bytes, shorter than its length ", stream.length,
                                                " (was it replaced?)"));
      }
      std::memcpy(out + *read, data.data(), data.size());
      *read += static_cast<int64_t>(data.size());
    }
    if (*read < n) return absl::OutOfRangeError(absl::StrCat("igfs: end of file '", path_, "'"));
    return absl::OkStatus();
  }

  int64_t length() override { return Current().length; }
  const std::string& path() const override { return path_; }

 private:
  igfs::ReadDescriptor Current() {
    absl::MutexLock lock(&mu_);
    return stream_;
  }

  // A read past the length seen at open: the file may have grown (a writer that syncs). IGFS
  // streams keep the length they opened with, so a longer file is read through a new stream;
  // the old one may still serve another thread's read, so it is closed with the reader.
  absl::StatusOr<igfs::ReadDescriptor> Refresh(igfs::ReadDescriptor seen) {
    IGNITE_ASSIGN_OR_RETURN(std::optional<igfs::FileInfo> info, Fs(fs_->connection_->Info(path_)));
    if (!info.has_value() || !info->is_file() || info->length <= seen.length) return seen;
    IGNITE_ASSIGN_OR_RETURN(igfs::ReadDescriptor fresh, Fs(fs_->connection_->OpenRead(path_)));
    absl::MutexLock lock(&mu_);
    if (fresh.length > stream_.length) std::swap(stream_, fresh);
    stale_.push_back(fresh.stream_id);
    return stream_;
  }

  std::shared_ptr<NativeIgfs> fs_;
  const std::string path_;
  absl::Mutex mu_;
  igfs::ReadDescriptor stream_ ABSL_GUARDED_BY(mu_);
  std::vector<int64_t> stale_ ABSL_GUARDED_BY(mu_);  // streams replaced by longer ones
};

class NativeWriter : public WritableFile {
 public:
  NativeWriter(std::shared_ptr<NativeIgfs> fs, std::string path, int64_t stream, int64_t start)
      : fs_(std::move(fs)), path_(std::move(path)), stream_(stream), position_(start) {
    buffer_.reserve(static_cast<size_t>(fs_->chunk_bytes_));
  }
  ~NativeWriter() override {
    // What was written stays (IGFS has no unpublished state to drop); the stream is closed so
    // the file is not left locked for writing, without waiting (destructors never block on the
    // network; the server closes it in order after the blocks sent).
    if (closed_ || fs_->broken()) return;
    if (Send().ok()) fs_->connection_->CloseUnwaited(stream_);
  }

  absl::Status Append(const char* data, int64_t n) override {
    IGNITE_RETURN_IF_ERROR(CheckOpen());
    const size_t chunk = static_cast<size_t>(fs_->chunk_bytes_);
    while (n > 0) {
      const size_t take = std::min(chunk - buffer_.size(), static_cast<size_t>(n));
      buffer_.insert(buffer_.end(), data, data + take);
      data += take;
      n -= static_cast<int64_t>(take);
      position_ += static_cast<int64_t>(take);
      if (buffer_.size() == chunk) IGNITE_RETURN_IF_ERROR(Send());
    }
    return absl::OkStatus();
  }

  absl::Status Flush() override {
    IGNITE_RETURN_IF_ERROR(CheckOpen());
    return Send();
  }

  absl::Status Sync() override {
    IGNITE_RETURN_IF_ERROR(CheckOpen());
    IGNITE_RETURN_IF_ERROR(Send());
    if (position_ == synced_) return absl::OkStatus();
    // IGFS publishes a file's length when its stream closes; appending goes on in a new stream.
    IGNITE_RETURN_IF_ERROR(CloseStream());
    absl::StatusOr<int64_t> stream = Fs(fs_->connection_->OpenAppend(path_, /*create=*/false));
    if (!stream.ok()) {
      closed_ = true;
      return Annotate(stream.status(),
                      absl::StrCat("igfs: reopening '", path_, "' for append after a sync"));
    }
    stream_ = *stream;
    closed_ = false;
    synced_ = position_;
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (closed_) return absl::OkStatus();
    absl::Status sent = Send();
    absl::Status closed = CloseStream();
    return sent.ok() ? closed : sent;
  }

  int64_t position() const override { return position_; }
  const std::string& path() const override { return path_; }

 private:
  absl::Status CheckOpen() const {
    if (closed_) return FsError(FsErrorKind::kState, absl::StrCat("igfs: '", path_, "' is closed"));
    return absl::OkStatus();
  }

  absl::Status Send() {
    if (buffer_.empty()) return absl::OkStatus();
    absl::Status s = Fs(fs_->connection_->WriteBlock(stream_, buffer_));
    buffer_.clear();
    return s;
  }

  absl::Status CloseStream() {
    closed_ = true;
    return Fs(fs_->connection_->Close(stream_));
  }

  std::shared_ptr<NativeIgfs> fs_;
  const std::string path_;
  int64_t stream_;
  int64_t position_;
  int64_t synced_ = -1;
  bool closed_ = false;
  std::vector<uint8_t> buffer_;
};

// ---- the filesystem

absl::StatusOr<std::shared_ptr<NativeIgfs>> NativeIgfs::Connect(
    const igfs::ConnectionOptions& options) {
  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<igfs::Connection> connection,
                          igfs::Connection::Connect(options));
  return Adopt(std::move(connection), options);
}

std::shared_ptr<NativeIgfs> NativeIgfs::Adopt(std::unique_ptr<igfs::Connection> connection,
                                              const igfs::ConnectionOptions& options) {
  return std::shared_ptr<NativeIgfs>(new NativeIgfs(std::move(connection), options));
}

std::string NativeIgfs::Describe() const {
  return absl::StrCat(connection_->peer(), " (IGFS '", connection_->handshake().fs_name, "')");
}

absl::StatusOr<std::optional<FileStat>> NativeIgfs::Lookup(const std::string& path) {
  if (path == "/") return RootStat();
  IGNITE_ASSIGN_OR_RETURN(std::optional<igfs::FileInfo> info, Fs(connection_->Info(path)));
  if (info.has_value()) return StatOf(*info);
  // Absent: a path under a file is "not a directory", as on a local disk.
  for (std::string parent = ParentPath(path); parent != "/"; parent = ParentPath(parent)) {
    IGNITE_ASSIGN_OR_RETURN(std::optional<igfs::FileInfo> up, Fs(connection_->Info(parent)));
    if (!up.has_value()) continue;
    if (!up->is_directory()) return PathNotADirectory(parent, absl::StrCat(" (in '", path, "')"));
    break;
  }
  return std::optional<FileStat>();
}

absl::Status NativeIgfs::CheckParentIsDirectory(const std::string& path) {
  if (path == "/") return absl::OkStatus();
  const std::string parent = ParentPath(path);
  IGNITE_ASSIGN_OR_RETURN(std::optional<FileStat> up, Lookup(parent));
  if (!up.has_value()) return PathNotFound(parent);
  if (!up->is_directory) return PathNotADirectory(parent, "");
  return absl::OkStatus();
}

absl::StatusOr<FileStat> NativeIgfs::Stat(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(std::optional<FileStat> stat, Lookup(path));
  if (!stat.has_value()) return PathNotFound(path);
  return *stat;
}

absl::Status NativeIgfs::CreateDir(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(std::optional<FileStat> stat, Lookup(path));
  if (stat.has_value()) return PathExists(path);
  IGNITE_RETURN_IF_ERROR(CheckParentIsDirectory(path));
  return Fs(connection_->MakeDirectories(path));
}

absl::Status NativeIgfs::CreateDirs(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(std::optional<FileStat> stat, Lookup(path));
  if (stat.has_value()) {
    return stat->is_directory ? absl::OkStatus() : PathNotADirectory(path, "");
  }
  return Fs(connection_->MakeDirectories(path));
}

absl::StatusOr<std::vector<ListedEntry>> NativeIgfs::List(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(FileStat self, Stat(path));
  if (!self.is_directory) return PathNotADirectory(path, "");
  IGNITE_ASSIGN_OR_RETURN(std::vector<igfs::FileInfo> files, Fs(connection_->ListFiles(path)));
  std::vector<ListedEntry> out;
  out.reserve(files.size());
  for (const igfs::FileInfo& info : files) {
    out.push_back(ListedEntry{BaseName(info.path), StatOf(info)});
  }
  std::sort(out.begin(), out.end(),
            [](const ListedEntry& a, const ListedEntry& b) { return a.name < b.name; });
  return out;
}

absl::Status NativeIgfs::DeleteFile(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(FileStat stat, Stat(path));
  if (stat.is_directory) return PathIsADirectory(path, "; delete it as a directory");
  IGNITE_ASSIGN_OR_RETURN(bool deleted, Fs(connection_->Delete(path, /*recursive=*/false)));
  return deleted ? absl::OkStatus() : PathNotFound(path);
}

absl::Status NativeIgfs::DeleteDir(const std::string& path) {
  if (path == "/") return FsError(FsErrorKind::kState, "igfs: the root cannot be deleted");
  IGNITE_ASSIGN_OR_RETURN(FileStat stat, Stat(path));
  if (!stat.is_directory) return PathNotADirectory(path, "");
  IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> children, Fs(connection_->ListPaths(path)));
  if (!children.empty()) return DirectoryNotEmpty(path);
  IGNITE_ASSIGN_OR_RETURN(bool deleted, Fs(connection_->Delete(path, /*recursive=*/false)));
  return deleted ? absl::OkStatus() : PathNotFound(path);
}

absl::Status NativeIgfs::DeleteRecursively(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(FileStat stat, Stat(path));
  if (path == "/") {  // the root stays; everything in it goes
    IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> children, Fs(connection_->ListPaths(path)));
    for (const std::string& child : children) {
      IGNITE_RETURN_IF_ERROR(Fs(connection_->Delete(child, /*recursive=*/true).status()));
    }
    return absl::OkStatus();
  }
  IGNITE_ASSIGN_OR_RETURN(bool deleted,
                          Fs(connection_->Delete(path, /*recursive=*/stat.is_directory)));
  return deleted ? absl::OkStatus() : PathNotFound(path);
}

absl::Status NativeIgfs::Rename(const std::string& from, const std::string& to) {
  if (from == "/" || to == "/") {
    return FsError(FsErrorKind::kState, "igfs: the root cannot be renamed or replaced");
  }
  IGNITE_ASSIGN_OR_RETURN(FileStat src, Stat(from));
  if (from == to) return absl::OkStatus();
  if (IsUnder(to, from)) return IntoItself(from, to);
  IGNITE_RETURN_IF_ERROR(CheckParentIsDirectory(to));
  IGNITE_ASSIGN_OR_RETURN(std::optional<FileStat> dst, Lookup(to));
  if (dst.has_value()) {
    if (dst->is_directory && !src.is_directory) return PathIsADirectory(to, "");
    if (!dst->is_directory && src.is_directory) return PathNotADirectory(to, "");
    if (dst->is_directory) {
      IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> children, Fs(connection_->ListPaths(to)));
      if (!children.empty()) return DirectoryNotEmpty(to);
    }
    // IGFS does not replace (and would move `from` into a directory at `to`).
    IGNITE_RETURN_IF_ERROR(Fs(connection_->Delete(to, /*recursive=*/false).status()));
  }
  return Fs(connection_->Rename(from, to));
}

absl::StatusOr<std::unique_ptr<ReadableFile>> NativeIgfs::OpenRead(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(FileStat stat, Stat(path));
  if (stat.is_directory) return PathIsADirectory(path, "; it cannot be read as a file");
  IGNITE_ASSIGN_OR_RETURN(igfs::ReadDescriptor stream, Fs(connection_->OpenRead(path)));
  return std::unique_ptr<ReadableFile>(new NativeReader(shared_from_this(), path, stream));
}

absl::StatusOr<std::unique_ptr<WritableFile>> NativeIgfs::OpenWrite(const std::string& path,
                                                                    bool append) {
  if (path == "/") return PathIsADirectory(path, "");
  IGNITE_RETURN_IF_ERROR(CheckParentIsDirectory(path));
  IGNITE_ASSIGN_OR_RETURN(std::optional<FileStat> stat, Lookup(path));
  if (stat.has_value() && stat->is_directory) {
    return PathIsADirectory(path, "; it cannot be opened for writing");
  }
  int64_t stream = 0;
  int64_t start = 0;
  if (append) {
    IGNITE_ASSIGN_OR_RETURN(stream, Fs(connection_->OpenAppend(path, /*create=*/true)));
    start = stat.has_value() ? stat->length : 0;
  } else {
    IGNITE_ASSIGN_OR_RETURN(stream, Fs(connection_->OpenCreate(path)));
  }
  return std::unique_ptr<WritableFile>(new NativeWriter(shared_from_this(), path, stream, start));
}

}  // namespace ignite_tf::fs
