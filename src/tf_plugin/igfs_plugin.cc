// tf_plugin/igfs_plugin.cc: the igfs:// TensorFlow modular filesystem plugin. It uses only
// TensorFlow's C filesystem interface (our declarations in tf_filesystem_abi.h) and links nothing
// of TensorFlow: TF_SetStatus is looked up at TF_InitPlugin time in the already-loaded
// libtensorflow_framework.so.2 (dlopen with RTLD_NOLOAD), so one build loads into any TF 2.x.
//
// Paths arrive as full URIs (translate_name keeps the authority): igfs://host:port/path (or
// igfs://h1:p1,h2:p2/path: several nodes of one cluster), where an
// empty authority means IGFS_HOST / IGFS_PORT, then localhost:10800. The port's protocol picks
// the backend (fs/open.h): the thin client (files in caches IGFS_<name>_*) or Ignite 2.8's native
// IGFS; IGFS_PROTOCOL=thin|native or ?protocol= in the URI chooses without asking. IGFS_FS_NAME
// picks the filesystem (the store's default is "default"; a native endpoint's, its one IGFS).
// TLS and credentials (thin client only): a query with non-secret options
// (?ca_file=...&certfile=...) and IGNITE_DATASET_* variables (ReadEnvironment below, the
// plugin's one reader of the environment).
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/client/client.h"
#include "core/client/connection_options.h"
#include "core/common/error.h"
#include "core/fs/filesystem.h"
#include "core/fs/open.h"
#include "core/fs/path.h"
#include "tf_plugin/tf_filesystem_abi.h"

namespace ignite_tf::tf_plugin {
namespace {

using SetStatusFn = void (*)(TF_Status*, TF_Code, const char*);
SetStatusFn g_set_status = nullptr;

// A status's option hints in the plugin's terms: a setting comes from the igfs:// URI's query
// (secrets never do) or from an IGNITE_DATASET_<OPTION> variable.
std::string PluginMessage(const absl::Status& s) {
  std::string message(s.message());
  std::vector<OptionHint> hints = GetHints(s);
  for (size_t i = 0; i < hints.size(); ++i) {
    const OptionHint& hint = hints[i];
    const std::string env = absl::StrCat("IGNITE_DATASET_", absl::AsciiStrToUpper(hint.option));
    const bool secret =
        hint.option == "cert_password" || hint.option == "password" || hint.option == "username";
    absl::StrAppend(&message, i == 0 ? ": set " : ", or set ",
                    secret
                        ? absl::StrCat(env, "=", hint.value)
                        : absl::StrCat("?", hint.option, "=", hint.value, " in the igfs:// URI",
                                       hint.option == "tls" ? "" : absl::StrCat(" (or ", env, ")")),
                    hint.note.empty() ? "" : " ", hint.note);
  }
  return message;
}

void SetStatus(TF_Status* status, const absl::Status& s) {
  if (g_set_status == nullptr || status == nullptr) return;
  if (s.ok()) {
    g_set_status(status, TF_OK, "");
  } else {
    std::string message = PluginMessage(s);
    g_set_status(status, static_cast<TF_Code>(s.code()), message.c_str());
  }
}

// What the environment says, read in this one place (the core never reads it): IGFS_HOST and
// IGFS_PORT for URIs without an authority (else localhost:10800), IGFS_FS_NAME for the
// filesystem, and IGNITE_DATASET_* for credentials and TLS files a URI's query does not give.
struct Environment {
  // credentials and TLS: the fallbacks
  ConnectionOptions fallback;
  // The nodes of URIs without an authority: IGFS_HOST (a host or a list, "h1:10800,h2:10800"),
  // each without a port on IGFS_PORT.
  std::string default_host = "localhost";
  int default_port = kDefaultPort;
  std::string fs_name;   // empty: the backend's default
  std::string protocol;  // IGFS_PROTOCOL: thin, native or auto (empty)
};

std::string Variable(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

Environment ReadEnvironment() {
  Environment env;
  ConnectionOptions& o = env.fallback;
  if (std::string host = Variable("IGFS_HOST"); !host.empty()) env.default_host = host;
  int port = 0;
  if (absl::SimpleAtoi(Variable("IGFS_PORT"), &port) && port > 0 && port <= 65535) {
    env.default_port = port;
  }
  env.fs_name = Variable("IGFS_FS_NAME");
  env.protocol = Variable("IGFS_PROTOCOL");
  o.username = Variable("IGNITE_DATASET_USERNAME");
  o.password = Variable("IGNITE_DATASET_PASSWORD");
  o.tls.ca_file = Variable("IGNITE_DATASET_CA_FILE");
  o.tls.ca_dir = Variable("IGNITE_DATASET_CA_DIR");
  o.tls.certfile = Variable("IGNITE_DATASET_CERTFILE");
  o.tls.keyfile = Variable("IGNITE_DATASET_KEYFILE");
  o.tls.cert_password = Variable("IGNITE_DATASET_CERT_PASSWORD");
  o.tls.tls_server_name = Variable("IGNITE_DATASET_TLS_SERVER_NAME");
  return env;
}

// Where a URI leads: the connection options (URI query, then the environment) and the cache key
// that tells them apart.
struct Target {
  ConnectionOptions options;
  fs::Backend backend = fs::Backend::kAuto;
  std::string key;
  std::string path;
};

absl::StatusOr<Target> TargetOf(const char* uri, const Environment& env) {
  IGNITE_ASSIGN_OR_RETURN(fs::Location loc, fs::ParseUri(uri, env.default_host, env.default_port));
  ConnectionOptions options;
  options.addresses = std::move(loc.addresses);
  options.tls = loc.tls;
  options.FillFrom(env.fallback);
  options.connect_timeout = absl::Seconds(10);
  options.timeout = absl::Seconds(60);
  fs::Backend backend = fs::Backend::kAuto;
  if (loc.backend.has_value()) {
    backend = *loc.backend;
  } else {
    absl::StatusOr<fs::Backend> from_env = fs::ParseBackend(env.protocol);
    if (!from_env.ok()) return Annotate(from_env.status(), "IGFS_PROTOCOL");
    backend = *from_env;
  }
  std::string key = absl::StrCat(ConnectionKey(options), "\n", fs::BackendName(backend));
  return Target{std::move(options), backend, std::move(key), std::move(loc.path)};
}

// One filesystem per node list, connection options (TLS files, credentials), protocol choice and
// filesystem name, shared by every file of the process; one whose connection broke is replaced
// on next use.
class Registry {
 public:
  absl::StatusOr<std::pair<std::shared_ptr<fs::FileSystem>, std::string>> Resolve(const char* uri) {
    const Environment env = ReadEnvironment();
    IGNITE_ASSIGN_OR_RETURN(Target target, TargetOf(uri, env));
    const std::string& fs_name = env.fs_name;
    const std::string key = absl::StrCat(target.key, "\n", fs_name);
    absl::MutexLock lock(&mu_);
    auto it = stores_.find(key);
    if (it != stores_.end() && !it->second->broken()) {
      return std::make_pair(it->second, target.path);
    }
    fs::OpenOptions open;
    open.connection = target.options;
    open.backend = target.backend;
    if (!fs_name.empty()) open.fs_name = fs_name;
    IGNITE_ASSIGN_OR_RETURN(std::shared_ptr<fs::FileSystem> store, fs::OpenFileSystem(open));
    stores_[key] = store;
    return std::make_pair(store, target.path);
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<fs::FileSystem>> stores_;
};

Registry& GetRegistry(const TF_Filesystem* filesystem) {
  return *static_cast<Registry*>(filesystem->plugin_filesystem);
}

// Runs `f(store, path)` for the store and path that `uri` names.
template <typename F>
auto WithStore(const TF_Filesystem* filesystem, const char* uri, F&& f)
    -> decltype(f(std::declval<fs::FileSystem&>(), std::declval<const std::string&>())) {
  auto resolved = GetRegistry(filesystem).Resolve(uri);
  if (!resolved.ok()) return resolved.status();
  return f(*resolved->first, resolved->second);
}

char* Strdup(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

// ---- random access files

void RandomAccessCleanup(TF_RandomAccessFile* file) {
  delete static_cast<fs::ReadableFile*>(file->plugin_file);
}

int64_t RandomAccessRead(const TF_RandomAccessFile* file, uint64_t offset, size_t n, char* buffer,
                         TF_Status* status) {
  auto* reader = static_cast<fs::ReadableFile*>(file->plugin_file);
  int64_t read = 0;
  absl::Status s =
      reader->Read(static_cast<int64_t>(offset), static_cast<int64_t>(n), buffer, &read);
  SetStatus(status, s);
  if (!s.ok() && !absl::IsOutOfRange(s)) return -1;
  return read;
}

// ---- writable files

void WritableCleanup(TF_WritableFile* file) {
  delete static_cast<fs::WritableFile*>(file->plugin_file);
}

void WritableAppend(const TF_WritableFile* file, const char* buffer, size_t n, TF_Status* status) {
  SetStatus(
      status,
      static_cast<fs::WritableFile*>(file->plugin_file)->Append(buffer, static_cast<int64_t>(n)));
}

int64_t WritableTell(const TF_WritableFile* file, TF_Status* status) {
  SetStatus(status, absl::OkStatus());
  return static_cast<fs::WritableFile*>(file->plugin_file)->position();
}

// TensorFlow's Flush makes the bytes visible to readers, as a local file's does (TensorBoard
// follows event files that way): both Flush and Sync sync.
void WritableSync(const TF_WritableFile* file, TF_Status* status) {
  SetStatus(status, static_cast<fs::WritableFile*>(file->plugin_file)->Sync());
}

void WritableClose(const TF_WritableFile* file, TF_Status* status) {
  SetStatus(status, static_cast<fs::WritableFile*>(file->plugin_file)->Close());
}

// ---- filesystem

void Init(TF_Filesystem* filesystem, TF_Status* status) {
  filesystem->plugin_filesystem = new Registry();
  SetStatus(status, absl::OkStatus());
}

void Cleanup(TF_Filesystem* filesystem) {
  delete static_cast<Registry*>(filesystem->plugin_filesystem);
}

void NewRandomAccessFile(const TF_Filesystem* filesystem, const char* path,
                         TF_RandomAccessFile* file, TF_Status* status) {
  auto reader = WithStore(filesystem, path, [](fs::FileSystem& store, const std::string& p) {
    return store.OpenRead(p);
  });
  if (reader.ok()) file->plugin_file = reader->release();
  SetStatus(status, reader.status());
}

void NewWritable(const TF_Filesystem* filesystem, const char* path, TF_WritableFile* file,
                 TF_Status* status, bool append) {
  auto writer = WithStore(filesystem, path, [append](fs::FileSystem& store, const std::string& p) {
    return store.OpenWrite(p, append);
  });
  if (writer.ok()) file->plugin_file = writer->release();
  SetStatus(status, writer.status());
}

void NewWritableFile(const TF_Filesystem* filesystem, const char* path, TF_WritableFile* file,
                     TF_Status* status) {
  NewWritable(filesystem, path, file, status, false);
}

void NewAppendableFile(const TF_Filesystem* filesystem, const char* path, TF_WritableFile* file,
                       TF_Status* status) {
  NewWritable(filesystem, path, file, status, true);
}

template <absl::Status (fs::FileSystem::*Method)(const std::string&)>
void PathOp(const TF_Filesystem* filesystem, const char* path, TF_Status* status) {
  SetStatus(status, WithStore(filesystem, path, [](fs::FileSystem& store, const std::string& p) {
              return (store.*Method)(p);
            }));
}

void DeleteRecursively(const TF_Filesystem* filesystem, const char* path, uint64_t* undeleted_files,
                       uint64_t* undeleted_dirs, TF_Status* status) {
  *undeleted_files = 0;
  *undeleted_dirs = 0;
  absl::Status s = WithStore(filesystem, path, [](fs::FileSystem& store, const std::string& p) {
    return store.DeleteRecursively(p);
  });
  if (absl::IsNotFound(s)) *undeleted_dirs = 1;  // TensorFlow's convention for a missing root
  SetStatus(status, s);
}

template <absl::Status (fs::FileSystem::*Method)(const std::string&, const std::string&)>
void TwoPathOp(const TF_Filesystem* filesystem, const char* src, const char* dst,
               TF_Status* status) {
  const Environment env = ReadEnvironment();
  auto to = TargetOf(dst, env);
  auto from = TargetOf(src, env);
  if (!to.ok() || !from.ok()) {
    SetStatus(status, to.ok() ? from.status() : to.status());
    return;
  }
  if (to->key != from->key) {
    SetStatus(status,
              absl::UnimplementedError(absl::StrCat(
                  "igfs: '", fs::SplitQuery(src).first, "' and '", fs::SplitQuery(dst).first,
                  "' are on different servers or connect with different options")));
    return;
  }
  std::string to_path = to->path;
  SetStatus(status, WithStore(filesystem, src, [&](fs::FileSystem& store, const std::string& p) {
              return (store.*Method)(p, to_path);
            }));
}

void PathExists(const TF_Filesystem* filesystem, const char* path, TF_Status* status) {
  absl::Status s = WithStore(filesystem, path, [](fs::FileSystem& store, const std::string& p) {
    return store.Stat(p).status();
  });
  // As on a local disk, a path under a file simply does not exist.
  if (absl::IsFailedPrecondition(s)) s = absl::NotFoundError(s.message());
  SetStatus(status, s);
}

void Stat(const TF_Filesystem* filesystem, const char* path, TF_FileStatistics* stats,
          TF_Status* status) {
  auto entry = WithStore(filesystem, path,
                         [](fs::FileSystem& store, const std::string& p) { return store.Stat(p); });
  if (entry.ok()) {
    stats->length = entry->is_directory ? 0 : entry->length;
    stats->mtime_nsec = entry->mtime_ms * 1000000;
    stats->is_directory = entry->is_directory;
  }
  SetStatus(status, entry.status());
}

bool IsDirectory(const TF_Filesystem* filesystem, const char* path, TF_Status* status) {
  auto entry = WithStore(filesystem, path,
                         [](fs::FileSystem& store, const std::string& p) { return store.Stat(p); });
  if (!entry.ok()) {
    SetStatus(status, entry.status());
    return false;
  }
  if (!entry->is_directory) {
    SetStatus(status,
              absl::FailedPreconditionError(absl::StrCat("'", path, "' is not a directory")));
    return false;
  }
  SetStatus(status, absl::OkStatus());
  return true;
}

int64_t GetFileSize(const TF_Filesystem* filesystem, const char* path, TF_Status* status) {
  auto entry = WithStore(filesystem, path,
                         [](fs::FileSystem& store, const std::string& p) { return store.Stat(p); });
  if (!entry.ok()) {
    SetStatus(status, entry.status());
    return -1;
  }
  if (entry->is_directory) {
    SetStatus(status, absl::FailedPreconditionError(absl::StrCat("'", path, "' is a directory")));
    return -1;
  }
  SetStatus(status, absl::OkStatus());
  return entry->length;
}

char* TranslateName(const TF_Filesystem*, const char* uri) {
  // Keep the authority (TensorFlow's default keeps only the path) and the query with the
  // connection options; normalize the path.
  auto [u, query] = fs::SplitQuery(uri);
  size_t scheme = u.find("://");
  if (scheme == absl::string_view::npos) return Strdup(uri);
  size_t slash = u.find('/', scheme + 3);
  std::string authority(u.substr(0, slash == absl::string_view::npos ? u.size() : slash));
  auto path = fs::NormalizePath(slash == absl::string_view::npos ? "/" : u.substr(slash));
  if (!path.ok()) return Strdup(uri);
  return Strdup(query.empty() ? authority + *path : absl::StrCat(authority, *path, "?", query));
}

int GetChildren(const TF_Filesystem* filesystem, const char* path, char*** entries,
                TF_Status* status) {
  auto listed = WithStore(
      filesystem, path, [](fs::FileSystem& store, const std::string& p) { return store.List(p); });
  SetStatus(status, listed.status());
  if (!listed.ok()) return -1;
  const int n = static_cast<int>(listed->size());
  *entries = static_cast<char**>(std::calloc(n > 0 ? n : 1, sizeof(char*)));
  for (int i = 0; i < n; ++i) (*entries)[i] = Strdup((*listed)[i].name);
  return n;
}

}  // namespace

void ProvideFilesystemSupportFor(TF_FilesystemPluginOps* ops, const char* uri) {
  TF_SetFilesystemVersionMetadata(ops);
  ops->scheme = Strdup(uri);

  ops->random_access_file_ops =
      static_cast<TF_RandomAccessFileOps*>(std::calloc(1, TF_RANDOM_ACCESS_FILE_OPS_SIZE));
  ops->random_access_file_ops->cleanup = RandomAccessCleanup;
  ops->random_access_file_ops->read = RandomAccessRead;

  ops->writable_file_ops =
      static_cast<TF_WritableFileOps*>(std::calloc(1, TF_WRITABLE_FILE_OPS_SIZE));
  ops->writable_file_ops->cleanup = WritableCleanup;
  ops->writable_file_ops->append = WritableAppend;
  ops->writable_file_ops->tell = WritableTell;
  ops->writable_file_ops->flush = WritableSync;
  ops->writable_file_ops->sync = WritableSync;
  ops->writable_file_ops->close = WritableClose;

  ops->read_only_memory_region_ops = nullptr;

  ops->filesystem_ops = static_cast<TF_FilesystemOps*>(std::calloc(1, TF_FILESYSTEM_OPS_SIZE));
  TF_FilesystemOps* f = ops->filesystem_ops;
  f->init = Init;
  f->cleanup = Cleanup;
  f->new_random_access_file = NewRandomAccessFile;
  f->new_writable_file = NewWritableFile;
  f->new_appendable_file = NewAppendableFile;
  f->create_dir = PathOp<&fs::FileSystem::CreateDir>;
  f->recursively_create_dir = PathOp<&fs::FileSystem::CreateDirs>;
  f->delete_file = PathOp<&fs::FileSystem::DeleteFile>;
  f->delete_dir = PathOp<&fs::FileSystem::DeleteDir>;
  f->delete_recursively = DeleteRecursively;
  f->rename_file = TwoPathOp<&fs::FileSystem::Rename>;
  f->copy_file = TwoPathOp<&fs::FileSystem::Copy>;
  f->path_exists = PathExists;
  f->stat = Stat;
  f->is_directory = IsDirectory;
  f->get_file_size = GetFileSize;
  f->translate_name = TranslateName;
  f->get_children = GetChildren;
}

}  // namespace ignite_tf::tf_plugin

extern "C" __attribute__((visibility("default"))) void TF_InitPlugin(
    TF_FilesystemPluginInfo* info) {
  using ignite_tf::tf_plugin::g_set_status;
  // TensorFlow loaded its framework library before loading us; find TF_SetStatus there (or
  // anywhere in the process for builds that export it globally).
  void* framework = dlopen("libtensorflow_framework.so.2", RTLD_NOW | RTLD_NOLOAD);
  if (framework != nullptr) {
    g_set_status =
        reinterpret_cast<ignite_tf::tf_plugin::SetStatusFn>(dlsym(framework, "TF_SetStatus"));
  }
  if (g_set_status == nullptr) {
    g_set_status =
        reinterpret_cast<ignite_tf::tf_plugin::SetStatusFn>(dlsym(RTLD_DEFAULT, "TF_SetStatus"));
  }
  info->plugin_memory_allocate = std::malloc;
  info->plugin_memory_free = std::free;
  info->num_schemes = 1;
  info->ops = static_cast<TF_FilesystemPluginOps*>(
      std::calloc(info->num_schemes, sizeof(TF_FilesystemPluginOps)));
  ignite_tf::tf_plugin::ProvideFilesystemSupportFor(&info->ops[0], "igfs");
}
