#include "core/fs/options.h"

#include <cstdlib>
#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

absl::StatusOr<SecurityOptions> ParseQuery(absl::string_view query) {
  SecurityOptions out;
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
    if (name == "certfile") field = &out.cert_file;
    if (name == "keyfile") field = &out.key_file;
    if (name == "tls_server_name") field = &out.server_name;
    if (field == nullptr && name != "tls") {
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
    std::string flag = absl::AsciiStrToLower(*value);
    if (flag == "true" || flag == "1" || flag == "yes" || flag.empty()) {
      out.tls = true;
    } else if (flag == "false" || flag == "0" || flag == "no") {
      out.tls = false;
    } else {
      return absl::InvalidArgumentError(
          "igfs URI parameter 'tls' must be true or false (1/0, yes/no)");
    }
  }
  return out;
}

std::string DatasetEnv(const char* name) {
  const char* value = std::getenv(absl::StrCat("IGNITE_DATASET_", name).c_str());
  return value != nullptr ? std::string(value) : std::string();
}

absl::StatusOr<ConnectionOptions> ResolveConnectionOptions(const std::string& host, int port,
                                                           const SecurityOptions& given) {
  ConnectionOptions options;
  options.host = host;
  options.port = port;
  options.username = !given.username.empty() ? given.username : DatasetEnv("USERNAME");
  options.password = !given.password.empty() ? given.password : DatasetEnv("PASSWORD");

  std::vector<std::string> explicit_tls;
  if (!given.ca_file.empty()) explicit_tls.push_back("ca_file");
  if (!given.ca_dir.empty()) explicit_tls.push_back("ca_dir");
  if (!given.cert_file.empty()) explicit_tls.push_back("certfile");
  if (!given.key_file.empty()) explicit_tls.push_back("keyfile");
  if (!given.key_password.empty()) explicit_tls.push_back("cert_password");
  if (!given.server_name.empty()) explicit_tls.push_back("tls_server_name");
  if (given.insecure_skip_verify) explicit_tls.push_back("tls_insecure_skip_verify");
  if (given.tls == false) {
    if (!explicit_tls.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("igfs: tls=false contradicts the TLS options ",
                                                     absl::StrJoin(explicit_tls, ", ")));
    }
    return options;  // plain TCP, whatever IGNITE_DATASET_* TLS variables say
  }
  TlsOptions& tls = options.tls;
  auto pick = [](const std::string& value, const char* env) {
    return !value.empty() ? value : DatasetEnv(env);
  };
  tls.ca_file = pick(given.ca_file, "CA_FILE");
  tls.ca_dir = pick(given.ca_dir, "CA_DIR");
  tls.cert_file = pick(given.cert_file, "CERTFILE");
  tls.key_file = pick(given.key_file, "KEYFILE");
  tls.server_name = pick(given.server_name, "TLS_SERVER_NAME");
  tls.key_password = pick(given.key_password, "CERT_PASSWORD");
  tls.insecure_skip_verify = given.insecure_skip_verify;
  tls.enabled = given.tls.value_or(false) || !explicit_tls.empty() || !tls.ca_file.empty() ||
                !tls.ca_dir.empty() || !tls.cert_file.empty() || !tls.key_file.empty() ||
                !tls.server_name.empty();
  if (!tls.enabled) tls = TlsOptions();
  return options;
}

std::string ConnectionKey(const ConnectionOptions& o) {
  const TlsOptions& t = o.tls;
  const size_t secrets = std::hash<std::string>()(absl::StrCat(
      o.username.size(), ":", o.username, o.password.size(), ":", o.password, t.key_password));
  return absl::StrCat(o.host, ":", o.port, t.enabled ? " tls" : "", "\n", t.ca_file, "\n", t.ca_dir,
                      "\n", t.cert_file, "\n", t.key_file, "\n", t.server_name, "\n",
                      t.insecure_skip_verify ? 1 : 0, "\n", secrets);
}

}  // namespace ignite_tf::fs
