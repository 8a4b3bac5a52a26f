#include "core/client/connection_options.h"

#include <functional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ignite_tf {
namespace {

absl::Status BadEntry(absl::string_view text, absl::string_view entry, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("the address '", entry, "' in '", text, "' ", why));
}

}  // namespace

std::string Address::ToString() const {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

absl::StatusOr<std::vector<Address>> ParseAddresses(absl::string_view text, int default_port) {
  std::vector<Address> out;
  for (absl::string_view raw : absl::StrSplit(text, ',')) {
    const absl::string_view entry = absl::StripAsciiWhitespace(raw);
    if (entry.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the address list '", text, "' has an empty entry (entry ", out.size() + 1,
                       "): give host or host:port for each node, separated by commas"));
    }
    Address address;
    address.port = default_port;
    absl::string_view host = entry;
    absl::string_view port;
    if (entry.front() == '[') {
      const size_t close = entry.find(']');
      if (close == absl::string_view::npos) return BadEntry(text, entry, "lacks its closing ']'");
      host = entry.substr(1, close - 1);
      absl::string_view rest = entry.substr(close + 1);
      if (!rest.empty()) {
        if (rest.front() != ':') return BadEntry(text, entry, "has text after ']' that is no port");
        port = rest.substr(1);
        if (port.empty()) return BadEntry(text, entry, "has an empty port");
      }
    } else if (const size_t colon = entry.find(':');
               colon != absl::string_view::npos &&
               entry.find(':', colon + 1) == absl::string_view::npos) {
      host = entry.substr(0, colon);
      port = entry.substr(colon + 1);
      if (port.empty()) return BadEntry(text, entry, "has an empty port");
    }  // else: a host, or a bare IPv6 address (several colons)
    host = absl::StripAsciiWhitespace(host);
    if (host.empty()) return BadEntry(text, entry, "has an empty host");
    address.host = std::string(host);
    if (!port.empty()) {
      int value = 0;
      if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(port), &value) || value <= 0 ||
          value > 65535) {
        return BadEntry(text, entry, "has a port that is not a number from 1 to 65535");
      }
      address.port = value;
    }
    out.push_back(std::move(address));
  }
  return out;
}

std::string AddressesToString(const std::vector<Address>& addresses) {
  return absl::StrJoin(addresses, ",", [](std::string* out, const Address& a) {
    absl::StrAppend(out, a.ToString());
  });
}

absl::Duration TimeoutFromSeconds(double seconds) {
  return seconds > 0 ? absl::Seconds(seconds) : absl::InfiniteDuration();
}

absl::Status ConnectionOptions::Validate() const {
  if (addresses.empty()) {
    return absl::InvalidArgumentError("no address was given: name a node to connect to");
  }
  for (const Address& address : addresses) {
    if (address.host.empty()) {
      return absl::InvalidArgumentError("the host is empty: name the node to connect to");
    }
    if (address.port <= 0 || address.port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("the port ", address.port, " of ", address.host, " is not from 1 to 65535"));
    }
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
  return absl::StrCat(AddressesToString(o.addresses), t.on() ? " tls" : "", "\n", t.ca_file, "\n",
                      t.ca_dir, "\n", t.certfile, "\n", t.keyfile, "\n", t.tls_server_name, "\n",
                      t.tls_insecure_skip_verify ? 1 : 0, "\n", secrets);
}

}  // namespace ignite_tf
