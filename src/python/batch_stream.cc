// python/batch_stream.cc: ignite_tf._core.BatchStream. Waiting for a batch releases the GIL.
#include "python/batch_stream.h"

#include <pybind11/stl.h>

#include <optional>
#include <utility>

#include "python/columns.h"
#include "python/errors.h"
#include "python/gil.h"

namespace py = pybind11;

namespace ignite_tf::python {

namespace {

// Runs `read` (a call that may wait for the network) without the GIL; its value, or its error
// raised.
template <typename F>
auto WithoutGil(F&& read) {
  decltype(read()) result;
  {
    GilRelease release;
    result = read();
  }
  return ValueOrThrow(std::move(result));
}

}  // namespace

py::object PyBatchStream::Next() {
  if (stream_ == nullptr) return py::none();
  std::optional<Batch> batch = WithoutGil([&] { return stream_->Next(); });
  if (!batch.has_value()) return py::none();
  return BatchToPython(std::move(*batch));
}

py::object PyBatchStream::Schema() {
  if (stream_ == nullptr) return py::none();
  std::optional<RowSchema> schema = WithoutGil([&] { return stream_->Schema(); });
  if (!schema.has_value()) return py::none();
  return SchemaToPython(*schema);
}

std::vector<std::string> PyBatchStream::SqlColumns() {
  return stream_ != nullptr ? stream_->sql_columns() : std::vector<std::string>();
}

std::map<int32_t, std::string> PyBatchStream::PartitionNodes() {
  if (stream_ != nullptr) partition_nodes_ = stream_->partition_nodes();
  return partition_nodes_;
}

int64_t PyBatchStream::SkippedRows() {
  if (stream_ != nullptr) skipped_ = stream_->skipped_rows();
  return skipped_;
}

void PyBatchStream::Close() {
  if (stream_ == nullptr) return;
  skipped_ = stream_->skipped_rows();
  partition_nodes_ = stream_->partition_nodes();
  // Joining the worker may wait for one page; never hold the GIL meanwhile.
  if (PyGILState_Check()) {
    GilRelease release;
    stream_.reset();
  } else {
    stream_.reset();
  }
}

void RegisterBatchStream(py::module_& m) {
  py::class_<PyBatchStream>(m, "BatchStream")
      .def("next", &PyBatchStream::Next,
           "The next batch as {column_path: array or (values, row_offsets)}, or None at the end.")
      .def("schema", &PyBatchStream::Schema,
           "(key_tree, val_tree) once the first row arrived; None for an empty scan.")
      .def("sql_columns", &PyBatchStream::SqlColumns,
           "SQL queries: the result's column names in query order; [] for cache scans.")
      .def("partition_nodes", &PyBatchStream::PartitionNodes,
           "{partition: node id} of the connection that served each partition read so far.")
      .def("skipped_rows", &PyBatchStream::SkippedRows,
           "Rows left out because their structure did not fit (skip mode).")
      .def("close", &PyBatchStream::Close);
}

}  // namespace ignite_tf::python
