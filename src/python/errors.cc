#include "python/errors.h"

#include <string>

#include "core/common/error.h"

namespace py = pybind11;

namespace ignite_tf::python {
namespace {

// Name of the ignite_tf.errors class for a status.
const char* ExceptionClassFor(const absl::Status& status) {
  std::optional<ErrorKind> kind = GetErrorKind(status);
  if (!kind.has_value()) {
    switch (status.code()) {
      case absl::StatusCode::kInvalidArgument:
      case absl::StatusCode::kOutOfRange:
        return "IgniteValueError";
      case absl::StatusCode::kNotFound:
        return "IgniteFileNotFoundError";
      case absl::StatusCode::kAlreadyExists:
        return "IgniteFileExistsError";
      case absl::StatusCode::kFailedPrecondition:
        return "IgniteFileSystemError";
      case absl::StatusCode::kAborted:
        return "IgniteConflictError";
      default:
        return "IgniteError";
    }
  }
  switch (*kind) {
    case ErrorKind::kConnection:
      return status.code() == absl::StatusCode::kDeadlineExceeded ? "IgniteTimeoutError"
                                                                  : "IgniteConnectionError";
    case ErrorKind::kAuthentication:
      return "IgniteAuthenticationError";
    case ErrorKind::kTls:
      return "IgniteTLSError";
    case ErrorKind::kProtocol:
      return "IgniteProtocolError";
    case ErrorKind::kCacheNotFound:
      return "CacheNotFoundError";
    case ErrorKind::kSchema:
      return "IgniteSchemaError";
    case ErrorKind::kServer:
      return "IgniteServerError";
    case ErrorKind::kUnsupported:
      return "IgniteUnsupportedTypeError";
    case ErrorKind::kIsADirectory:
      return "IgniteIsADirectoryError";
    case ErrorKind::kNotADirectory:
      return "IgniteNotADirectoryError";
  }
  return "IgniteError";
}

}  // namespace

void RegisterErrorTranslator(py::module_& m) {
  (void)m;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StatusException& e) {
      py::object errors = py::module_::import("ignite_tf.errors");
      py::object cls = errors.attr(ExceptionClassFor(e.status()));
      std::string message(e.status().message());
      PyErr_SetObject(cls.ptr(), py::str(message).ptr());
    }
  });
}

}  // namespace ignite_tf::python
