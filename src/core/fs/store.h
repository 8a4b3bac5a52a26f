// fs/store.h: igfs, a file system kept in Apache Ignite caches (IGFS itself left Ignite in 2.9).
//
// Layout, for a filesystem named <fs> (several filesystems can share a cluster):
//
//   IGFS_<fs>_ENTRIES   key: normalized absolute path string ("/ckpt/model.index")
//                       value: object IgfsEntry {kind: int (0 file, 1 directory), length: long,
//                              block_size: int, mtime_ms: long, content_id: String,
//                              open: bool (published by a writer that has not closed yet)}
//                       The root "/" is implicit and never stored.
//   IGFS_<fs>_BLOCKS    key: String "<content_id>/<block index>"
//                       value: byte[] of block_size bytes (the last block of a content may be
//                              shorter, and may hold bytes past the published length)
//   IGFS_<fs>_CONTENTS  key: content_id; value: long (creation time, ms since the epoch). The
//                       register of every content ever started, so gc() finds orphans without
//                       scanning block data.
//
// A content id is "<creation ms, 12 hex digits>-<128 random bits, 32 hex digits>".
//
// Writes: a writer streams full blocks under a fresh content id, keeping at most one block in
// memory, and publishes the path entry last. An append first copies the file's blocks into its
// fresh content (one block at a time; the cost of an append is a read and a write of the whole
// file), so appends publish like other writes and two appenders never share a content. Publication
// is a compare-and-set on the path's entry (putIfAbsent / replaceIfEquals against the entry the
// writer saw when it opened or last published), so a reader sees either the old content or the
// whole published new content, and a writer killed before publishing leaves the old entry
// untouched. Flush publishes what is written so far (same content id, new length, open=true):
// TensorBoard reads growing files.
//
// Two writers racing on one path: the first to publish wins; the other one's next flush/close
// fails with ABORTED ("replaced by another writer"), and it deletes its own unpublished blocks.
// The same happens to a writer whose file was deleted or renamed away while it was open.
// Replaced content is deleted by the writer that replaced it, at its close (readers that still
// hold the old content then get ABORTED on blocks that vanished).
//
// Rename of a file is two single-key updates: remove the source entry (compare-and-remove), then
// getAndPut the destination entry, whose old content is then deleted. Readers of the destination
// see the old or the new content, never nothing; a crash between the two steps loses the file
// (its blocks are then orphans for gc()). A directory rename moves every entry under it one by
// one, which is not atomic.
//
// Directories are entries of kind 1; listing, recursive delete and directory rename scan the
// whole ENTRIES cache (cost: one pass over all entries of the filesystem, ~100 bytes each).
//
// Orphans (blocks of killed writers, of crashed renames or of replaced content whose deleter
// died) are reclaimed by CollectGarbage(): contents registered more than `min_age` ago that no
// entry references lose their blocks and their register entry. The entries are scanned twice
// (before and after the register), so a file whose rename was between its two steps during one
// scan is seen by the other. `min_age` (default one hour) must exceed the longest time a writer
// writes before its first flush or close.
#ifndef IGNITE_TF_CORE_FS_STORE_H_
#define IGNITE_TF_CORE_FS_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/binary/value.h"
#include "core/client/client.h"
#include "core/fs/filesystem.h"

namespace ignite_tf::fs {

inline constexpr int64_t kDefaultBlockSize = 1 << 20;

struct StoreOptions {
  std::string fs_name = "default";
  int64_t block_size = kDefaultBlockSize;  // for new files; each file records its own
};

enum class EntryKind : int32_t { kFile = 0, kDirectory = 1 };

struct Entry {
  EntryKind kind = EntryKind::kFile;
  int64_t length = 0;
  int64_t block_size = kDefaultBlockSize;
  int64_t mtime_ms = 0;
  std::string content_id;
  bool open = false;

  bool is_directory() const { return kind == EntryKind::kDirectory; }
  FileStat ToStat() const;
  Value ToValue() const;
  static absl::StatusOr<Entry> FromValue(const Value& value);
};

struct GcStats {
  int64_t contents_checked = 0;
  int64_t contents_removed = 0;
  int64_t blocks_removed = 0;
};

class Store;

// Reads one version of a file: the content id seen at open. Thread-safe (TensorFlow reads one
// file from several threads). Reads past the known length re-check the entry, so a file that
// its writer keeps flushing can be followed.
class FileReader : public ReadableFile {
 public:
  absl::Status Read(int64_t offset, int64_t n, char* out, int64_t* read) override;
  int64_t length() override;
  const std::string& path() const override { return path_; }

 private:
  friend class Store;
  FileReader(std::shared_ptr<Store> store, std::string path, Entry entry)
      : store_(std::move(store)), path_(std::move(path)), entry_(std::move(entry)) {}
  absl::StatusOr<std::shared_ptr<const std::vector<uint8_t>>> Block(int64_t index);

  std::shared_ptr<Store> store_;
  std::string path_;
  absl::Mutex mu_;
  Entry entry_;
  int64_t cached_index_ = -1;
  std::shared_ptr<const std::vector<uint8_t>> cached_;
};

// Writes a file block by block and publishes it (see the layout comment).
class FileWriter : public WritableFile {
 public:
  ~FileWriter() override;  // abandons an unclosed writer: unpublished blocks are deleted
  absl::Status Append(const char* data, int64_t n) override;
  absl::Status Flush() override;  // publishes what is written so far (open=true)
  absl::Status Sync() override { return Flush(); }
  absl::Status Close() override;  // publishes the whole file; the writer is unusable after
  int64_t position() const override { return length_; }
  const std::string& path() const override { return path_; }

 private:
  friend class Store;
  FileWriter(std::shared_ptr<Store> store, std::string path)
      : store_(std::move(store)), path_(std::move(path)) {}
  absl::Status WriteBlock(bool partial);
  absl::Status Publish(bool final_publish);
  void Discard();

  std::shared_ptr<Store> store_;
  std::string path_;
  absl::Mutex mu_;
  Entry entry_;     // what gets published
  Value expected_;  // entry value in the cache we compare against (null: absent)
  bool published_ = false;
  bool closed_ = false;
  bool partial_written_ = false;  // the buffered tail has been stored as a partial block
  std::string replaced_content_;  // content displaced by our first publication
  int64_t replaced_blocks_ = 0;
  int64_t length_ = 0;           // bytes written so far
  std::vector<uint8_t> buffer_;  // bytes of the current block, at most block_size
};

// The cache-backed backend of fs/filesystem.h (Backend::kThin).
class Store : public FileSystem, public std::enable_shared_from_this<Store> {
 public:
  // Creates the three caches when missing.
  static absl::StatusOr<std::shared_ptr<Store>> Open(std::shared_ptr<Client> client,
                                                     StoreOptions options);

  Backend backend() const override { return Backend::kThin; }
  std::string Describe() const override;
  bool broken() const override;

  absl::StatusOr<FileStat> Stat(const std::string& path) override;
  absl::Status CreateDir(const std::string& path) override;
  absl::Status CreateDirs(const std::string& path) override;
  absl::StatusOr<std::vector<ListedEntry>> List(const std::string& path) override;
  absl::Status DeleteFile(const std::string& path) override;
  absl::Status DeleteDir(const std::string& path) override;
  absl::Status DeleteRecursively(const std::string& path) override;
  // A directory moves with everything under it (entry by entry, not atomic).
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::StatusOr<std::unique_ptr<ReadableFile>> OpenRead(const std::string& path) override;
  // A replaced file keeps its old content until this writer publishes.
  absl::StatusOr<std::unique_ptr<WritableFile>> OpenWrite(const std::string& path,
                                                          bool append) override;

  absl::StatusOr<GcStats> CollectGarbage(absl::Duration min_age);

  const std::string& entries_cache() const { return entries_cache_; }
  const std::string& blocks_cache() const { return blocks_cache_; }
  const std::string& contents_cache() const { return contents_cache_; }
  const StoreOptions& options() const { return options_; }
  Client& client() { return *client_; }

 private:
  friend class FileReader;
  friend class FileWriter;
  Store(std::shared_ptr<Client> client, StoreOptions options);

  absl::StatusOr<Entry> StatEntry(const std::string& path);
  // The entry value (null when absent), checking that every parent is a directory.
  absl::StatusOr<Value> GetEntryValue(const std::string& path);
  absl::Status CheckParentIsDirectory(const std::string& path);
  // Every stored entry at or under `dir` (a full scan of the entries cache).
  absl::StatusOr<std::vector<std::pair<std::string, Entry>>> ScanUnder(const std::string& dir);
  absl::StatusOr<std::string> NewContent();
  // Deletes blocks [first_block, ...) of a content until one is missing past `known_blocks`,
  // and its register entry.
  absl::Status DeleteContent(const std::string& content_id, int64_t known_blocks,
                             int64_t* removed = nullptr);
  absl::StatusOr<std::shared_ptr<const std::vector<uint8_t>>> ReadBlock(const std::string& content,
                                                                        int64_t index);
  absl::Status WriteBlock(const std::string& content, int64_t index,
                          const std::vector<uint8_t>& data);

  std::shared_ptr<Client> client_;
  StoreOptions options_;
  std::string entries_cache_, blocks_cache_, contents_cache_;
};

}  // namespace ignite_tf::fs

#endif  // IGNITE_TF_CORE_FS_STORE_H_
