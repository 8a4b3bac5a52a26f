#include "python/errors.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/error.h"
#include "core/fs/errors.h"

namespace py = pybind11;

namespace ignite_tf::python {
namespace {

// The exception classes, resolved once when the module loads (owned references, never freed: they
// live as long as the interpreter, and must not be released after it has finalized).
struct ExceptionClasses {
  std::vector<PyObject*> by_kind;     // by ErrorKind
  std::vector<PyObject*> by_fs_kind;  // by fs::FsErrorKind
  PyObject* value_error = nullptr;    // a status without a kind, invalid argument or out of range
  PyObject* base = nullptr;           // a status without a kind, anything else
};

ExceptionClasses* g_classes = nullptr;

PyObject* ClassForKind(const py::dict& by_name, absl::string_view name) {
  py::str key{std::string(name)};
  if (!by_name.contains(key)) {
    throw py::import_error(
        absl::StrCat("ignite_tf.errors._CLASS_BY_KIND has no class for the "
                     "core's error kind '",
                     name, "'"));
  }
  return py::object(by_name[key]).release().ptr();
}

PyObject* ExceptionClassFor(const absl::Status& status) {
  if (std::optional<ErrorKind> kind = GetErrorKind(status); kind.has_value()) {
    return g_classes->by_kind[static_cast<size_t>(*kind)];
  }
  if (std::optional<fs::FsErrorKind> kind = fs::GetFsErrorKind(status); kind.has_value()) {
    return g_classes->by_fs_kind[static_cast<size_t>(*kind)];
  }
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return g_classes->value_error;
    default:
      return g_classes->base;
  }
}

// A hint's setting as a Python keyword argument: ca_file=<PEM of the CA>, timestamp_unit="us",
// tls=True, column_types={"A": ...}.
std::string PythonSetting(const OptionHint& hint) {
  std::string value;
  switch (hint.kind) {
    case OptionHint::ValueKind::kPlaceholder:
    case OptionHint::ValueKind::kNumber:
      value = hint.value;
      break;
    case OptionHint::ValueKind::kString:
      value = absl::StrCat("\"", hint.value, "\"");
      break;
    case OptionHint::ValueKind::kBool:
      value = hint.value == "true" ? "True" : "False";
      break;
    case OptionHint::ValueKind::kNameMap:
      value = absl::StrCat("{",
                           absl::StrJoin(hint.names, ", ",
                                         [](std::string* out, const std::string& name) {
                                           absl::StrAppend(out, "\"", name, "\": ...");
                                         }),
                           "}");
      break;
  }
  std::string out = absl::StrCat(hint.option, "=", value);
  if (!hint.note.empty()) absl::StrAppend(&out, " ", hint.note);
  return out;
}

}  // namespace

std::string PythonMessage(const absl::Status& status) {
  std::string message(status.message());
  std::vector<OptionHint> hints = GetHints(status);
  for (size_t i = 0; i < hints.size(); ++i) {
    absl::StrAppend(&message, i == 0 ? ": pass " : ", or ", PythonSetting(hints[i]));
  }
  return message;
}

void RegisterErrorTranslator(py::module_& m) {
  (void)m;
  py::module_ errors = py::module_::import("ignite_tf.errors");
  py::dict by_name = errors.attr("_CLASS_BY_KIND");
  auto* classes = new ExceptionClasses();
#define IGNITE_ERROR_KIND(enumerator, name) classes->by_kind.push_back(ClassForKind(by_name, name));
#include "core/common/error_kinds.inc"
#undef IGNITE_ERROR_KIND
#define IGNITE_FS_ERROR_KIND(enumerator, name, code) \
  classes->by_fs_kind.push_back(ClassForKind(by_name, name));
#include "core/fs/error_kinds.inc"
#undef IGNITE_FS_ERROR_KIND
  classes->value_error = py::object(errors.attr("IgniteValueError")).release().ptr();
  classes->base = py::object(errors.attr("IgniteError")).release().ptr();
  g_classes = classes;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StatusException& e) {
      PyErr_SetObject(ExceptionClassFor(e.status()), py::str(PythonMessage(e.status())).ptr());
    }
  });
}

}  // namespace ignite_tf::python
