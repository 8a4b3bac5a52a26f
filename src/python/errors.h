// python/errors.h: the one place where a core absl::Status becomes a Python exception of the
// ignite_tf.errors family.
#ifndef IGNITE_TF_PYTHON_ERRORS_H_
#define IGNITE_TF_PYTHON_ERRORS_H_

#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ignite_tf::python {

// Carries a non-OK status through pybind11 to the registered translator.
class StatusException : public std::exception {
 public:
  explicit StatusException(absl::Status status) : status_(std::move(status)) {}
  const char* what() const noexcept override { return "ignite_tf status"; }
  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
};

inline void ThrowIfError(const absl::Status& status) {
  if (!status.ok()) throw StatusException(status);
}

template <typename T>
T ValueOrThrow(absl::StatusOr<T> result) {
  if (!result.ok()) throw StatusException(result.status());
  return std::move(result).value();
}

// The status's message with its option hints in Python spelling ("...: pass ca_file=<PEM ...>").
std::string PythonMessage(const absl::Status& status);

// Resolves the exception classes of ignite_tf.errors (once, at module init) and registers the
// translator that raises them.
void RegisterErrorTranslator(pybind11::module_& m);

}  // namespace ignite_tf::python

#endif  // IGNITE_TF_PYTHON_ERRORS_H_
