#include "python/columns.h"

#include <pybind11/numpy.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "python/errors.h"

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
