#include "python/values.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/binary/ids.h"
#include "python/errors.h"

namespace py = pybind11;

namespace ignite_tf::python {
namespace {

// The Python types and constants the conversions use, imported once when the module loads
// (owned references, never released: they live as long as the interpreter).
struct PythonTypes {
  py::object datetime, time, timedelta, utc, epoch, one_millisecond;
  py::object uuid, decimal, datetime64, numpy_generic;
  py::object datetime64_ns;  // numpy.dtype("datetime64[ns]")
  py::object binary_object, binary_enum;
  py::object low_64_bits;  // 2**64 - 1, to split a UUID's 128-bit int
};

PythonTypes* g_types = nullptr;

const PythonTypes& Types() { return *g_types; }

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

void ImportPythonTypes() {
  auto* types = new PythonTypes();
  py::module_ datetime = py::module_::import("datetime");
  types->datetime = datetime.attr("datetime");
  types->time = datetime.attr("time");
  types->timedelta = datetime.attr("timedelta");
  types->utc = datetime.attr("timezone").attr("utc");
  types->epoch = types->datetime(1970, 1, 1, py::arg("tzinfo") = types->utc);
  types->one_millisecond = types->timedelta(py::arg("milliseconds") = 1);
  types->uuid = py::module_::import("uuid").attr("UUID");
  types->decimal = py::module_::import("decimal").attr("Decimal");
  py::module_ numpy = py::module_::import("numpy");
  types->datetime64 = numpy.attr("datetime64");
  types->datetime64_ns = numpy.attr("dtype")("datetime64[ns]");
  types->numpy_generic = numpy.attr("generic");
  py::module_ binary = py::module_::import("ignite_tf.binary");
  types->binary_object = binary.attr("BinaryObject");
  types->binary_enum = binary.attr("BinaryEnum");
  types->low_64_bits = (py::int_(1).attr("__lshift__")(64)).attr("__sub__")(1);
  g_types = types;
}

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
  const PythonTypes& types = Types();
  if (py::isinstance(o, types.datetime)) {
    py::object dt = py::reinterpret_borrow<py::object>(o);
    if (dt.attr("tzinfo").is_none()) dt = dt.attr("replace")(py::arg("tzinfo") = types.utc);
    py::object delta = dt.attr("__sub__")(types.epoch);
    int64_t ms = delta.attr("__floordiv__")(types.one_millisecond).cast<int64_t>();
    return Value::Integer(kDate, ms);
  }
  if (py::isinstance(o, types.time)) {
    int64_t ms = ((o.attr("hour").cast<int64_t>() * 60 + o.attr("minute").cast<int64_t>()) * 60 +
                  o.attr("second").cast<int64_t>()) *
                     1000 +
                 o.attr("microsecond").cast<int64_t>() / 1000;
    return Value::Integer(kTime, ms);
  }
  if (py::isinstance(o, types.uuid)) {
    py::int_ as_int = o.attr("int");
    uint64_t most = py::int_(as_int.attr("__rshift__")(64)).cast<uint64_t>();
    uint64_t least = py::int_(as_int.attr("__and__")(types.low_64_bits)).cast<uint64_t>();
    return Value::Uuid(static_cast<int64_t>(most), static_cast<int64_t>(least));
  }
  if (py::isinstance(o, types.decimal)) {
    if (!o.attr("is_finite")().cast<bool>()) BadValue(path, "decimals must be finite");
    // str() keeps the exponent (Decimal("1E+3") is unscaled 1, scale -3, as Java would write it);
    // format "f" would turn it into 1000 with scale 0.
    std::string text = py::str(o);
    return Value::Decimal(text, std::strtod(text.c_str(), nullptr));
  }
  if (py::isinstance(o, types.datetime64)) {
    // Milliseconds (floored) and the nanoseconds within, without going through int64
    // nanoseconds: datetime64("9999-12-31") has none, and NumPy's cast would wrap silently.
    py::object t = py::reinterpret_borrow<py::object>(o);
    if (t.attr("__ne__")(t).cast<bool>()) BadValue(path, "NaT has no Ignite timestamp");
    if (t.attr("dtype").attr("__eq__")(types.datetime64_ns).cast<bool>()) {
      // Nanoseconds split here, by floor division: NumPy's own cast to milliseconds overflows
      // within a millisecond of the type's lower bound (1677-09-21T00:12:43.145224193 became
      // 2262-04-11).
      const int64_t ns = t.attr("astype")("int64").cast<int64_t>();
      int64_t ms = ns / 1000000;
      int64_t nanos = ns % 1000000;
      if (nanos < 0) {
        nanos += 1000000;
        --ms;
      }
      return Value::Timestamp(ms, static_cast<int32_t>(nanos));
    }
    py::object ms_point = t.attr("astype")("datetime64[ms]");
    int64_t ms = ms_point.attr("astype")("int64").cast<int64_t>();
    int64_t nanos = t.attr("__sub__")(ms_point)
                        .attr("astype")("timedelta64[ns]")
                        .attr("astype")("int64")
                        .cast<int64_t>();
    return Value::Timestamp(ms, static_cast<int32_t>(nanos));
  }
  if (py::isinstance(o, types.binary_enum)) {
    Value v = Value::Integer(kBinaryEnum, o.attr("ordinal").cast<int64_t>());
    v.type_name = py::str(o.attr("type_name")).cast<std::string>();
    v.text = py::str(o.attr("name")).cast<std::string>();
    int64_t type_id = o.attr("type_id").cast<int64_t>();
    v.integer2 = type_id != 0 ? type_id : BinaryNameId(v.type_name);
    return v;
  }
  if (py::isinstance<py::dict>(o)) {
    std::vector<Value> items;
    for (auto [k, val] : o.cast<py::dict>()) {
      items.push_back(ToValue(k, path + ".keys[]"));
      items.push_back(ToValue(val, path + ".values[]"));
    }
    return Value::Items(kMap, std::move(items), 1);  // HASH_MAP
  }
  if (py::isinstance<py::set>(o) || py::isinstance<py::frozenset>(o)) {
    std::vector<Value> items;
    for (py::handle item : o) items.push_back(ToValue(item, path + "[]"));
    return Value::Items(kCollection, std::move(items), 3);  // HASH_SET
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
    // A list of str (and None) is a String[]; any other list is an ArrayList collection and a
    // tuple an Object[], whose elements keep their own types.
    bool all_strings = py::isinstance<py::list>(o);  // an empty list too
    for (py::handle item : o) {
      if (!item.is_none() && !py::isinstance<py::str>(item)) all_strings = false;
    }
    if (all_strings) {
      std::vector<std::optional<std::string>> items;
      for (py::handle item : o) {
        if (item.is_none()) {
          items.emplace_back(std::nullopt);
        } else {
          items.emplace_back(item.cast<std::string>());
        }
      }
      return Value::StringArray(std::move(items));
    }
    std::vector<Value> items;
    for (py::handle item : o) items.push_back(ToValue(item, path + "[]"));
    if (py::isinstance<py::tuple>(o)) return Value::Items(kObjectArray, std::move(items), -1);
    return Value::Items(kCollection, std::move(items), 1);  // ARR_LIST
  }
  // NumPy scalars (np.int32(5), np.float32(1.5), ...).
  if (py::isinstance(o, types.numpy_generic)) {
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
  if (py::isinstance(o, types.binary_object)) {
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
    case kDate:
      return Types().epoch + Types().timedelta(py::arg("milliseconds") = v.integer);
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
    case kUuid: {
      char text[40];
      std::snprintf(text, sizeof(text), "%016llx%016llx",
                    static_cast<unsigned long long>(v.integer),
                    static_cast<unsigned long long>(v.integer2));
      return Types().uuid(py::str(text));
    }
    case kTimestamp: {
      // Nanoseconds when they fit int64 (years 1677 to 2262); beyond, microseconds (the
      // nanoseconds below a microsecond dropped), so 0001-01-01 and 9999-12-31 still read.
      int64_t ns = 0;
      if (!__builtin_mul_overflow(v.integer, int64_t{1000000}, &ns) &&
          !__builtin_add_overflow(ns, v.integer2, &ns)) {
        return Types().datetime64(ns, "ns");
      }
      py::object us = py::int_(v.integer) * py::int_(1000) + py::int_(v.integer2 / 1000);
      return Types().datetime64(us, "us");
    }
    case kTime: {
      int64_t ms = v.integer;
      return Types().time(ms / 3600000 % 24, ms / 60000 % 60, ms / 1000 % 60, (ms % 1000) * 1000);
    }
    case kDecimal:
      return Types().decimal(py::str(v.text));
    case kEnum:
    case kBinaryEnum: {
      return Types().binary_enum(py::str(v.type_name), v.integer, py::str(v.text), v.integer2);
    }
    case kMap: {
      py::dict out;
      for (size_t i = 0; i + 1 < v.items.size(); i += 2) {
        out[FromValue(v.items[i])] = FromValue(v.items[i + 1]);
      }
      return out;
    }
    case kObjectArray: {
      py::list items;
      for (const Value& item : v.items) items.append(FromValue(item));
      return py::tuple(items);
    }
    case kCollection:
    case kUuidArray:
    case kDateArray:
    case kTimestampArray:
    case kTimeArray:
    case kDecimalArray:
    case kEnumArray: {
      const bool is_set = v.code == kCollection && (v.kind == 3 || v.kind == 4 || v.kind == -1);
      py::list items;
      for (const Value& item : v.items) items.append(FromValue(item));
      if (is_set) return py::set(items);
      return items;
    }
    case kComplexObject: {
      py::dict fields;
      for (const auto& [name, value] : v.object->fields) fields[py::str(name)] = FromValue(value);
      return Types().binary_object(py::str(v.object->type_name), fields);
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
