#include "core/client/connection_options.h"

#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ignite_tf {

std::string Address::ToString() const { return absl::StrCat(host, ":", port); }

absl::Duration TimeoutFromSeconds(double seconds) {
  return seconds > 0 ? absl::Seconds(seconds) : absl::InfiniteDuration();
}

absl::Status ConnectionOptions::Validate() const {
  if (address.host.empty()) {
    return absl::InvalidArgumentError("the host is empty: name the node to connect to");
  }
  if (address.port <= 0 || address.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("the port ", address.port, " of ", address.host, " is not from 1 to 65535"));
  }
  const std::vector<std::string> given = tls.GivenNames();
  if (tls.enabled == false && !given.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("TLS is disabled but the TLS options ",
                                                   absl::StrJoin(given, ", "), " were given"));
  }
  if (tls.certfile.empty() && !tls.keyfile.empty()) {
    return absl::InvalidArgumentError(
        "a keyfile was given without a certfile (the client certificate it belongs to)");
  }
  return absl::OkStatus();
}

void ConnectionOptions::FillFrom(const ConnectionOptions& fallback) {
  if (username.empty()) username = fallback.username;
  if (password.empty()) password = fallback.password;
  if (tls.enabled == false) return;
  const TlsOptions& other = fallback.tls;
  for (auto [mine, theirs] : {std::pair{&tls.ca_file, &other.ca_file},
                              {&tls.ca_dir, &other.ca_dir},
                              {&tls.certfile, &other.certfile},
                              {&tls.keyfile, &other.keyfile},
                              {&tls.tls_server_name, &other.tls_server_name}}) {
    if (mine->empty()) *mine = *theirs;
  }
  if (tls.cert_password.empty() && !tls.certfile.empty()) tls.cert_password = other.cert_password;
}

std::string ConnectionKey(const ConnectionOptions& o) {
  const TlsOptions& t = o.tls;
  const size_t secrets = std::hash<std::string>()(absl::StrCat(
      o.username.size(), ":", o.username, o.password.size(), ":", o.password, t.cert_password));
  return absl::StrCat(o.address.ToString(), t.on() ? " tls" : "", "\n", t.ca_file, "\n", t.ca_dir,
                      "\n", t.certfile, "\n", t.keyfile, "\n", t.tls_server_name, "\n",
                      t.tls_insecure_skip_verify ? 1 : 0, "\n", secrets);
}

}  // namespace ignite_tf
