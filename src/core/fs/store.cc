#include "core/fs/store.h"

#include <algorithm>
#include <cstring>
#include <random>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/binary/decoder.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"
#include "core/fs/errors.h"
#include "core/fs/path.h"

namespace ignite_tf::fs {
namespace {

constexpr char kEntryType[] = "IgfsEntry";
// Blocks removed per request when deleting a content.
constexpr int64_t kRemoveBatch = 64;

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

Value Key(const std::string& s) { return Value::String(s); }

Value BlockKey(const std::string& content, int64_t index) {
  return Value::String(absl::StrCat(content, "/", index));
}

int64_t BlockCount(int64_t length, int64_t block_size) {
  return block_size <= 0 ? 0 : (length + block_size - 1) / block_size;
}

// Decodes every (key, value) row of `cache` and hands it to `visit`, page by page.
absl::Status ScanCache(Client& client, const std::string& cache, TypeResolver* types,
                       absl::FunctionRef<absl::Status(Value& key, const Value& value)> visit) {
  ScanOptions options;
  options.page_size = 1024;
  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<ScanCursor> cursor, client.Scan(cache, options));
  ValueDecoder decoder(types);
  while (true) {
    IGNITE_ASSIGN_OR_RETURN(std::optional<Page> page, cursor->NextPage());
    if (!page.has_value()) return absl::OkStatus();
    size_t pos = page->rows_begin;
    for (int32_t i = 0; i < page->row_count; ++i) {
      IGNITE_ASSIGN_OR_RETURN(Value key, decoder.Decode(page->frame, &pos, "key"));
      IGNITE_ASSIGN_OR_RETURN(Value value, decoder.Decode(page->frame, &pos, "value"));
      IGNITE_RETURN_IF_ERROR(visit(key, value));
    }
  }
}

absl::Status Replaced(const std::string& path) {
  return FsError(
      FsErrorKind::kConflict,
      absl::StrCat(
          "igfs: '", path,
          "' was replaced, renamed or deleted by someone else while this writer had it open; the "
          "other change wins and this writer's data is dropped"));
}

}  // namespace

Value Entry::ToValue() const {
  auto object = std::make_shared<ObjectValue>();
  object->type_name = kEntryType;
  object->fields = {
      {"kind", Value::Integer(kInt, static_cast<int32_t>(kind))},
      {"length", Value::Integer(kLong, length)},
      {"block_size", Value::Integer(kInt, block_size)},
      {"mtime_ms", Value::Integer(kLong, mtime_ms)},
      {"content_id", Value::String(content_id)},
      {"open", Value::Integer(kBool, open ? 1 : 0)},
  };
  return Value::Object(std::move(object));
}

FileStat Entry::ToStat() const {
  FileStat stat;
  stat.is_directory = is_directory();
  stat.length = is_directory() ? 0 : length;
  stat.mtime_ms = mtime_ms;
  stat.block_size = is_directory() ? 0 : block_size;
  stat.open = open;
  return stat;
}

absl::StatusOr<Entry> Entry::FromValue(const Value& value) {
  if (value.code != kComplexObject || value.object == nullptr) {
    return ProtocolError("igfs: an entry of the entries cache is not an IgfsEntry object");
  }
  Entry e;
  const ObjectValue& o = *value.object;
  const Value* kind = o.Find("kind");
  const Value* length = o.Find("length");
  const Value* block_size = o.Find("block_size");
  if (kind == nullptr || length == nullptr || block_size == nullptr) {
    return ProtocolError("igfs: an IgfsEntry lacks kind, length or block_size");
  }
  e.kind = kind->integer == 1 ? EntryKind::kDirectory : EntryKind::kFile;
  e.length = length->integer;
  e.block_size = block_size->integer;
  if (const Value* v = o.Find("mtime_ms")) e.mtime_ms = v->integer;
  if (const Value* v = o.Find("content_id")) e.content_id = v->text;
  if (const Value* v = o.Find("open")) e.open = v->integer != 0;
  if (e.kind == EntryKind::kFile && (e.length < 0 || e.block_size <= 0)) {
    return ProtocolError("igfs: an IgfsEntry has a negative length or no block size");
  }
  return e;
}

Store::Store(std::shared_ptr<Client> client, StoreOptions options)
    : client_(std::move(client)), options_(std::move(options)) {
  entries_cache_ = absl::StrCat("IGFS_", options_.fs_name, "_ENTRIES");
  blocks_cache_ = absl::StrCat("IGFS_", options_.fs_name, "_BLOCKS");
  contents_cache_ = absl::StrCat("IGFS_", options_.fs_name, "_CONTENTS");
}

absl::StatusOr<std::shared_ptr<Store>> Store::Open(std::shared_ptr<Client> client,
                                                   StoreOptions options) {
  if (options.block_size <= 0 || options.block_size > (64 << 20)) {
    return absl::InvalidArgumentError("igfs: block size must be 1 byte to 64 MiB");
  }
  if (options.fs_name.empty()) options.fs_name = "default";
  std::shared_ptr<Store> store(new Store(std::move(client), std::move(options)));
  for (const std::string* cache :
       {&store->entries_cache_, &store->blocks_cache_, &store->contents_cache_}) {
    IGNITE_RETURN_IF_ERROR(store->client_->GetOrCreateCache(*cache));
  }
  return store;
}

bool Store::broken() const { return client_->connection()->broken(); }

std::string Store::Describe() const {
  return absl::StrCat(client_->connection()->peer(), " (caches IGFS_", options_.fs_name, "_*)");
}

absl::Status Store::CheckParentIsDirectory(const std::string& path) {
  if (path == "/") return absl::OkStatus();
  std::string parent = ParentPath(path);
  if (parent == "/") return absl::OkStatus();
  IGNITE_ASSIGN_OR_RETURN(Value v, GetEntryValue(parent));
  if (v.is_null()) return PathNotFound(parent);
  IGNITE_ASSIGN_OR_RETURN(Entry e, Entry::FromValue(v));
  if (!e.is_directory()) return PathNotADirectory(parent, "");
  return absl::OkStatus();
}

absl::StatusOr<Value> Store::GetEntryValue(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(Value v, client_->Get(entries_cache_, Key(path)));
  if (!v.is_null()) return v;
  // Absent: a path under a file is "not a directory", as on a local disk.
  std::string parent = ParentPath(path);
  while (parent != "/") {
    IGNITE_ASSIGN_OR_RETURN(Value p, client_->Get(entries_cache_, Key(parent)));
    if (!p.is_null()) {
      IGNITE_ASSIGN_OR_RETURN(Entry e, Entry::FromValue(p));
      if (!e.is_directory()) return PathNotADirectory(parent, absl::StrCat(" (in '", path, "')"));
      break;
    }
    parent = ParentPath(parent);
  }
  return Value::Null();
}

absl::StatusOr<FileStat> Store::Stat(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(Entry e, StatEntry(path));
  return e.ToStat();
}

absl::StatusOr<Entry> Store::StatEntry(const std::string& path) {
  if (path == "/") {
    Entry root;
    root.kind = EntryKind::kDirectory;
    root.block_size = 0;
    return root;
  }
  IGNITE_ASSIGN_OR_RETURN(Value v, GetEntryValue(path));
  if (v.is_null()) return PathNotFound(path);
  return Entry::FromValue(v);
}

absl::Status Store::CreateDir(const std::string& path) {
  if (path == "/") return FsError(FsErrorKind::kExists, "igfs: '/' already exists");
  IGNITE_RETURN_IF_ERROR(CheckParentIsDirectory(path));
  Entry dir;
  dir.kind = EntryKind::kDirectory;
  dir.block_size = 0;
  dir.mtime_ms = NowMs();
  IGNITE_ASSIGN_OR_RETURN(bool created,
                          client_->PutIfAbsent(entries_cache_, Key(path), dir.ToValue()));
  if (!created) return PathExists(path);
  return absl::OkStatus();
}

absl::Status Store::CreateDirs(const std::string& path) {
  std::vector<std::string> missing;
  std::string p = path;
  while (p != "/") {
    IGNITE_ASSIGN_OR_RETURN(Value v, client_->Get(entries_cache_, Key(p)));
    if (!v.is_null()) {
      IGNITE_ASSIGN_OR_RETURN(Entry e, Entry::FromValue(v));
      if (!e.is_directory()) return PathNotADirectory(p, "");
      break;
    }
    missing.push_back(p);
    p = ParentPath(p);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    absl::Status s = CreateDir(*it);
    if (!s.ok() && !absl::IsAlreadyExists(s)) return s;
    if (absl::IsAlreadyExists(s)) {  // a concurrent creator, or a file that appeared
      IGNITE_ASSIGN_OR_RETURN(Entry e, StatEntry(*it));
      if (!e.is_directory()) return PathNotADirectory(*it, "");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<std::string, Entry>>> Store::ScanUnder(
    const std::string& dir) {
  std::vector<std::pair<std::string, Entry>> out;
  IGNITE_RETURN_IF_ERROR(ScanCache(*client_, entries_cache_, client_->types().get(),
                                   [&](Value& key, const Value& value) -> absl::Status {
                                     if (key.code != kString || !IsUnder(key.text, dir) ||
                                         key.text == dir) {
                                       return absl::OkStatus();
                                     }
                                     IGNITE_ASSIGN_OR_RETURN(Entry e, Entry::FromValue(value));
                                     out.emplace_back(std::move(key.text), std::move(e));
                                     return absl::OkStatus();
                                   }));
  return out;
}

absl::StatusOr<std::vector<ListedEntry>> Store::List(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(Entry self, StatEntry(path));
  if (!self.is_directory()) return PathNotADirectory(path, "");
  IGNITE_ASSIGN_OR_RETURN(auto all, ScanUnder(path));
  std::vector<ListedEntry> out;
  const size_t prefix = path == "/" ? 1 : path.size() + 1;
  for (auto& [p, e] : all) {
    if (p.find('/', prefix) != std::string::npos) continue;
    out.push_back(ListedEntry{p.substr(prefix), e.ToStat()});
  }
  std::sort(out.begin(), out.end(),
            [](const ListedEntry& a, const ListedEntry& b) { return a.name < b.name; });
  return out;
}

absl::Status Store::DeleteContent(const std::string& content_id, int64_t known_blocks,
                                  int64_t* removed) {
  if (content_id.empty()) return absl::OkStatus();
  int64_t index = 0;
  while (index < known_blocks) {
    std::vector<Value> keys;
    for (int64_t i = index; i < std::min(known_blocks, index + kRemoveBatch); ++i) {
      keys.push_back(BlockKey(content_id, i));
    }
    IGNITE_RETURN_IF_ERROR(client_->RemoveKeys(blocks_cache_, keys));
    if (removed != nullptr) *removed += static_cast<int64_t>(keys.size());
    index += static_cast<int64_t>(keys.size());
  }
  // Blocks past the published length (a writer that kept writing after its last flush).
  while (true) {
    IGNITE_ASSIGN_OR_RETURN(bool gone,
                            client_->RemoveKey(blocks_cache_, BlockKey(content_id, index)));
    if (!gone) break;
    if (removed != nullptr) ++*removed;
    ++index;
  }
  return client_->RemoveKey(contents_cache_, Key(content_id)).status();
}

absl::Status Store::DeleteFile(const std::string& path) {
  if (path == "/") return PathIsADirectory(path, "");
  IGNITE_ASSIGN_OR_RETURN(Value v, GetEntryValue(path));
  if (v.is_null()) return PathNotFound(path);
  IGNITE_ASSIGN_OR_RETURN(Entry e, Entry::FromValue(v));
  if (e.is_directory()) return PathIsADirectory(path, "; delete it as a directory");
  IGNITE_ASSIGN_OR_RETURN(bool removed, client_->RemoveIfEquals(entries_cache_, Key(path), v));
  if (!removed)
    return FsError(FsErrorKind::kConflict,
                   absl::StrCat("igfs: '", path, "' changed while deleting"));
  return DeleteContent(e.content_id, BlockCount(e.length, e.block_size));
}

absl::Status Store::DeleteDir(const std::string& path) {
  if (path == "/") return FsError(FsErrorKind::kState, "igfs: the root cannot be deleted");
  IGNITE_ASSIGN_OR_RETURN(Entry e, StatEntry(path));
  if (!e.is_directory()) return PathNotADirectory(path, "");
  IGNITE_ASSIGN_OR_RETURN(auto children, ScanUnder(path));
  if (!children.empty()) {
    return DirectoryNotEmpty(path);
  }
  return client_->RemoveKey(entries_cache_, Key(path)).status();
}

absl::Status Store::DeleteRecursively(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(Entry self, StatEntry(path));
  if (!self.is_directory()) return DeleteFile(path);
  IGNITE_ASSIGN_OR_RETURN(auto all, ScanUnder(path));
  // Deepest first, so a crash leaves a tree whose remaining parts are still reachable.
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [p, e] : all) {
    IGNITE_RETURN_IF_ERROR(client_->RemoveKey(entries_cache_, Key(p)).status());
    if (!e.is_directory()) {
      IGNITE_RETURN_IF_ERROR(DeleteContent(e.content_id, BlockCount(e.length, e.block_size)));
    }
  }
  if (path != "/") IGNITE_RETURN_IF_ERROR(client_->RemoveKey(entries_cache_, Key(path)).status());
  return absl::OkStatus();
}

absl::Status Store::Rename(const std::string& from, const std::string& to) {
  if (from == "/" || to == "/") {
    return FsError(FsErrorKind::kState, "igfs: the root cannot be renamed or replaced");
  }
  IGNITE_ASSIGN_OR_RETURN(Value src_value, GetEntryValue(from));
  if (src_value.is_null()) return PathNotFound(from);
  IGNITE_ASSIGN_OR_RETURN(Entry src, Entry::FromValue(src_value));
  if (from == to) return absl::OkStatus();
  if (IsUnder(to, from)) {
    return IntoItself(from, to);
  }
  IGNITE_RETURN_IF_ERROR(CheckParentIsDirectory(to));
  IGNITE_ASSIGN_OR_RETURN(Value dst_value, GetEntryValue(to));
  if (!dst_value.is_null()) {
    IGNITE_ASSIGN_OR_RETURN(Entry dst, Entry::FromValue(dst_value));
    if (dst.is_directory() && !src.is_directory()) return PathIsADirectory(to, "");
    if (!dst.is_directory() && src.is_directory()) return PathNotADirectory(to, "");
    if (dst.is_directory()) {
      IGNITE_ASSIGN_OR_RETURN(auto children, ScanUnder(to));
      if (!children.empty()) {
        return DirectoryNotEmpty(to);
      }
    }
  }
  if (src.is_directory()) {
    IGNITE_ASSIGN_OR_RETURN(auto all, ScanUnder(from));
    // Parents before children.
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    IGNITE_RETURN_IF_ERROR(client_->Put(entries_cache_, Key(to), src_value));
    for (const auto& [p, e] : all) {
      std::string moved = absl::StrCat(to, p.substr(from.size()));
      IGNITE_RETURN_IF_ERROR(client_->Put(entries_cache_, Key(moved), e.ToValue()));
      IGNITE_RETURN_IF_ERROR(client_->RemoveKey(entries_cache_, Key(p)).status());
    }
    return client_->RemoveKey(entries_cache_, Key(from)).status();
  }
  IGNITE_ASSIGN_OR_RETURN(bool removed,
                          client_->RemoveIfEquals(entries_cache_, Key(from), src_value));
  if (!removed) {
    return FsError(FsErrorKind::kConflict,
                   absl::StrCat("igfs: '", from, "' changed while renaming it"));
  }
  src.open = false;
  IGNITE_ASSIGN_OR_RETURN(Value old, client_->GetAndPut(entries_cache_, Key(to), src.ToValue()));
  if (!old.is_null()) {
    IGNITE_ASSIGN_OR_RETURN(Entry replaced, Entry::FromValue(old));
    if (!replaced.is_directory() && replaced.content_id != src.content_id) {
      IGNITE_RETURN_IF_ERROR(
          DeleteContent(replaced.content_id, BlockCount(replaced.length, replaced.block_size)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Store::NewContent() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const int64_t now = NowMs();
  std::string id = absl::StrFormat("%012x-%016x%016x", now, rng(), rng());
  IGNITE_RETURN_IF_ERROR(client_->Put(contents_cache_, Key(id), Value::Integer(kLong, now)));
  return id;
}

absl::StatusOr<std::shared_ptr<const std::vector<uint8_t>>> Store::ReadBlock(
    const std::string& content, int64_t index) {
  IGNITE_ASSIGN_OR_RETURN(Value v, client_->Get(blocks_cache_, BlockKey(content, index)));
  if (v.is_null()) {
    return FsError(FsErrorKind::kConflict,
                   absl::StrCat("igfs: block ", index, " of content ", content,
                                " is gone (the file was replaced or deleted while "
                                "being read)"));
  }
  if (v.code != kByteArray) return ProtocolError("igfs: a block is not a byte[]");
  return std::make_shared<const std::vector<uint8_t>>(std::move(v.elements));
}

absl::Status Store::WriteBlock(const std::string& content, int64_t index,
                               const std::vector<uint8_t>& data) {
  return client_->Put(blocks_cache_, BlockKey(content, index), Value::Array(kByteArray, data));
}

absl::StatusOr<std::unique_ptr<ReadableFile>> Store::OpenRead(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(Entry e, StatEntry(path));
  if (e.is_directory()) return PathIsADirectory(path, "; it cannot be read as a file");
  return std::unique_ptr<ReadableFile>(new FileReader(shared_from_this(), path, std::move(e)));
}

absl::StatusOr<std::unique_ptr<WritableFile>> Store::OpenWrite(const std::string& path,
                                                               bool append) {
  if (path == "/") return PathIsADirectory(path, "");
  IGNITE_RETURN_IF_ERROR(CheckParentIsDirectory(path));
  IGNITE_ASSIGN_OR_RETURN(Value current, client_->Get(entries_cache_, Key(path)));
  std::unique_ptr<FileWriter> w(new FileWriter(shared_from_this(), path));
  w->expected_ = current;
  w->entry_.kind = EntryKind::kFile;
  w->entry_.block_size = options_.block_size;
  absl::optional<Entry> appended;
  if (!current.is_null()) {
    IGNITE_ASSIGN_OR_RETURN(Entry e, Entry::FromValue(current));
    if (e.is_directory()) return PathIsADirectory(path, "; it cannot be opened for writing");
    w->replaced_content_ = e.content_id;
    w->replaced_blocks_ = BlockCount(e.length, e.block_size);
    if (append) {
      w->entry_.block_size = e.block_size;  // the file keeps its own block size
      appended = std::move(e);
    }
  }
  IGNITE_ASSIGN_OR_RETURN(w->entry_.content_id, NewContent());
  w->buffer_.reserve(static_cast<size_t>(w->entry_.block_size));
  if (appended.has_value()) {
    // Copy-on-append: the existing bytes are copied block by block into the writer's own
    // content, so an append publishes like any other write (old or whole new content), and two
    // appenders never write into one content. The copy costs one read and one write per block.
    const Entry& e = *appended;
    const int64_t full = e.length / e.block_size;
    for (int64_t i = 0; i <= full; ++i) {
      const int64_t want = i < full ? e.block_size : e.length % e.block_size;
      if (want == 0) break;
      absl::StatusOr<std::shared_ptr<const std::vector<uint8_t>>> block =
          ReadBlock(e.content_id, i);
      absl::Status s = block.status();
      if (s.ok() && static_cast<int64_t>((*block)->size()) < want) {
        s = ProtocolError(absl::StrCat("igfs: block ", i, " of '", path, "' is short"));
      }
      if (s.ok() && i < full) {
        if ((*block)->size() == static_cast<size_t>(want)) {
          s = WriteBlock(w->entry_.content_id, i, **block);
        } else {
          s = WriteBlock(w->entry_.content_id, i,
                         std::vector<uint8_t>((*block)->begin(), (*block)->begin() + want));
        }
      }
      if (!s.ok()) {
        w->length_ = i * e.block_size;
        w->Discard();  // the blocks copied so far
        return s;
      }
      w->length_ += want;
      if (i == full) w->buffer_.assign((*block)->begin(), (*block)->begin() + want);
    }
  }
  return std::unique_ptr<WritableFile>(std::move(w));
}

absl::StatusOr<GcStats> Store::CollectGarbage(absl::Duration min_age) {
  GcStats stats;
  absl::flat_hash_set<std::string> referenced;
  IGNITE_ASSIGN_OR_RETURN(auto all, ScanUnder("/"));
  for (const auto& [p, e] : all) {
    if (!e.content_id.empty()) referenced.insert(e.content_id);
  }
  const int64_t cutoff = NowMs() - absl::ToInt64Milliseconds(min_age);
  std::vector<std::string> orphans;
  IGNITE_RETURN_IF_ERROR(ScanCache(
      *client_, contents_cache_, nullptr, [&](Value& key, const Value& created) -> absl::Status {
        ++stats.contents_checked;
        if (!referenced.contains(key.text) && created.integer <= cutoff) {
          orphans.push_back(std::move(key.text));
        }
        return absl::OkStatus();
      }));
  if (orphans.empty()) return stats;
  // Re-check against a second scan of the entries: a file renamed during the first scan had its
  // source entry removed before its destination entry was put, so its content may have looked
  // unreferenced.
  IGNITE_ASSIGN_OR_RETURN(auto again, ScanUnder("/"));
  for (const auto& [p, e] : again) {
    if (!e.content_id.empty()) referenced.insert(e.content_id);
  }
  for (const std::string& id : orphans) {
    if (referenced.contains(id)) continue;
    IGNITE_RETURN_IF_ERROR(DeleteContent(id, 0, &stats.blocks_removed));
    ++stats.contents_removed;
  }
  return stats;
}

// ---- FileReader

int64_t FileReader::length() {
  absl::MutexLock lock(&mu_);
  return entry_.length;
}

absl::StatusOr<std::shared_ptr<const std::vector<uint8_t>>> FileReader::Block(int64_t index) {
  // Called with mu_ held for the cache only; the fetch runs unlocked.
  {
    absl::MutexLock lock(&mu_);
    if (index == cached_index_) return cached_;
  }
  IGNITE_ASSIGN_OR_RETURN(auto block, store_->ReadBlock(entry_.content_id, index));
  absl::MutexLock lock(&mu_);
  cached_index_ = index;
  cached_ = block;
  return block;
}

absl::Status FileReader::Read(int64_t offset, int64_t n, char* out, int64_t* read) {
  *read = 0;
  if (offset < 0 || n < 0) return absl::InvalidArgumentError("igfs: negative offset or size");
  int64_t length, block_size;
  {
    absl::MutexLock lock(&mu_);
    length = entry_.length;
    block_size = entry_.block_size;
  }
  if (offset + n > length) {  // the file may have grown (a writer that flushes)
    absl::StatusOr<Value> v = store_->client_->Get(store_->entries_cache_, Key(path_));
    if (v.ok() && !v->is_null()) {
      absl::StatusOr<Entry> e = Entry::FromValue(*v);
      absl::MutexLock lock(&mu_);
      if (e.ok() && e->content_id == entry_.content_id && e->length > entry_.length) {
        if (cached_index_ >= entry_.length / block_size) {
          cached_index_ = -1;  // the cached tail block may have grown
          cached_.reset();
        }
        entry_.length = e->length;
      }
      length = entry_.length;
    }
  }
  int64_t want = std::max<int64_t>(0, std::min(n, length - offset));
  while (*read < want) {
    const int64_t pos = offset + *read;
    const int64_t index = pos / block_size;
    IGNITE_ASSIGN_OR_RETURN(auto block, Block(index));
    const int64_t in_block = pos - index * block_size;
    const int64_t take = std::min(want - *read, static_cast<int64_t>(block->size()) - in_block);
    if (take <= 0) {
      return absl::DataLossError(
          absl::StrCat("igfs: block ", index, " of '", path_, "' is shorter than the file"));
    }
    std::memcpy(out + *read, block->data() + in_block, static_cast<size_t>(take));
    *read += take;
  }
  if (*read < n) {
    return absl::OutOfRangeError(absl::StrCat("igfs: end of file '", path_, "'"));
  }
  return absl::OkStatus();
}

// ---- FileWriter

FileWriter::~FileWriter() {
  absl::MutexLock lock(&mu_);
  if (!closed_) Discard();
}

void FileWriter::Discard() {
  closed_ = true;
  if (published_) return;  // published data belongs to the file now
  (void)store_->DeleteContent(entry_.content_id, BlockCount(length_, entry_.block_size));
}

absl::Status FileWriter::WriteBlock(bool partial) {
  const int64_t index = (length_ - static_cast<int64_t>(buffer_.size())) / entry_.block_size;
  IGNITE_RETURN_IF_ERROR(store_->WriteBlock(entry_.content_id, index, buffer_));
  if (partial) {
    partial_written_ = true;
  } else {
    buffer_.clear();
    partial_written_ = false;
  }
  return absl::OkStatus();
}

absl::Status FileWriter::Append(const char* data, int64_t n) {
  absl::MutexLock lock(&mu_);
  if (closed_) return FsError(FsErrorKind::kState, absl::StrCat("igfs: '", path_, "' is closed"));
  while (n > 0) {
    const int64_t room = entry_.block_size - static_cast<int64_t>(buffer_.size());
    const int64_t take = std::min(room, n);
    buffer_.insert(buffer_.end(), data, data + take);
    data += take;
    n -= take;
    length_ += take;
    if (static_cast<int64_t>(buffer_.size()) == entry_.block_size) {
      IGNITE_RETURN_IF_ERROR(WriteBlock(false));
    }
  }
  return absl::OkStatus();
}

absl::Status FileWriter::Publish(bool final_publish) {
  if (!buffer_.empty()) IGNITE_RETURN_IF_ERROR(WriteBlock(true));
  Entry next = entry_;
  next.length = length_;
  next.mtime_ms = NowMs();
  next.open = !final_publish;
  Value value = next.ToValue();
  Value key = Key(path_);
  bool ok = false;
  if (expected_.is_null()) {
    IGNITE_ASSIGN_OR_RETURN(ok, store_->client_->PutIfAbsent(store_->entries_cache_, key, value));
  } else {
    IGNITE_ASSIGN_OR_RETURN(
        ok, store_->client_->ReplaceIfEquals(store_->entries_cache_, key, expected_, value));
  }
  if (!ok) {
    Discard();
    return Replaced(path_);
  }
  entry_ = next;
  expected_ = std::move(value);
  published_ = true;
  return absl::OkStatus();
}

absl::Status FileWriter::Flush() {
  absl::MutexLock lock(&mu_);
  if (closed_) return FsError(FsErrorKind::kState, absl::StrCat("igfs: '", path_, "' is closed"));
  return Publish(false);
}

absl::Status FileWriter::Close() {
  absl::MutexLock lock(&mu_);
  if (closed_) return absl::OkStatus();
  absl::Status s = Publish(true);
  if (!s.ok()) {
    if (!closed_) Discard();
    return s;
  }
  closed_ = true;
  if (!replaced_content_.empty() && replaced_content_ != entry_.content_id) {
    // The old content of the path: nobody references it any more.
    return store_->DeleteContent(replaced_content_, replaced_blocks_);
  }
  return absl::OkStatus();
}

}  // namespace ignite_tf::fs
