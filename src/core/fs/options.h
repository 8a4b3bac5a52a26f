// fs/options.h: how an igfs filesystem connects to a secured cluster. Non-secret options come
// from the URI's query (igfs://host:port/path?ca_file=/etc/ca.pem&certfile=...) or from the
// caller (fsspec keyword arguments); secrets never come from a URI, only from the caller or the
// environment. What neither gives is taken from the same IGNITE_DATASET_* variables IgniteDataset
// reads: _USERNAME, _PASSWORD, _CERT_PASSWORD, _CERTFILE, _KEYFILE, _CA_FILE, _CA_DIR,
// _TLS_SERVER_NAME.
#ifndef IGNITE_TF_CORE_FS_OPTIONS_H_
#define IGNITE_TF_CORE_FS_OPTIONS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/client/connection.h"

namespace ignite_tf::fs {

// Options given explicitly (URI query or keyword arguments); empty strings: not given.
struct SecurityOptions {
  std::optional<bool> tls;  // unset: TLS when any TLS option is given
  std::string ca_file;
  std::string ca_dir;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  bool insecure_skip_verify = false;  // keyword arguments only, never a URI or the environment
  // Secrets: keyword arguments or the environment only.
  std::string username;
  std::string password;
  std::string key_password;

  bool operator==(const SecurityOptions&) const = default;
};

// The query parameters an igfs URI accepts, as listed in error messages.
inline constexpr absl::string_view kUriParameters =
    "tls, ca_file, ca_dir, certfile, keyfile, tls_server_name";

// Parses a URI query ("ca_file=/etc/ca.pem&tls_server_name=node1", values %-decoded). Unknown,
// repeated and secret parameters are InvalidArgument errors that name the parameter, never its
// value.
absl::StatusOr<SecurityOptions> ParseQuery(absl::string_view query);

// Reads one IGNITE_DATASET_<name> variable; empty and unset both give "".
std::string DatasetEnv(const char* name);

// The options to connect to host:port with: `given` first, then the environment. tls=false
// ignores TLS options from the environment but refuses explicit ones.
absl::StatusOr<ConnectionOptions> ResolveConnectionOptions(const std::string& host, int port,
                                                           const SecurityOptions& given);

// A key that tells connections with different options apart (for caches of connections); the
// secrets enter it hashed. Never shown to anyone.
std::string ConnectionKey(const ConnectionOptions& options);

}  // namespace ignite_tf::fs

#endif  // IGNITE_TF_CORE_FS_OPTIONS_H_
