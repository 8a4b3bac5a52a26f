// python/fs.cc: ignite_tf._core.IgfsStore and its file handles. Only conversions: paths in,
// dicts and bytes out; every call releases the GIL.
#include "python/fs.h"

#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "core/client/client.h"
#include "core/fs/filesystem.h"
#include "core/fs/open.h"
#include "core/fs/path.h"
#include "core/fs/store.h"
#include "python/connection_options.h"
#include "python/errors.h"
#include "python/gil.h"

namespace py = pybind11;

namespace ignite_tf::python {
namespace {

using fs::FileStat;
using fs::FileSystem;
using fs::Store;

std::string Path(const std::string& path) { return ValueOrThrow(fs::NormalizePath(path)); }

py::dict EntryDict(const std::string& name, const FileStat& e) {
  py::dict d;
  d["name"] = name;
  d["type"] = e.is_directory ? "directory" : "file";
  d["size"] = e.is_directory ? 0 : e.length;
  d["mtime"] = static_cast<double>(e.mtime_ms) / 1000.0;
  d["block_size"] = e.block_size;
  d["open"] = e.open;
  return d;
}

class PyReader {
 public:
  explicit PyReader(std::unique_ptr<fs::ReadableFile> reader) : reader_(std::move(reader)) {}

  // Up to n bytes at offset; fewer at the end of the file.
  py::bytes Read(int64_t offset, int64_t n) {
    if (n < 0) n = 0;
    std::string out(static_cast<size_t>(n), '\0');
    int64_t got = 0;
    absl::Status s;
    {
      GilRelease release;
      s = reader_->Read(offset, n, out.data(), &got);
    }
    if (!s.ok() && !absl::IsOutOfRange(s)) ThrowIfError(s);
    out.resize(static_cast<size_t>(got));
    return py::bytes(out);
  }
  int64_t Length() { return reader_->length(); }

 private:
  std::unique_ptr<fs::ReadableFile> reader_;
};

class PyWriter {
 public:
  explicit PyWriter(std::unique_ptr<fs::WritableFile> writer) : writer_(std::move(writer)) {}

  void Write(py::buffer data) {
    py::buffer_info info = data.request();
    const char* p = static_cast<const char*>(info.ptr);
    const int64_t n = info.size * info.itemsize;
    GilRelease release;
    ThrowIfError(writer_->Append(p, n));
  }
  void Flush() {
    GilRelease release;
    ThrowIfError(writer_->Flush());
  }
  // Makes what is written visible to readers (TensorBoard-style following).
  void Sync() {
    GilRelease release;
    ThrowIfError(writer_->Sync());
  }
  void Close() {
    GilRelease release;
    ThrowIfError(writer_->Close());
  }
  // Drops the writer without publishing (its unpublished blocks are deleted).
  void Abort() {
    GilRelease release;
    writer_.reset();
  }
  int64_t Tell() { return writer_ ? writer_->position() : 0; }

 private:
  std::unique_ptr<fs::WritableFile> writer_;
};

class PyStore {
 public:
  // `options` are resolved (keyword arguments over the environment, in ignite_tf.fsspec).
  PyStore(const ConnectionOptions& options, std::optional<std::string> fs_name, int64_t block_size,
          const std::string& protocol) {
    fs::OpenOptions open;
    open.connection = options;
    open.fs_name = std::move(fs_name);
    open.block_size = block_size;
    open.backend = ValueOrThrow(fs::ParseBackend(protocol));
    GilRelease release;
    store_ = ValueOrThrow(fs::OpenFileSystem(open));
  }

  FileSystem& store() { return *store_; }
  // The cache store, for what only it has (its caches, gc).
  Store& cache_store() { return *ValueOrThrow(fs::CacheStore(*store_)); }

 private:
  std::shared_ptr<FileSystem> store_;
};

template <typename F>
auto Unlocked(F&& f) {
  GilRelease release;
  return f();
}

}  // namespace

void RegisterFs(py::module_& m) {
  py::class_<PyReader>(m, "IgfsReader")
      .def("read", &PyReader::Read, py::arg("offset"), py::arg("n"))
      .def_property_readonly("length", &PyReader::Length);
  py::class_<PyWriter>(m, "IgfsWriter")
      .def("write", &PyWriter::Write, py::arg("data"))
      .def("flush", &PyWriter::Flush)
      .def("sync", &PyWriter::Sync)
      .def("close", &PyWriter::Close)
      .def("abort", &PyWriter::Abort)
      .def("tell", &PyWriter::Tell);
  py::class_<PyStore>(m, "IgfsStore")
      .def(py::init<const ConnectionOptions&, std::optional<std::string>, int64_t,
                    const std::string&>(),
           py::arg("options"), py::arg("fs_name") = std::nullopt,
           py::arg("block_size") = fs::kDefaultBlockSize, py::arg("protocol") = "auto")
      .def_property_readonly("broken", [](PyStore& s) { return s.store().broken(); })
      .def_property_readonly(
          "protocol", [](PyStore& s) { return std::string(fs::BackendName(s.store().backend())); })
      .def_property_readonly("where", [](PyStore& s) { return s.store().Describe(); })
      .def_property_readonly("entries_cache",
                             [](PyStore& s) { return s.cache_store().entries_cache(); })
      .def_property_readonly("blocks_cache",
                             [](PyStore& s) { return s.cache_store().blocks_cache(); })
      .def_property_readonly("contents_cache",
                             [](PyStore& s) { return s.cache_store().contents_cache(); })
      .def("info",
           [](PyStore& s, const std::string& path) {
             std::string p = Path(path);
             FileStat e = ValueOrThrow(Unlocked([&] { return s.store().Stat(p); }));
             return EntryDict(p, e);
           })
      .def("ls",
           [](PyStore& s, const std::string& path) {
             std::string p = Path(path);
             auto listed = ValueOrThrow(Unlocked([&] { return s.store().List(p); }));
             py::list out;
             for (const auto& item : listed) {
               out.append(EntryDict(p == "/" ? "/" + item.name : p + "/" + item.name, item.stat));
             }
             return out;
           })
      .def("mkdir",
           [](PyStore& s, const std::string& path) {
             std::string p = Path(path);
             ThrowIfError(Unlocked([&] { return s.store().CreateDir(p); }));
           })
      .def("makedirs",
           [](PyStore& s, const std::string& path) {
             std::string p = Path(path);
             ThrowIfError(Unlocked([&] { return s.store().CreateDirs(p); }));
           })
      .def("rm_file",
           [](PyStore& s, const std::string& path) {
             std::string p = Path(path);
             ThrowIfError(Unlocked([&] { return s.store().DeleteFile(p); }));
           })
      .def("rmdir",
           [](PyStore& s, const std::string& path) {
             std::string p = Path(path);
             ThrowIfError(Unlocked([&] { return s.store().DeleteDir(p); }));
           })
      .def("rm_recursive",
           [](PyStore& s, const std::string& path) {
             std::string p = Path(path);
             ThrowIfError(Unlocked([&] { return s.store().DeleteRecursively(p); }));
           })
      .def("rename",
           [](PyStore& s, const std::string& from, const std::string& to) {
             std::string f = Path(from), t = Path(to);
             ThrowIfError(Unlocked([&] { return s.store().Rename(f, t); }));
           })
      .def("copy",
           [](PyStore& s, const std::string& from, const std::string& to) {
             std::string f = Path(from), t = Path(to);
             ThrowIfError(Unlocked([&] { return s.store().Copy(f, t); }));
           })
      .def("open_read",
           [](PyStore& s, const std::string& path) {
             std::string p = Path(path);
             return std::make_unique<PyReader>(
                 ValueOrThrow(Unlocked([&] { return s.store().OpenRead(p); })));
           })
      .def(
          "open_write",
          [](PyStore& s, const std::string& path, bool append) {
            std::string p = Path(path);
            return std::make_unique<PyWriter>(
                ValueOrThrow(Unlocked([&] { return s.store().OpenWrite(p, append); })));
          },
          py::arg("path"), py::arg("append") = false)
      .def(
          "gc",
          [](PyStore& s, double min_age_seconds) {
            Store& store = s.cache_store();
            fs::GcStats stats = ValueOrThrow(
                Unlocked([&] { return store.CollectGarbage(absl::Seconds(min_age_seconds)); }));
            py::dict d;
            d["contents_checked"] = stats.contents_checked;
            d["contents_removed"] = stats.contents_removed;
            d["blocks_removed"] = stats.blocks_removed;
            return d;
          },
          py::arg("min_age_seconds") = 3600.0);
  m.def(
      "parse_igfs_uri",
      [](const std::string& uri, const std::string& default_host, int default_port) {
        fs::Location loc = ValueOrThrow(fs::ParseUri(uri, default_host, default_port));
        py::list nodes;
        for (const Address& a : loc.addresses) nodes.append(py::make_tuple(a.host, a.port));
        py::dict options = TlsKeywords(loc.tls);
        if (loc.backend.has_value())
          options["protocol"] = std::string(fs::BackendName(*loc.backend));
        return py::make_tuple(nodes, loc.path, options);
      },
      py::arg("uri"), py::arg("default_host"), py::arg("default_port"),
      "([(host, port) of each node], path, {keyword: value}) of an igfs URI; its query's "
      "options (TLS, protocol) under the keyword names of IgfsFileSystem.");
}

}  // namespace ignite_tf::python
