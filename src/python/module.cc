// python/module.cc: the ignite_tf._core extension. It only converts: arguments to core options,
// results to Python objects, statuses to exceptions (errors.h). Every blocking call releases the
// GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/client/client.h"
#include "core/columnar/batch_stream.h"
#include "python/columns.h"
#include "python/errors.h"
#include "python/fs.h"
#include "python/values.h"

namespace py = pybind11;

namespace ignite_tf::python {
namespace {

DecimalMode DecimalModeFrom(const std::string& name) {
  if (name == "float64") return DecimalMode::kFloat64;
  if (name == "string") return DecimalMode::kString;
  throw StatusException(absl::InvalidArgumentError(
      absl::StrCat("decimals must be \"float64\" or \"string\", not \"", name, "\"")));
}

TimestampUnit TimestampUnitFrom(const std::string& name) {
  if (name == "ns") return TimestampUnit::kNanoseconds;
  if (name == "us") return TimestampUnit::kMicroseconds;
  if (name == "ms") return TimestampUnit::kMilliseconds;
  throw StatusException(absl::InvalidArgumentError(
      absl::StrCat("timestamp_unit must be \"ns\", \"us\" or \"ms\", not \"", name, "\"")));
}

absl::Duration Seconds(double s) { return s <= 0 ? absl::InfiniteDuration() : absl::Seconds(s); }

class PyClient {
 public:
  PyClient(std::string host, int port, std::string username, std::string password,
           double connect_timeout, double timeout, bool tls, std::string ca_file,
           std::string ca_dir, std::string cert_file, std::string key_file,
           std::string key_password, std::string server_name, bool insecure_skip_verify) {
    ConnectionOptions options;
    options.host = std::move(host);
    options.port = port;
    options.username = std::move(username);
    options.password = std::move(password);
    options.connect_timeout = Seconds(connect_timeout);
    options.io_timeout = Seconds(timeout);
    options.tls.enabled = tls;
    options.tls.ca_file = std::move(ca_file);
    options.tls.ca_dir = std::move(ca_dir);
    options.tls.cert_file = std::move(cert_file);
    options.tls.key_file = std::move(key_file);
    options.tls.key_password = std::move(key_password);
    options.tls.server_name = std::move(server_name);
    options.tls.insecure_skip_verify = insecure_skip_verify;
    py::gil_scoped_release release;
    client_ = ValueOrThrow(Client::Connect(options));
  }

  Client& client() {
    if (client_ == nullptr) {
      throw StatusException(absl::FailedPreconditionError("the client is closed"));
    }
    return *client_;
  }

  void Close() {
    if (client_ == nullptr) return;
    py::gil_scoped_release release;
    client_->connection()->Close();
  }

  std::unique_ptr<Client> client_;
};

class PyBatchStream {
 public:
  explicit PyBatchStream(std::unique_ptr<BatchStream> stream) : stream_(std::move(stream)) {}
  ~PyBatchStream() { Close(); }

  py::object Next() {
    if (stream_ == nullptr) return py::none();
    absl::StatusOr<std::optional<Batch>> batch;
    {
      py::gil_scoped_release release;
      batch = stream_->Next();
    }
    std::optional<Batch> value = ValueOrThrow(std::move(batch));
    if (!value.has_value()) return py::none();
    return BatchToPython(std::move(*value));
  }

  py::object Schema() {
    if (stream_ == nullptr) return py::none();
    absl::StatusOr<std::optional<RowSchema>> schema;
    {
      py::gil_scoped_release release;
      schema = stream_->Schema();
    }
    std::optional<RowSchema> value = ValueOrThrow(std::move(schema));
    if (!value.has_value()) return py::none();
    return SchemaToPython(*value);
  }

  std::vector<std::string> SqlColumns() {
    return stream_ != nullptr ? stream_->sql_columns() : std::vector<std::string>();
  }

  int64_t SkippedRows() {
    if (stream_ != nullptr) skipped_ = stream_->skipped_rows();
    return skipped_;
  }

  void Close() {
    if (stream_ == nullptr) return;
    skipped_ = stream_->skipped_rows();
    // Joining the worker may wait for one page; never hold the GIL meanwhile.
    if (PyGILState_Check()) {
      py::gil_scoped_release release;
      stream_.reset();
    } else {
      stream_.reset();
    }
  }

 private:
  std::unique_ptr<BatchStream> stream_;
  int64_t skipped_ = 0;
};

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "ignite_tf native core: thin client, decoder and column builders";
  RegisterErrorTranslator(m);
  ImportPythonTypes();
  RegisterFs(m);

  py::class_<PyBatchStream>(m, "BatchStream")
      .def("next", &PyBatchStream::Next,
           "The next batch as {column_path: array or (values, row_offsets)}, or None at the end.")
      .def("schema", &PyBatchStream::Schema,
           "(key_tree, val_tree) once the first row arrived; None for an empty scan.")
      .def("sql_columns", &PyBatchStream::SqlColumns,
           "SQL queries: the result's column names in query order; [] for cache scans.")
      .def("skipped_rows", &PyBatchStream::SkippedRows,
           "Rows left out because their structure did not fit (skip mode).")
      .def("close", &PyBatchStream::Close);

  py::class_<PyClient>(m, "Client")
      .def(py::init<std::string, int, std::string, std::string, double, double, bool, std::string,
                    std::string, std::string, std::string, std::string, std::string, bool>(),
           py::arg("host"), py::arg("port"), py::arg("username") = "", py::arg("password") = "",
           py::arg("connect_timeout") = 10.0, py::arg("timeout") = 30.0, py::arg("tls") = false,
           py::arg("ca_file") = "", py::arg("ca_dir") = "", py::arg("cert_file") = "",
           py::arg("key_file") = "", py::arg("key_password") = "", py::arg("server_name") = "",
           py::arg("insecure_skip_verify") = false)
      .def_property_readonly(
          "tls_protocol", [](PyClient& self) { return self.client().connection()->tls_protocol(); })
      .def("close", &PyClient::Close)
      .def_property_readonly("protocol_version",
                             [](PyClient& self) {
                               const ProtocolVersion& v = self.client().connection()->version();
                               return py::make_tuple(v.major, v.minor, v.patch);
                             })
      .def_property_readonly("peer",
                             [](PyClient& self) { return self.client().connection()->peer(); })
      .def_property_readonly("metadata_fetch_count",
                             [](PyClient& self) { return self.client().types()->fetch_count(); })
      .def("cache_names",
           [](PyClient& self) {
             py::gil_scoped_release release;
             return ValueOrThrow(self.client().CacheNames());
           })
      .def("create_cache",
           [](PyClient& self, const std::string& name) {
             py::gil_scoped_release release;
             ThrowIfError(self.client().CreateCache(name));
           })
      .def("get_or_create_cache",
           [](PyClient& self, const std::string& name) {
             py::gil_scoped_release release;
             ThrowIfError(self.client().GetOrCreateCache(name));
           })
      .def("destroy_cache",
           [](PyClient& self, const std::string& name) {
             py::gil_scoped_release release;
             ThrowIfError(self.client().DestroyCache(name));
           })
      .def("put",
           [](PyClient& self, const std::string& cache, py::handle key, py::handle value) {
             Value k = ToValue(key, "key");
             Value v = ToValue(value, "value");
             py::gil_scoped_release release;
             ThrowIfError(self.client().Put(cache, k, v));
           })
      .def("put_all",
           [](PyClient& self, const std::string& cache, py::iterable entries) {
             std::vector<std::pair<Value, Value>> converted;
             for (py::handle entry : entries) {
               py::tuple pair = py::reinterpret_borrow<py::object>(entry).cast<py::tuple>();
               if (pair.size() != 2) {
                 throw StatusException(
                     absl::InvalidArgumentError("put_all takes (key, value) pairs"));
               }
               converted.emplace_back(ToValue(pair[0], "key"), ToValue(pair[1], "value"));
             }
             py::gil_scoped_release release;
             ThrowIfError(self.client().PutAll(cache, converted));
           })
      .def("get",
           [](PyClient& self, const std::string& cache, py::handle key) {
             Value k = ToValue(key, "key");
             absl::StatusOr<Value> value;
             {
               py::gil_scoped_release release;
               value = self.client().Get(cache, k);
             }
             return FromValue(ValueOrThrow(std::move(value)));
           })
      .def("size",
           [](PyClient& self, const std::string& cache) {
             py::gil_scoped_release release;
             return ValueOrThrow(self.client().Size(cache));
           })
      .def("clear",
           [](PyClient& self, const std::string& cache) {
             py::gil_scoped_release release;
             ThrowIfError(self.client().Clear(cache));
           })
      .def("partitions",
           [](PyClient& self, const std::string& cache) {
             py::gil_scoped_release release;
             return ValueOrThrow(self.client().Partitions(cache));
           })
      .def("check_cache_exists",
           [](PyClient& self, const std::string& cache) {
             py::gil_scoped_release release;
             ThrowIfError(self.client().CheckCacheExists(cache));
           })
      .def(
          "sql",
          [](PyClient& self, const std::string& sql, py::iterable args, const std::string& schema,
             int page_size, int max_rows, bool distributed_joins, bool local, int64_t timeout_ms) {
            SqlQuery query;
            query.sql = sql;
            for (py::handle a : args) query.args.push_back(ToValue(a, "SQL argument"));
            query.schema = schema;
            query.page_size = page_size;
            query.max_rows = max_rows;
            query.distributed_joins = distributed_joins;
            query.local = local;
            query.timeout_ms = timeout_ms;
            std::vector<std::vector<Value>> rows;
            std::vector<std::string> columns;
            {
              py::gil_scoped_release release;
              std::unique_ptr<SqlCursor> cursor = ValueOrThrow(self.client().Sql(query));
              columns = cursor->columns();
              // Servers ignore maxRows for some queries: enforce it here too.
              const size_t limit = max_rows > 0 ? static_cast<size_t>(max_rows) : SIZE_MAX;
              while (rows.size() < limit) {
                auto page = ValueOrThrow(cursor->NextRows());
                if (!page.has_value()) break;
                for (auto& row : *page) {
                  if (rows.size() == limit) break;
                  rows.push_back(std::move(row));
                }
              }
            }
            py::list out_rows;
            for (const auto& row : rows) {
              py::list r;
              for (const Value& v : row) r.append(FromValue(v));
              out_rows.append(py::tuple(r));
            }
            return py::make_tuple(columns, out_rows);
          },
          py::arg("sql"), py::arg("args") = py::tuple(), py::arg("schema") = "PUBLIC",
          py::arg("page_size") = 1024, py::arg("max_rows") = 0,
          py::arg("distributed_joins") = false, py::arg("local") = false, py::arg("timeout_ms") = 0)
      .def(
          "sql_scan",
          [](PyClient& self, const std::string& sql, py::iterable args, const std::string& schema,
             int page_size, bool distributed_joins, bool local, int64_t timeout_ms,
             int64_t min_batch_rows, int prefetch, std::vector<std::string> fields, bool masks,
             std::map<std::string, int32_t> column_types, int64_t type_lookahead_bytes,
             const std::string& decimals, const std::string& timestamp_unit) {
            SqlQuery query;
            query.sql = sql;
            for (py::handle a : args) query.args.push_back(ToValue(a, "SQL argument"));
            query.schema = schema;
            query.page_size = page_size;
            query.distributed_joins = distributed_joins;
            query.local = local;
            query.timeout_ms = timeout_ms;
            StreamOptions options;
            options.min_batch_rows = min_batch_rows;
            options.prefetch_batches = prefetch;
            options.fields = std::move(fields);
            options.masks = masks;
            options.decimals = DecimalModeFrom(decimals);
            options.timestamp_unit = TimestampUnitFrom(timestamp_unit);
            options.sql_column_types = std::move(column_types);
            options.sql_type_lookahead_bytes = type_lookahead_bytes;
            std::unique_ptr<BatchStream> stream;
            {
              py::gil_scoped_release release;
              stream = ValueOrThrow(BatchStream::OpenSql(self.client(), query, options));
            }
            return std::make_unique<PyBatchStream>(std::move(stream));
          },
          py::arg("sql"), py::arg("args") = py::tuple(), py::arg("schema") = "PUBLIC",
          py::arg("page_size") = 1024, py::arg("distributed_joins") = false,
          py::arg("local") = false, py::arg("timeout_ms") = 0, py::arg("min_batch_rows") = 1024,
          py::arg("prefetch") = 2, py::arg("fields") = std::vector<std::string>(),
          py::arg("masks") = false, py::arg("column_types") = std::map<std::string, int32_t>(),
          py::arg("type_lookahead_bytes") = StreamOptions().sql_type_lookahead_bytes,
          py::arg("decimals") = "float64", py::arg("timestamp_unit") = "ns")
      .def(
          "scan",
          [](PyClient& self, const std::string& cache, int page_size, int partition, bool local,
             int64_t min_batch_rows, int prefetch, std::vector<std::string> fields, bool masks,
             py::object schema, bool skip_mismatched, int parallel_reads,
             const std::string& decimals, const std::string& timestamp_unit) {
            std::optional<RowSchema> given;
            if (!schema.is_none()) given = SchemaFromPython(schema);
            StreamOptions options;
            options.fields = std::move(fields);
            options.masks = masks;
            options.skip_mismatched = skip_mismatched;
            options.decimals = DecimalModeFrom(decimals);
            options.timestamp_unit = TimestampUnitFrom(timestamp_unit);
            options.scan.page_size = page_size;
            options.scan.partition = partition;
            options.scan.local = local;
            options.parallel_reads = parallel_reads;
            options.min_batch_rows = min_batch_rows;
            options.prefetch_batches = prefetch;
            std::unique_ptr<BatchStream> stream;
            {
              py::gil_scoped_release release;
              stream = ValueOrThrow(BatchStream::Open(self.client(), cache, options, given));
            }
            return std::make_unique<PyBatchStream>(std::move(stream));
          },
          py::arg("cache"), py::arg("page_size") = 1024, py::arg("partition") = -1,
          py::arg("local") = false, py::arg("min_batch_rows") = 1024, py::arg("prefetch") = 2,
          py::arg("fields") = std::vector<std::string>(), py::arg("masks") = false,
          py::arg("schema") = py::none(), py::arg("skip_mismatched") = false,
          py::arg("parallel_reads") = 1, py::arg("decimals") = "float64",
          py::arg("timestamp_unit") = "ns");
}

}  // namespace ignite_tf::python
