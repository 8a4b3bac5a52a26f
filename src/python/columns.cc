#include "python/columns.h"

#include <pybind11/numpy.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "python/errors.h"
#include "python/gil.h"

namespace py = pybind11;

namespace ignite_tf::python {
namespace {

py::dtype DtypeOf(ElementType type) {
  return py::dtype(type == ElementType::kString ? "object" : ElementTypeName(type));
}

// A 1-D array over `count` elements of `buffer`, kept alive by a capsule holding the buffer.
py::array AdoptBuffer(const std::shared_ptr<AlignedBuffer>& buffer, const py::dtype& dtype,
                      size_t count) {
  auto* holder = new std::shared_ptr<AlignedBuffer>(buffer);
  py::capsule owner(holder,
                    [](void* p) { delete static_cast<std::shared_ptr<AlignedBuffer>*>(p); });
  static const uint8_t kEmpty[kBufferAlignment] = {};
  const void* data = buffer->data() != nullptr ? buffer->data() : kEmpty;
  return py::array(dtype, {static_cast<py::ssize_t>(count)},
                   {static_cast<py::ssize_t>(dtype.itemsize())}, data, owner);
}

// Object array of bytes from a values buffer and int64 offsets (count + 1 entries).
py::array BytesArray(const AlignedBuffer& values, const AlignedBuffer& offsets, size_t count) {
  py::array out(py::dtype("object"), std::vector<py::ssize_t>{static_cast<py::ssize_t>(count)});
  auto** slots = static_cast<PyObject**>(out.mutable_data());
  const auto* off = reinterpret_cast<const int64_t*>(offsets.data());
  const char* base = reinterpret_cast<const char*>(values.data());
  for (size_t i = 0; i < count; ++i) {
    PyObject* item = PyBytes_FromStringAndSize(base + off[i], off[i + 1] - off[i]);
    if (item == nullptr) throw py::error_already_set();
    Py_XDECREF(slots[i]);
    slots[i] = item;
  }
  return out;
}

// A list column whose large arrays were left in the received frames (Column::views), handed over
// as (fill, row_offsets, rows): `rows` has a read-only array per row, over the frame for a viewed
// row and over `data` for the others; fill() copies the viewed arrays into `data` once (without
// the GIL) and returns the flat values, as a list column's values are otherwise.
py::tuple ViewedListToPython(Column column, const py::array& row_offsets, size_t rows) {
  struct Shared {
    Column column;
    std::mutex mu;
  };
  auto shared = std::make_shared<Shared>();
  shared->column = std::move(column);
  Column& c = shared->column;
  const py::dtype dtype = DtypeOf(c.element);
  const size_t size = ElementSize(c.element);
  const auto* off = reinterpret_cast<const int64_t*>(c.offsets->data());
  py::list out_rows(rows);
  size_t next_view = 0;
  size_t frame = 0;
  for (size_t i = 0; i < rows; ++i) {
    const size_t begin = static_cast<size_t>(off[i]) * size;
    const size_t bytes = static_cast<size_t>(off[i + 1] - off[i]) * size;
    const py::ssize_t count = static_cast<py::ssize_t>(bytes / size);
    py::array row;
    if (next_view < c.views.size() && c.views[next_view].offset == begin &&
        c.views[next_view].size == bytes && bytes > 0) {
      const Column::FrameView& view = c.views[next_view++];
      while (frame + 1 < c.frames.size() &&
             !(view.bytes >= c.frames[frame]->data() &&
               view.bytes + view.size <= c.frames[frame]->data() + c.frames[frame]->size())) {
        ++frame;
      }
      auto* holder = new std::shared_ptr<const FrameBytes>(c.frames[frame]);
      py::capsule owner(holder,
                        [](void* p) { delete static_cast<std::shared_ptr<const FrameBytes>*>(p); });
      row = py::array(dtype, {count}, {static_cast<py::ssize_t>(size)}, view.bytes, owner);
    } else {
      auto* holder = new std::shared_ptr<Shared>(shared);
      py::capsule owner(holder, [](void* p) { delete static_cast<std::shared_ptr<Shared>*>(p); });
      static const uint8_t kEmpty[kBufferAlignment] = {};
      const uint8_t* data = c.data->data() != nullptr ? c.data->data() + begin : kEmpty;
      row = py::array(dtype, {count}, {static_cast<py::ssize_t>(size)}, data, owner);
    }
    py::detail::array_proxy(row.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    out_rows[i] = std::move(row);
  }
  py::cpp_function fill([shared, dtype, size]() {
    {
      GilRelease release;
      std::lock_guard<std::mutex> lock(shared->mu);
      shared->column.FillViews();
    }
    return AdoptBuffer(shared->column.data, dtype, shared->column.data->size() / size);
  });
  return py::make_tuple(fill, row_offsets, out_rows);
}

py::object TreeToPython(const SchemaNode& node) {
  if (!node.is_struct) {
    return py::make_tuple(ElementTypeName(node.element), node.list_depth, node.path);
  }
  py::dict children;
  for (const SchemaNode& child : node.children) children[py::str(child.name)] = TreeToPython(child);
  return children;
}

}  // namespace

py::dict BatchToPython(Batch batch) {
  py::dict out;
  const size_t rows = static_cast<size_t>(batch.num_rows);
  for (Column& c : batch.columns) {
    py::str path(c.path);
    if (c.valid != nullptr) {
      out[path] = py::none();  // holds the column's place: "<column>#valid" comes after it
      out[py::str(c.path + "#valid")] = AdoptBuffer(c.valid, py::dtype("bool"), rows);
    }
    if (!c.is_list) {
      if (c.element == ElementType::kString) {
        out[path] = BytesArray(*c.data, *c.offsets, rows);
      } else {
        out[path] = AdoptBuffer(c.data, DtypeOf(c.element), rows);
      }
      continue;
    }
    py::array row_offsets = AdoptBuffer(c.offsets, py::dtype("int64"), rows + 1);
    if (!c.views.empty()) {
      out[path] = ViewedListToPython(std::move(c), row_offsets, rows);
      continue;
    }
    py::object values;
    if (c.element == ElementType::kString) {
      size_t elements = c.string_offsets->size() / sizeof(int64_t) - 1;
      values = BytesArray(*c.data, *c.string_offsets, elements);
    } else {
      size_t elements = c.data->size() / ElementSize(c.element);
      values = AdoptBuffer(c.data, DtypeOf(c.element), elements);
    }
    // Lists of lists: (values, offsets) pairs from the innermost level out.
    for (size_t level = c.inner_offsets.size(); level > 0; --level) {
      const std::shared_ptr<AlignedBuffer>& inner = c.inner_offsets[level - 1];
      values = py::make_tuple(
          values, AdoptBuffer(inner, py::dtype("int64"), inner->size() / sizeof(int64_t)));
    }
    out[path] = py::make_tuple(values, row_offsets);
  }
  return out;
}

namespace {

SchemaNode NodeFromPython(py::handle tree, std::string name, const std::string& path) {
  if (py::isinstance<py::dict>(tree)) {
    SchemaNode node;
    node.name = std::move(name);
    node.kind = NodeKind::kStruct;
    node.is_struct = true;
    for (auto [field, child] : tree.cast<py::dict>()) {
      std::string field_name = py::str(field).cast<std::string>();
      if (field_name == kRawFieldName) {  // the raw data section, whatever type it was given
        node.children.push_back(RawLeaf());
        continue;
      }
      node.children.push_back(NodeFromPython(child, field_name, path + "." + field_name));
    }
    std::sort(node.children.begin(), node.children.end(),
              [](const SchemaNode& a, const SchemaNode& b) { return a.name < b.name; });
    return node;
  }
  if (!py::isinstance<py::int_>(tree)) {
    throw StatusException(absl::InvalidArgumentError(
        absl::StrCat("schema for ", path, " must be a dict of fields or an Ignite type code")));
  }
  return ValueOrThrow(LeafFor(tree.cast<int32_t>(), std::move(name), path));
}

}  // namespace

RowSchema SchemaFromPython(py::handle trees) {
  py::tuple pair = py::reinterpret_borrow<py::object>(trees).cast<py::tuple>();
  if (pair.size() != 2) {
    throw StatusException(absl::InvalidArgumentError("a schema is a (key, value) pair of trees"));
  }
  RowSchema schema;
  schema.key = NodeFromPython(pair[0], "key", "key");
  schema.value = NodeFromPython(pair[1], "val", "val");
  schema.Index();
  return schema;
}

py::tuple SchemaToPython(const RowSchema& schema) {
  return py::make_tuple(TreeToPython(schema.key), TreeToPython(schema.value));
}

}  // namespace ignite_tf::python
