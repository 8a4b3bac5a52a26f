// python/client.cc: ignite_tf._core.Client, the thin client: cache operations, SQL and scans.
// Only conversions; every blocking call releases the GIL.
#include "python/client.h"

#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/client/client.h"
#include "core/columnar/batch_stream.h"
#include "python/batch_stream.h"
#include "python/columns.h"
#include "python/errors.h"
#include "python/gil.h"
#include "python/values.h"
#include "python/writer.h"

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

SqlQuery QueryOf(const std::string& sql, py::iterable args, const std::string& schema,
                 int page_size, bool distributed_joins, bool local, int64_t timeout_ms, bool lazy) {
  SqlQuery query;
  query.sql = sql;
  for (py::handle a : args) query.args.push_back(ToValue(a, "SQL argument"));
  query.schema = schema;
  query.page_size = page_size;
  query.distributed_joins = distributed_joins;
  query.local = local;
  query.timeout_ms = timeout_ms;
  query.lazy = lazy;
  return query;
}

class PyClient {
 public:
  explicit PyClient(const ConnectionOptions& options) {
    GilRelease release;
    client_ = ValueOrThrow(Client::Connect(options));
  }

  Client& client() {
    if (client_ == nullptr) {
      throw StatusException(absl::FailedPreconditionError("the client is closed"));
    }
    return *client_;
  }
  // The same, shared with a stream that must outlive this wrapper's use (its failover needs the
  // client's partition maps).
  std::shared_ptr<Client> shared_client() {
    client();
    return client_;
  }

  void Close() {
    if (client_ == nullptr) return;
    GilRelease release;
    client_->Close();
  }

 private:
  std::shared_ptr<Client> client_;
};

CacheSettings SettingsOf(std::optional<int32_t> mode, std::optional<int32_t> backups,
                         std::optional<int32_t> atomicity,
                         std::optional<int32_t> write_synchronization) {
  CacheSettings settings;
  if (mode.has_value()) settings.mode = static_cast<CacheMode>(*mode);
  settings.backups = backups;
  if (atomicity.has_value()) settings.atomicity = static_cast<CacheAtomicity>(*atomicity);
  if (write_synchronization.has_value()) {
    settings.write_synchronization = static_cast<WriteSynchronization>(*write_synchronization);
  }
  return settings;
}

// Binds Client::CreateCache or GetOrCreateCache: a name and the settings given (codes).
template <absl::Status (Client::*Method)(const std::string&, const CacheSettings&)>
void CreateCall(PyClient& self, const std::string& name, std::optional<int32_t> mode,
                std::optional<int32_t> backups, std::optional<int32_t> atomicity,
                std::optional<int32_t> write_synchronization) {
  const CacheSettings settings = SettingsOf(mode, backups, atomicity, write_synchronization);
  GilRelease release;
  ThrowIfError((self.client().*Method)(name, settings));
}

// Binds a Client method that takes a cache name and returns only a status.
template <absl::Status (Client::*Method)(const std::string&)>
void CacheCall(PyClient& self, const std::string& cache) {
  GilRelease release;
  ThrowIfError((self.client().*Method)(cache));
}

}  // namespace

void RegisterClient(py::module_& m) {
  py::class_<PyClient>(m, "Client")
      .def(py::init<const ConnectionOptions&>(), py::arg("options"))
      .def_property_readonly(
          "tls_protocol", [](PyClient& self) { return self.client().connection()->tls_protocol(); })
      .def("close", &PyClient::Close)
      .def_property_readonly("protocol_version",
                             [](PyClient& self) {
                               const ProtocolVersion& v = self.client().connection()->version();
                               return py::make_tuple(v.major, v.minor, v.patch);
                             })
      .def_property_readonly("metadata_fetch_count",
                             [](PyClient& self) { return self.client().types()->fetch_count(); })
      .def("cache_names",
           [](PyClient& self) {
             GilRelease release;
             return ValueOrThrow(self.client().CacheNames());
           })
      .def("create_cache", &CreateCall<&Client::CreateCache>, py::arg("name"),
           py::arg("mode") = py::none(), py::arg("backups") = py::none(),
           py::arg("atomicity") = py::none(), py::arg("write_synchronization") = py::none())
      .def("get_or_create_cache", &CreateCall<&Client::GetOrCreateCache>, py::arg("name"),
           py::arg("mode") = py::none(), py::arg("backups") = py::none(),
           py::arg("atomicity") = py::none(), py::arg("write_synchronization") = py::none())
      .def("cache_configuration",
           [](PyClient& self, const std::string& name) {
             CacheSettings settings;
             {
               GilRelease release;
               settings = ValueOrThrow(self.client().CacheConfiguration(name));
             }
             py::dict out;
             out["mode"] = static_cast<int32_t>(*settings.mode);
             out["backups"] = *settings.backups;
             out["atomicity"] = static_cast<int32_t>(*settings.atomicity);
             out["write_synchronization"] = static_cast<int32_t>(*settings.write_synchronization);
             return out;
           })
      .def("nodes",
           [](PyClient& self) {
             std::vector<KnownNode> nodes;
             {
               GilRelease release;
               self.client().topology()->ConnectAll();
               nodes = self.client().topology()->Nodes();
             }
             py::list out;
             for (const KnownNode& node : nodes) {
               py::dict d;
               d["node_id"] = NodeIdText(node.id);
               d["host"] = node.address.host;
               d["port"] = node.address.port;
               out.append(d);
             }
             return out;
           })
      .def("request_counts",
           [](PyClient& self) {
             std::map<std::string, int64_t> counts;
             for (const KnownNode& node : self.client().topology()->Nodes()) {
               counts[NodeIdText(node.id)] += node.connection->request_count();
             }
             return counts;
           })
      .def("partition_map",
           [](PyClient& self, const std::string& cache) {
             std::shared_ptr<const CacheAffinity> map;
             {
               GilRelease release;
               map = ValueOrThrow(self.client().UsableAffinity(cache));
             }
             std::map<int32_t, std::string> out;
             for (int32_t p = 0; p < map->partition_count; ++p) {
               if (const NodeId* node = map->PrimaryOf(p)) out[p] = NodeIdText(*node);
             }
             return out;
           })
      .def("partition_of",
           [](PyClient& self, const std::string& cache, py::handle key) {
             Value k = ToValue(key, "key");
             absl::StatusOr<std::optional<int32_t>> partition;
             {
               GilRelease release;
               partition = self.client().PartitionOfKey(cache, k);
             }
             return ValueOrThrow(std::move(partition));
           })
      .def("destroy_cache", &CacheCall<&Client::DestroyCache>)
      .def("put",
           [](PyClient& self, const std::string& cache, py::handle key, py::handle value) {
             Value k = ToValue(key, "key");
             Value v = ToValue(value, "value");
             GilRelease release;
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
             GilRelease release;
             ThrowIfError(self.client().PutAll(cache, converted));
           })
      .def("get",
           [](PyClient& self, const std::string& cache, py::handle key) {
             Value k = ToValue(key, "key");
             absl::StatusOr<Value> value;
             {
               GilRelease release;
               value = self.client().Get(cache, k);
             }
             return FromValue(ValueOrThrow(std::move(value)));
           })
      .def("size",
           [](PyClient& self, const std::string& cache) {
             GilRelease release;
             return ValueOrThrow(self.client().Size(cache));
           })
      .def("clear", &CacheCall<&Client::Clear>)
      .def("partitions",
           [](PyClient& self, const std::string& cache) {
             GilRelease release;
             return ValueOrThrow(self.client().Partitions(cache));
           })
      .def(
          "sql",
          [](PyClient& self, const std::string& sql, py::iterable args, const std::string& schema,
             int page_size, int max_rows, bool distributed_joins, bool local, int64_t timeout_ms,
             bool lazy) {
            SqlQuery query =
                QueryOf(sql, args, schema, page_size, distributed_joins, local, timeout_ms, lazy);
            query.max_rows = max_rows;
            SqlRows result;
            {
              GilRelease release;
              std::unique_ptr<SqlCursor> cursor = ValueOrThrow(self.client().Sql(query));
              result = ValueOrThrow(cursor->ReadAll(max_rows));
            }
            py::list out_rows;
            for (const auto& row : result.rows) {
              py::list r;
              for (const Value& v : row) r.append(FromValue(v));
              out_rows.append(py::tuple(r));
            }
            return py::make_tuple(result.columns, out_rows);
          },
          py::arg("sql"), py::arg("args") = py::tuple(), py::arg("schema") = "PUBLIC",
          py::arg("page_size") = 1024, py::arg("max_rows") = 0,
          py::arg("distributed_joins") = false, py::arg("local") = false, py::arg("timeout_ms") = 0,
          py::arg("lazy") = false)
      .def(
          "sql_scan",
          [](PyClient& self, const std::string& sql, py::iterable args, const std::string& schema,
             int page_size, bool distributed_joins, bool local, int64_t timeout_ms,
             int64_t min_batch_rows, int prefetch, std::vector<std::string> fields, bool masks,
             std::map<std::string, int32_t> column_types, int64_t type_lookahead_bytes,
             const std::string& decimals, const std::string& timestamp_unit, bool lazy) {
            const SqlQuery query =
                QueryOf(sql, args, schema, page_size, distributed_joins, local, timeout_ms, lazy);
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
              GilRelease release;
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
          py::arg("decimals") = "float64", py::arg("timestamp_unit") = "ns", py::arg("lazy") = true)
      .def(
          "writer",
          [](PyClient& self, const std::string& cache, py::list columns,
             std::vector<int> key_columns, const std::string& key_type_name, int64_t first_key,
             const std::string& type_name, py::dict nested_type_names, int64_t batch_rows,
             int64_t batch_bytes, int parallel, bool overwrite) {
            return OpenWriter(self.shared_client(), cache, columns, std::move(key_columns),
                              key_type_name, first_key, type_name, nested_type_names, batch_rows,
                              batch_bytes, parallel, overwrite);
          },
          py::arg("cache"), py::arg("columns"), py::arg("key_columns"), py::arg("key_type_name"),
          py::arg("first_key"), py::arg("type_name"), py::arg("nested_type_names"),
          py::arg("batch_rows"), py::arg("batch_bytes"), py::arg("parallel"),
          py::arg("overwrite") = true)
      .def(
          "scan",
          [](PyClient& self, const std::string& cache, int page_size, int partition, bool local,
             int64_t min_batch_rows, int prefetch, std::vector<std::string> fields, bool masks,
             py::object schema, bool skip_mismatched, int parallel_reads,
             const std::string& decimals, const std::string& timestamp_unit,
             std::vector<int32_t> partitions, bool deterministic, int64_t page_bytes,
             int64_t batch_bytes, int64_t view_min_bytes) {
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
            options.partitions = std::move(partitions);
            options.deterministic = deterministic;
            options.min_batch_rows = min_batch_rows;
            options.page_bytes = page_bytes;
            options.batch_bytes = batch_bytes;
            options.view_min_bytes = view_min_bytes;
            options.prefetch_batches = prefetch;
            std::unique_ptr<BatchStream> stream;
            {
              GilRelease release;
              stream = ValueOrThrow(BatchStream::Open(self.shared_client(), cache, options, given));
            }
            return std::make_unique<PyBatchStream>(std::move(stream));
          },
          py::arg("cache"), py::arg("page_size") = 1024, py::arg("partition") = -1,
          py::arg("local") = false, py::arg("min_batch_rows") = 1024, py::arg("prefetch") = 2,
          py::arg("fields") = std::vector<std::string>(), py::arg("masks") = false,
          py::arg("schema") = py::none(), py::arg("skip_mismatched") = false,
          py::arg("parallel_reads") = 1, py::arg("decimals") = "float64",
          py::arg("timestamp_unit") = "ns", py::arg("partitions") = std::vector<int32_t>(),
          py::arg("deterministic") = false, py::arg("page_bytes") = 0, py::arg("batch_bytes") = 0,
          py::arg("view_min_bytes") = 0);
}

}  // namespace ignite_tf::python
