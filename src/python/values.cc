#include "python/values.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "python/errors.h"

namespace py = pybind11;

namespace ignite_tf::python {
namespace {

[[noreturn]] void BadValue(const std::string& path, const std::string& why) {
  throw StatusException(absl::InvalidArgumentError(absl::StrCat("cannot write ", path, ": ", why)));
}

// Ignite type code for a NumPy dtype, 0 if none fits.
TypeCode ScalarCodeFor(const py::dtype& dtype) {
  switch (dtype.kind()) {
    case 'b':
      return kBool;
    case 'i':
      switch (dtype.itemsize()) {
        case 1:
          return kByte;
        case 2:
          return kShort;
        case 4:
          return kInt;
        case 8:
          return kLong;
      }
      break;
    case 'u':
      switch (dtype.itemsize()) {
        case 1:
          return kByte;  // Java bytes are signed; uint8 pixels keep their bits
        case 2:
          return kChar;  // Java char is an unsigned 16-bit unit
      }
      break;
    case 'f':
      switch (dtype.itemsize()) {
        case 4:
          return kFloat;
        case 8:
          return kDouble;
      }
      break;
  }
  return static_cast<TypeCode>(0);
}

TypeCode ArrayCodeFor(TypeCode scalar) {
  switch (scalar) {
    case kByte:
      return kByteArray;
    case kShort:
      return kShortArray;
    case kInt:
      return kIntArray;
    case kLong:
      return kLongArray;
    case kFloat:
      return kFloatArray;
    case kDouble:
      return kDoubleArray;
    case kChar:
      return kCharArray;
    case kBool:
      return kBoolArray;
    default:
      return static_cast<TypeCode>(0);
  }
}

py::dtype DtypeForArray(int code) {
  switch (code) {
    case kByteArray:
      return py::dtype("uint8");
    case kShortArray:
      return py::dtype("int16");
    case kIntArray:
      return py::dtype("int32");
    case kLongArray:
      return py::dtype("int64");
    case kFloatArray:
      return py::dtype("float32");
    case kDoubleArray:
      return py::dtype("float64");
    case kCharArray:
      return py::dtype("uint16");
    case kBoolArray:
      return py::dtype("bool");
  }
  return py::dtype("uint8");
}

}  // namespace

Value ToValue(py::handle o, const std::string& path) {
  if (o.is_none()) return Value::Null();
  if (py::isinstance<py::bool_>(o)) return Value::Integer(kBool, o.cast<bool>() ? 1 : 0);
  if (py::isinstance<py::int_>(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o.ptr(), &overflow);
    if (overflow != 0) BadValue(path, "integer does not fit in a Java long");
    return Value::Integer(kLong, v);
  }
  if (py::isinstance<py::float_>(o)) return Value::Real(kDouble, o.cast<double>());
  if (py::isinstance<py::str>(o)) return Value::String(o.cast<std::string>());
  if (py::isinstance<py::bytes>(o) || py::isinstance<py::bytearray>(o)) {
    std::string bytes =
        py::isinstance<py::bytes>(o) ? std::string(o.cast<py::bytes>()) : o.cast<std::string>();
    return Value::Array(kByteArray, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  }
  py::module_ datetime = py::module_::import("datetime");
  if (py::isinstance(o, datetime.attr("datetime"))) {
    py::object dt = py::reinterpret_borrow<py::object>(o);
    if (dt.attr("tzinfo").is_none()) {
      dt = dt.attr("replace")(py::arg("tzinfo") = datetime.attr("timezone").attr("utc"));
    }
    py::object utc = datetime.attr("timezone").attr("utc");
    py::object epoch = datetime.attr("datetime")(1970, 1, 1, py::arg("tzinfo") = utc);
    py::object delta = dt.attr("__sub__")(epoch);
    int64_t ms = delta.attr("__floordiv__")(datetime.attr("timedelta")(py::arg("milliseconds") = 1))
                     .cast<int64_t>();
    return Value::Integer(kDate, ms);
  }
  if (py::isinstance<py::array>(o)) {
    py::array array = py::reinterpret_borrow<py::array>(o);
    if (array.ndim() != 1) BadValue(path, "only 1-D arrays can be written");
    TypeCode scalar = ScalarCodeFor(array.dtype());
    TypeCode code = ArrayCodeFor(scalar);
    if (code == 0) {
      if (array.dtype().kind() == 'U' || array.dtype().kind() == 'S' ||
          array.dtype().kind() == 'O') {
        std::vector<std::optional<std::string>> items;
        for (py::handle item : o) {
          Value v = ToValue(item, path + "[]");
          if (v.code == kNull) {
            items.emplace_back(std::nullopt);
          } else if (v.code == kString) {
            items.emplace_back(std::move(v.text));
          } else if (v.code == kByteArray) {
            items.emplace_back(std::string(v.elements.begin(), v.elements.end()));
          } else {
            BadValue(path, "object arrays must hold strings");
          }
        }
        return Value::StringArray(std::move(items));
      }
      BadValue(path, absl::StrCat("NumPy dtype ", std::string(py::str(array.dtype())),
                                  " has no Ignite array type"));
    }
    py::array contiguous = py::array::ensure(array, py::array::c_style);
    std::vector<uint8_t> packed(contiguous.nbytes());
    if (!packed.empty()) std::memcpy(packed.data(), contiguous.data(), packed.size());
    return Value::Array(code, std::move(packed));
  }
  if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o)) {
    std::vector<std::optional<std::string>> items;
    for (py::handle item : o) {
      if (item.is_none()) {
        items.emplace_back(std::nullopt);
      } else if (py::isinstance<py::str>(item)) {
        items.emplace_back(item.cast<std::string>());
      } else {
        BadValue(path,
                 "lists become string[] and must hold only str or None; pass a NumPy array for "
                 "numbers (its dtype picks the Ignite array type)");
      }
    }
    return Value::StringArray(std::move(items));
  }
  // NumPy scalars (np.int32(5), np.float32(1.5), ...).
  if (py::hasattr(o, "dtype") && py::hasattr(o, "item") && !py::hasattr(o, "__len__")) {
    py::dtype dtype = py::reinterpret_borrow<py::object>(o).attr("dtype").cast<py::dtype>();
    TypeCode code = ScalarCodeFor(dtype);
    if (code == 0) BadValue(path, "unsupported NumPy scalar type");
    py::object item = py::reinterpret_borrow<py::object>(o).attr("item")();
    if (code == kFloat || code == kDouble) return Value::Real(code, item.cast<double>());
    if (code == kBool) return Value::Integer(kBool, item.cast<bool>() ? 1 : 0);
    int64_t v = item.cast<int64_t>();
    if (code == kByte && dtype.kind() == 'u') v = static_cast<int8_t>(static_cast<uint8_t>(v));
    return Value::Integer(code, v);
  }
  if (py::hasattr(o, "type_name") && py::hasattr(o, "fields")) {
    auto object = std::make_shared<ObjectValue>();
    object->type_name = py::str(o.attr("type_name")).cast<std::string>();
    py::dict fields = o.attr("fields").cast<py::dict>();
    for (auto [name, value] : fields) {
      std::string field_name = py::str(name).cast<std::string>();
      object->fields.emplace_back(field_name, ToValue(value, path + "." + field_name));
    }
    return Value::Object(std::move(object));
  }
  BadValue(path, absl::StrCat("values of Python type ",
                              std::string(py::str(py::type::handle_of(o).attr("__name__"))),
                              " cannot be written; use int, float, str, bytes, bool, datetime, "
                              "NumPy scalars/arrays, lists of str or ignite_tf.BinaryObject"));
}

py::object FromValue(const Value& v) {
  switch (v.code) {
    case kNull:
      return py::none();
    case kByte:
    case kShort:
    case kInt:
    case kLong:
      return py::int_(v.integer);
    case kChar:
      return py::reinterpret_steal<py::str>(PyUnicode_FromOrdinal(static_cast<int>(v.integer)));
    case kBool:
      return py::bool_(v.integer != 0);
    case kFloat:
    case kDouble:
      return py::float_(v.real);
    case kString:
      return py::str(v.text);
    case kDate: {
      py::module_ datetime = py::module_::import("datetime");
      py::object epoch = datetime.attr("datetime")(
          1970, 1, 1, py::arg("tzinfo") = datetime.attr("timezone").attr("utc"));
      return epoch + datetime.attr("timedelta")(py::arg("milliseconds") = v.integer);
    }
    case kStringArray: {
      py::list out;
      for (const auto& s : v.strings) {
        if (s.has_value()) {
          out.append(py::str(*s));
        } else {
          out.append(py::none());
        }
      }
      return out;
    }
    case kComplexObject: {
      py::dict fields;
      for (const auto& [name, value] : v.object->fields) fields[py::str(name)] = FromValue(value);
      py::object cls = py::module_::import("ignite_tf.binary").attr("BinaryObject");
      return cls(py::str(v.object->type_name), fields);
    }
    default:
      break;
  }
  if (v.code >= kByteArray && v.code <= kBoolArray) {
    py::dtype dtype = DtypeForArray(v.code);
    py::array out(dtype, std::vector<py::ssize_t>{static_cast<py::ssize_t>(v.ArrayLength())});
    if (!v.elements.empty()) std::memcpy(out.mutable_data(), v.elements.data(), v.elements.size());
    return out;
  }
  throw StatusException(absl::UnimplementedError(
      absl::StrCat("cannot convert ", TypeCodeName(v.code), " to Python")));
}

}  // namespace ignite_tf::python
