// common/error.h: the one status vocabulary of the core.
//
// The core reports failures as absl::Status. Each error also carries a kind name in its payload
// (one of the kinds in common/error_kinds.inc, or of a higher layer's own table such as
// fs/error_kinds.inc), so a binding can raise the matching exception class without parsing
// messages, and may carry option hints: which setting fixes the problem, which each binding
// renders in its users' own terms (a Python keyword argument, a URI parameter).
#ifndef IGNITE_TF_CORE_COMMON_ERROR_H_
#define IGNITE_TF_CORE_COMMON_ERROR_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ignite_tf {

enum class ErrorKind {
#define IGNITE_ERROR_KIND(enumerator, name) enumerator,
#include "core/common/error_kinds.inc"
#undef IGNITE_ERROR_KIND
};

absl::string_view ErrorKindName(ErrorKind kind);

// The payload URL under which a status carries its kind name.
inline constexpr absl::string_view kErrorKindPayload = "type.ignite_tf/error_kind";

// Builds a status of `code` tagged with `kind`.
absl::Status MakeError(absl::StatusCode code, ErrorKind kind, absl::string_view message);
// The same for a kind of a higher layer's table, by its name.
absl::Status MakeErrorNamed(absl::StatusCode code, absl::string_view kind_name,
                            absl::string_view message);

absl::Status ConnectionError(absl::string_view message);
absl::Status TimeoutError(absl::string_view message);
absl::Status ProtocolError(absl::string_view message);
absl::Status TlsError(absl::string_view message);
absl::Status SchemaError(absl::string_view message);
absl::Status UnsupportedError(absl::string_view message);

// The kind name a status was tagged with ("" if none).
std::string GetErrorKindName(const absl::Status& status);
// Returns the kind a status was tagged with, if it is one of ErrorKind.
std::optional<ErrorKind> GetErrorKind(const absl::Status& status);

// Prefixes the message with context, keeping code, kind and hints.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

// A setting that fixes the error, named as in the core's options structs ("ca_file",
// "timestamp_unit"). The core's message says what is wrong; a binding appends the hints in its
// users' terms (Python: `pass ca_file=<PEM of the CA>`; the igfs plugin: a URI parameter or an
// environment variable). Several hints on one status are alternatives.
struct OptionHint {
  enum class ValueKind {
    kPlaceholder,  // `value` describes what to give: "<PEM of the CA>"
    kString,       // `value` is a literal string: "us"
    kBool,         // `value` is "true" or "false"
    kNumber,       // `value` is a literal number
    kNameMap,      // a mapping from each of `names` to a value the user chooses
  };
  std::string option;
  ValueKind kind = ValueKind::kPlaceholder;
  std::string value;
  std::vector<std::string> names;  // kNameMap
  std::string note;                // words that follow the setting ("as the node requires")
};

// Adds `hint` to a non-OK status (an OK status is returned as is).
absl::Status WithHint(absl::Status status, OptionHint hint);
// The hints of a status, in the order they were added.
std::vector<OptionHint> GetHints(const absl::Status& status);

}  // namespace ignite_tf

#define IGNITE_TF_CONCAT_INNER(a, b) a##b
#define IGNITE_TF_CONCAT(a, b) IGNITE_TF_CONCAT_INNER(a, b)

#define IGNITE_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status _ignite_status = (expr);          \
    if (!_ignite_status.ok()) return _ignite_status; \
  } while (false)

// IGNITE_ASSIGN_OR_RETURN(lhs, expr) assigns the value of a StatusOr or returns its error;
// IGNITE_ASSIGN_OR_RETURN(lhs, expr, context) returns the error annotated with `context` (any
// expression Annotate takes: a string, or a std::string built only on the error path).
#define IGNITE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr, ...)                           \
  auto tmp = (expr);                                                                \
  if (!tmp.ok()) {                                                                  \
    return ::ignite_tf::internal::ErrorOf(tmp.status() __VA_OPT__(, ) __VA_ARGS__); \
  }                                                                                 \
  lhs = std::move(tmp).value()

#define IGNITE_ASSIGN_OR_RETURN(lhs, expr, ...)                                    \
  IGNITE_ASSIGN_OR_RETURN_IMPL(IGNITE_TF_CONCAT(_ignite_statusor_, __LINE__), lhs, \
                               expr __VA_OPT__(, ) __VA_ARGS__)

namespace ignite_tf::internal {
inline const absl::Status& ErrorOf(const absl::Status& status) { return status; }
template <typename Context>
absl::Status ErrorOf(const absl::Status& status, const Context& context) {
  return Annotate(status, context);
}
}  // namespace ignite_tf::internal

#endif  // IGNITE_TF_CORE_COMMON_ERROR_H_
