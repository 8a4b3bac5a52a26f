// client/connection_options.h: how to reach a cluster: its nodes' addresses, timeouts, TLS and
// credentials, and the one check of their combination.
//
// The only place a connection setting is defined and checked: the Python binding, the
// TensorFlow plugin and the igfs store all build this struct; Client::Connect validates it.
// Field names are the Python keywords (`certfile`, `tls_server_name`, ...; `tls.enabled` is
// `tls=`). A new option is a field here (or in TlsOptions), a line in Validate() if it combines
// with others, and one line in python/connection_options.cc.
#ifndef IGNITE_TF_CORE_CLIENT_CONNECTION_OPTIONS_H_
#define IGNITE_TF_CORE_CLIENT_CONNECTION_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/client/protocol.h"
#include "core/net/tls_transport.h"

namespace ignite_tf {

inline constexpr int kDefaultPort = 10800;

// One node's thin-client endpoint.
struct Address {
  std::string host = "localhost";
  int port = kDefaultPort;

  // "host:port" ("[::1]:10800" for an IPv6 host), for messages.
  std::string ToString() const;
};

// Parses a list of node addresses, "h1:10800, h2, [::1]:10801": entries separated by commas,
// spaces around them ignored, an entry without a port takes `default_port`, an IPv6 host is
// written in brackets (a bare IPv6 address, with several colons, is taken whole as a host).
// InvalidArgument naming the entry for an empty entry or a port that is not 1..65535.
absl::StatusOr<std::vector<Address>> ParseAddresses(absl::string_view text, int default_port);

// "h1:p1,h2:p2", for messages.
std::string AddressesToString(const std::vector<Address>& addresses);

// Timeouts: a duration of zero or less means no timeout (wait forever), the same for every
// product (Client, the datasets, fsspec, the TensorFlow plugin). TimeoutFromSeconds applies it.
absl::Duration TimeoutFromSeconds(double seconds);

struct ConnectionOptions {
  // The nodes to try, in order: the first whose handshake completes is the default connection;
  // the others are connected when a partition's primary node is needed. At least one.
  std::vector<Address> addresses = {Address()};
  // Credentials; an empty username sends none. The password is a secret: never in messages.
  std::string username;
  std::string password;
  // `connect_timeout`: longest wait for the TCP connection and for each byte of the TLS and
  // thin-client handshakes (`timeout` if that is shorter). `timeout`: longest wait for any byte of
  // a reply after them.
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration timeout = absl::Seconds(30);
  TlsOptions tls;
  ProtocolVersion version = kNewestVersion;  // the first version offered (tests pin older ones)

  // InvalidArgument naming the options (never their values) when they cannot work together:
  // no address, an empty host, a port outside 1..65535, TLS options while TLS is disabled, a
  // keyfile without the certfile it belongs to.
  absl::Status Validate() const;

  // Takes what this leaves unset (empty credentials and TLS files) from `fallback`, e.g. the
  // environment's values under explicit ones. TLS disabled here ignores the fallback's TLS
  // options; a fallback's cert_password is only taken along with a certfile; the addresses,
  // timeouts and tls_insecure_skip_verify are never taken.
  void FillFrom(const ConnectionOptions& fallback);
};

// A key that tells connections with different options apart (for caches of connections); the
// secrets enter it hashed. Never shown to anyone.
std::string ConnectionKey(const ConnectionOptions& options);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_CONNECTION_OPTIONS_H_
