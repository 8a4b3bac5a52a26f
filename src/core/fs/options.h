// fs/options.h: the connection options an igfs URI carries, and its protocol choice. Non-secret TLS
// options come from the URI's query (igfs://host:port/path?ca_file=/etc/ca.pem&certfile=...);
// secrets never come from a URI. The caller resolves the rest (keyword arguments, the environment)
// into ConnectionOptions.
#ifndef IGNITE_TF_CORE_FS_OPTIONS_H_
#define IGNITE_TF_CORE_FS_OPTIONS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/client/connection_options.h"
#include "core/fs/filesystem.h"

namespace ignite_tf::fs {

// The query parameters an igfs URI accepts, as listed in error messages.
inline constexpr absl::string_view kUriParameters =
    "protocol, tls, ca_file, ca_dir, certfile, keyfile, tls_server_name";

struct UriQuery {
  TlsOptions tls;                  // `enabled` unset unless the query has `tls`
  std::optional<Backend> backend;  // `protocol=thin|native|auto`
};

// Parses a URI query ("ca_file=/etc/ca.pem&tls_server_name=node1", values %-decoded). Unknown,
// repeated and secret parameters are InvalidArgument errors that name the parameter, never its
// value.
absl::StatusOr<UriQuery> ParseQuery(absl::string_view query);

}  // namespace ignite_tf::fs

#endif  // IGNITE_TF_CORE_FS_OPTIONS_H_
