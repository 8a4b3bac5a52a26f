// python/batch_stream.cc: ignite_tf._core.BatchStream. Waiting for a batch releases the GIL.
#include "python/batch_stream.h"

#include <pybind11/stl.h>

#include <optional>
#include <utility>

#include "python/columns.h"
#include "python/errors.h"

namespace py = pybind11;

namespace ignite_tf::python {

py::object PyBatchStream::Next() {
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

py::object PyBatchStream::Schema() {
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

std::vector<std::string> PyBatchStream::SqlColumns() {
  return stream_ != nullptr ? stream_->sql_columns() : std::vector<std::string>();
}

int64_t PyBatchStream::SkippedRows() {
  if (stream_ != nullptr) skipped_ = stream_->skipped_rows();
  return skipped_;
}

void PyBatchStream::Close() {
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

void RegisterBatchStream(py::module_& m) {
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
}

}  // namespace ignite_tf::python
