#include "core/fs/options.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ignite_tf::fs {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoding ('+' stays '+': these values are file paths).
absl::StatusOr<std::string> PercentDecode(absl::string_view name, absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out.push_back(value[i]);
      continue;
    }
    int hi = i + 2 < value.size() ? HexValue(value[i + 1]) : -1;
    int lo = hi >= 0 ? HexValue(value[i + 2]) : -1;
    if (lo < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("igfs URI parameter '", name, "' has a malformed %-escape"));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  if (out.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("igfs URI parameter '", name, "' contains a NUL byte"));
  }
  return out;
}

std::string EnvName(absl::string_view secret_parameter) {
  if (secret_parameter == "username") return "IGNITE_DATASET_USERNAME";
  if (secret_parameter == "cert_password") return "IGNITE_DATASET_CERT_PASSWORD";
  return "IGNITE_DATASET_PASSWORD";
}

}  // namespace

absl::StatusOr<UriQuery> ParseQuery(absl::string_view query) {
  UriQuery query_options;
  TlsOptions& out = query_options.tls;
  std::set<std::string> seen;
  for (absl::string_view item : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    size_t eq = item.find('=');
    absl::string_view name = item.substr(0, eq);
    absl::string_view raw = eq == absl::string_view::npos ? "" : item.substr(eq + 1);
    if (name == "password" || name == "cert_password" || name == "username" ||
        name == "key_password") {
      return absl::InvalidArgumentError(absl::StrCat(
          "igfs URIs do not take '", name, "': credentials and key passwords never go into ",
          "paths (they end up in logs and checkpoint metadata); set ", EnvName(name),
          " in the environment"));
    }
    std::string* field = nullptr;
    if (name == "ca_file") field = &out.ca_file;
    if (name == "ca_dir") field = &out.ca_dir;
    if (name == "certfile") field = &out.certfile;
    if (name == "keyfile") field = &out.keyfile;
    if (name == "tls_server_name") field = &out.tls_server_name;
    if (field == nullptr && name != "tls" && name != "protocol") {
      return absl::InvalidArgumentError(absl::StrCat(
          "igfs URI parameter '", name, "' is unknown; the parameters are ", kUriParameters));
    }
    if (!seen.insert(std::string(name)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("igfs URI parameter '", name, "' is given twice"));
    }
    auto value = PercentDecode(name, raw);
    if (!value.ok()) return value.status();
    if (field != nullptr) {
      if (value->empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("igfs URI parameter '", name, "' needs a value"));
      }
      *field = *std::move(value);
      continue;
    }
    if (name == "protocol") {
      absl::StatusOr<Backend> backend = ParseBackend(*value);
      if (!backend.ok()) return backend.status();
      query_options.backend = *backend;
      continue;
    }
    std::string flag = absl::AsciiStrToLower(*value);
    if (flag == "true" || flag == "1" || flag == "yes" || flag.empty()) {
      out.enabled = true;
    } else if (flag == "false" || flag == "0" || flag == "no") {
      out.enabled = false;
    } else {
      return absl::InvalidArgumentError(
          "igfs URI parameter 'tls' must be true or false (1/0, yes/no)");
    }
  }
  return query_options;
}

}  // namespace ignite_tf::fs
