// python/writer.cc: ignite_tf._core.Writer and pack_ragged.
#include "python/writer.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/columnar/bulk_writer.h"
#include "core/columnar/row_encoder.h"
#include "python/errors.h"
#include "python/gil.h"

namespace py = pybind11;

namespace ignite_tf::python {
namespace {

[[noreturn]] void Bad(const std::string& message) {
  throw StatusException(absl::InvalidArgumentError(message));
}

SourceType SourceFrom(const std::string& name) {
  static const std::pair<const char*, SourceType> kNames[] = {
      {"int8", SourceType::kInt8},
      {"uint8", SourceType::kUInt8},
      {"int16", SourceType::kInt16},
      {"uint16", SourceType::kUInt16},
      {"int32", SourceType::kInt32},
      {"uint32", SourceType::kUInt32},
      {"int64", SourceType::kInt64},
      {"uint64", SourceType::kUInt64},
      {"float32", SourceType::kFloat32},
      {"float64", SourceType::kFloat64},
      {"bool", SourceType::kBool},
      {"string", SourceType::kUtf8},
      {"datetime64", SourceType::kDatetime64}};
  for (const auto& [n, t] : kNames) {
    if (name == n) return t;
  }
  Bad(absl::StrCat("unknown column element type '", name, "'"));
}

// A column as Python describes it: (name, element type, data, offsets or None, valid or None,
// target type code (0: natural), datetime unit in ns). `data` is 1-D for one value per row, or
// N-D with contiguous rows for a fixed-size array per row; with offsets it holds the flat
// elements. The arrays are only viewed: the caller keeps them alive during the call.
ColumnView ViewOf(py::handle item) {
  py::tuple t = py::reinterpret_borrow<py::tuple>(item);
  if (t.size() != 7) Bad("a column is (name, type, data, offsets, valid, target, unit_ns)");
  ColumnView c;
  c.name = t[0].cast<std::string>();
  c.source = SourceFrom(t[1].cast<std::string>());
  c.target = t[5].cast<int32_t>();
  c.datetime_unit_ns = t[6].cast<int64_t>();
  py::array data = py::reinterpret_borrow<py::array>(t[2]);
  const size_t size = SourceSize(c.source);
  if (static_cast<size_t>(data.itemsize()) != size) {
    Bad(absl::StrCat("column '", c.name, "': ", data.itemsize(), "-byte elements for ",
                     SourceTypeName(c.source)));
  }
  c.data = static_cast<const uint8_t*>(data.data());
  if (!t[3].is_none()) {
    py::array_t<int64_t> offsets = py::reinterpret_borrow<py::array_t<int64_t>>(t[3]);
    if (offsets.ndim() != 1 || offsets.size() < 1 || offsets.strides(0) != sizeof(int64_t)) {
      Bad(absl::StrCat("column '", c.name, "': offsets must be a contiguous 1-D int64 array"));
    }
    if (data.ndim() != 1 || (data.size() > 1 && data.strides(0) != static_cast<ssize_t>(size))) {
      Bad(absl::StrCat("column '", c.name, "': ragged values must be a contiguous 1-D array"));
    }
    c.offsets = offsets.data();
    c.rows = offsets.size() - 1;
    c.data_elements = data.size();
  } else {
    if (data.ndim() < 1) Bad(absl::StrCat("column '", c.name, "' is a scalar, not a column"));
    c.rows = data.shape(0);
    c.row_stride = data.ndim() > 0 ? data.strides(0) : 0;
    if (data.ndim() > 1) {
      // Elements within a row must be contiguous (C order from the second axis on).
      int64_t width = 1;
      ssize_t expected = static_cast<ssize_t>(size);
      for (ssize_t axis = data.ndim() - 1; axis >= 1; --axis) {
        if (data.shape(axis) > 1 && data.strides(axis) != expected) {
          Bad(absl::StrCat("column '", c.name, "': the elements of a row are not contiguous"));
        }
        expected *= data.shape(axis);
        width *= data.shape(axis);
      }
      c.width = width;
      if (width == 0) Bad(absl::StrCat("column '", c.name, "' has rows of zero elements"));
    }
  }
  if (!t[4].is_none()) {
    py::array valid = py::reinterpret_borrow<py::array>(t[4]);
    if (valid.ndim() != 1 || valid.itemsize() != 1 || valid.shape(0) != c.rows ||
        (c.rows > 1 && valid.strides(0) != 1)) {
      Bad(absl::StrCat("column '", c.name, "': its mask must be 1-D, one byte a row, ", c.rows,
                       " rows"));
    }
    c.valid = static_cast<const uint8_t*>(valid.data());
  }
  return c;
}

RowSource SourceOf(py::list columns) {
  RowSource s;
  for (py::handle item : columns) s.columns.push_back(ViewOf(item));
  s.rows = s.columns.empty() ? 0 : s.columns[0].rows;
  return s;
}

class PyWriter {
 public:
  explicit PyWriter(std::unique_ptr<BulkWriter> writer) : writer_(std::move(writer)) {}
  ~PyWriter() { Cancel(); }

  // `keep`: the writer holds the chunk's arrays until finish() or cancel(), so that its pages
  // can be sent from them while the next chunks are encoded; else the call waits until no page
  // refers to them (a chunk made for this call alone, freed after it).
  void Write(py::list columns, bool keep) {
    const RowSource source = SourceOf(columns);
    if (keep) held_.push_back(columns);
    absl::Status status;
    {
      GilRelease release;
      status = live().Write(source, /*wait_for_references=*/!keep);
    }
    ThrowIfError(status);
  }
  void Finish() {
    absl::Status status;
    {
      GilRelease release;
      status = live().Finish();
    }
    held_.clear();  // every page was answered, or the writer stopped with none in flight
    ThrowIfError(status);
  }
  void Cancel() {
    if (writer_ == nullptr) return;
    if (PyGILState_Check()) {
      {
        GilRelease release;
        writer_->Cancel();
      }
      held_.clear();
    } else {
      writer_->Cancel();
    }
  }
  int64_t rows_written() const { return writer_->rows_written(); }
  int64_t bytes_written() const { return writer_->bytes_written(); }
  int64_t rows_present() const { return writer_->rows_present(); }
  int64_t next_key() const { return writer_->encoder().next_key(); }
  int connections() const { return writer_->connections(); }
  std::vector<int32_t> codes() const { return writer_->encoder().codes(); }

 private:
  BulkWriter& live() { return *writer_; }
  // Declared before writer_, so destroyed after it: its pages may refer to these arrays.
  std::vector<py::list> held_;
  std::unique_ptr<BulkWriter> writer_;
};

// A sequence of str (UTF-8) or bytes-like values as (data uint8, offsets int64, valid uint8 or
// None): None and float NaN (pandas' missing value) are nulls.
py::tuple PackRagged(py::sequence items, const std::string& kind) {
  const bool text = kind == "string";
  if (!text && kind != "bytes") Bad("pack_ragged: kind must be \"string\" or \"bytes\"");
  const ssize_t n = static_cast<ssize_t>(py::len(items));
  py::array_t<int64_t> offsets(n + 1);
  int64_t* off = offsets.mutable_data();
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> valid(static_cast<size_t>(n), 1);
  bool any_null = false;
  off[0] = 0;
  for (ssize_t i = 0; i < n; ++i) {
    py::object item = items[static_cast<size_t>(i)];
    PyObject* o = item.ptr();
    const char* p = nullptr;
    Py_ssize_t len = 0;
    if (o == Py_None || (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o)))) {
      valid[static_cast<size_t>(i)] = 0;
      any_null = true;
    } else if (text && PyUnicode_Check(o)) {
      p = PyUnicode_AsUTF8AndSize(o, &len);
      if (p == nullptr) throw py::error_already_set();
    } else if (!text && PyBytes_Check(o)) {
      p = PyBytes_AS_STRING(o);
      len = PyBytes_GET_SIZE(o);
    } else if (!text && (PyByteArray_Check(o) || PyObject_CheckBuffer(o))) {
      py::buffer_info info = py::reinterpret_borrow<py::buffer>(o).request();
      if (info.itemsize != 1) {
        Bad(absl::StrCat("row ", i, " is a buffer of ", info.itemsize,
                         "-byte elements, not bytes"));
      }
      bytes.insert(bytes.end(), static_cast<const uint8_t*>(info.ptr),
                   static_cast<const uint8_t*>(info.ptr) + info.size);
    } else {
      Bad(absl::StrCat("row ", i, " is ", py::str(py::type::of(item)).cast<std::string>(), ", not ",
                       text ? "str" : "bytes", " or None"));
    }
    if (p != nullptr) bytes.insert(bytes.end(), p, p + len);
    off[i + 1] = static_cast<int64_t>(bytes.size());
  }
  py::array_t<uint8_t> data(static_cast<ssize_t>(bytes.size()));
  if (!bytes.empty()) std::memcpy(data.mutable_data(), bytes.data(), bytes.size());
  py::object mask = py::none();
  if (any_null) {
    py::array_t<uint8_t> m(n);
    std::memcpy(m.mutable_data(), valid.data(), valid.size());
    mask = std::move(m);
  }
  return py::make_tuple(data, offsets, mask);
}

}  // namespace

py::object OpenWriter(std::shared_ptr<Client> client, const std::string& cache, py::list columns,
                      std::vector<int> key_columns, const std::string& key_type_name,
                      int64_t first_key, const std::string& type_name, py::dict nested_type_names,
                      int64_t batch_rows, int64_t batch_bytes, int parallel, bool overwrite) {
  const RowSource shape = SourceOf(columns);
  RowLayout layout;
  layout.key_columns = std::move(key_columns);
  layout.key_type_name = key_type_name;
  layout.first_key = first_key;
  layout.type_name = type_name;
  for (auto [path, name] : nested_type_names) {
    layout.nested_type_names.emplace_back(path.cast<std::string>(), name.cast<std::string>());
  }
  WriteOptions options;
  options.batch_rows = batch_rows;
  options.batch_bytes = batch_bytes;
  options.parallel = parallel;
  options.overwrite = overwrite;
  std::unique_ptr<BulkWriter> writer;
  {
    GilRelease release;
    absl::StatusOr<RowEncoder> encoder = RowEncoder::Plan(shape.columns, layout);
    if (encoder.ok()) {
      writer =
          ValueOrThrow(BulkWriter::Open(std::move(client), cache, *std::move(encoder), options));
    } else {
      ThrowIfError(encoder.status());
    }
  }
  return py::cast(std::make_unique<PyWriter>(std::move(writer)));
}

void RegisterWriter(py::module_& m) {
  py::class_<PyWriter>(m, "Writer")
      .def("write", &PyWriter::Write, py::arg("columns"), py::arg("keep") = false,
           "Validates, encodes and queues a chunk of rows: a list of column tuples. keep=True: "
           "the writer holds the arrays until finish() or cancel() (large arrays are sent from "
           "them), else the call returns once no page refers to them.")
      .def("finish", &PyWriter::Finish, "Sends the partial pages and waits for every reply.")
      .def("cancel", &PyWriter::Cancel, "Drops the pages not sent; waits for those in flight.")
      .def_property_readonly("rows_written", &PyWriter::rows_written)
      .def_property_readonly("bytes_written", &PyWriter::bytes_written)
      .def_property_readonly("rows_present", &PyWriter::rows_present)
      .def_property_readonly("next_key", &PyWriter::next_key)
      .def_property_readonly("connections", &PyWriter::connections)
      .def_property_readonly("codes", &PyWriter::codes);
  m.def("pack_ragged", &PackRagged, py::arg("items"), py::arg("kind"),
        "A sequence of str or bytes (None/NaN: null) as (data, offsets, valid or None).");
}

}  // namespace ignite_tf::python
