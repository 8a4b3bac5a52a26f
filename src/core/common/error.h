// common/error.h: the one status vocabulary of the core.
//
// The core reports failures as absl::Status. Each error also carries an ErrorKind payload so the
// Python binding can raise the matching ignite_tf exception subclass without parsing messages.
#ifndef IGNITE_TF_CORE_COMMON_ERROR_H_
#define IGNITE_TF_CORE_COMMON_ERROR_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ignite_tf {

enum class ErrorKind {
  kConnection,      // cannot reach the server, the socket broke, or it timed out
  kAuthentication,  // the server refused the credentials
  kTls,             // TLS setup or handshake failed
  kProtocol,        // the server sent bytes we cannot accept (malformed, truncated, unknown)
  kCacheNotFound,   // the named cache does not exist
  kSchema,          // data does not fit the schema the user or the first row gave
  kServer,          // the server executed the request and reported a failure
  kUnsupported,     // a valid Ignite value we do not decode yet
  kIsADirectory,    // igfs: a file operation on a directory (FAILED_PRECONDITION)
  kNotADirectory,   // igfs: a directory operation on a file, or a path under a file
};

absl::string_view ErrorKindName(ErrorKind kind);

// Builds a status of `code` tagged with `kind`.
absl::Status MakeError(absl::StatusCode code, ErrorKind kind, absl::string_view message);

absl::Status ConnectionError(absl::string_view message);
absl::Status TimeoutError(absl::string_view message);
absl::Status ProtocolError(absl::string_view message);
absl::Status TlsError(absl::string_view message);
absl::Status SchemaError(absl::string_view message);
absl::Status UnsupportedError(absl::string_view message);

// Returns the kind a status was tagged with, if any.
std::optional<ErrorKind> GetErrorKind(const absl::Status& status);

// Prefixes the message with context, keeping code and kind.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

}  // namespace ignite_tf

#define IGNITE_TF_CONCAT_INNER(a, b) a##b
#define IGNITE_TF_CONCAT(a, b) IGNITE_TF_CONCAT_INNER(a, b)

#define IGNITE_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::absl::Status _ignite_status = (expr);          \
    if (!_ignite_status.ok()) return _ignite_status; \
  } while (false)

#define IGNITE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

#define IGNITE_ASSIGN_OR_RETURN(lhs, expr) \
  IGNITE_ASSIGN_OR_RETURN_IMPL(IGNITE_TF_CONCAT(_ignite_statusor_, __LINE__), lhs, expr)

#endif  // IGNITE_TF_CORE_COMMON_ERROR_H_
