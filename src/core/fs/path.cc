#include "core/fs/path.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ignite_tf::fs {

absl::StatusOr<std::string> NormalizePath(absl::string_view path) {
  if (path.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("igfs path contains a NUL byte");
  }
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("igfs path '", path, "' contains '..', which igfs does not resolve"));
    }
    parts.push_back(part);
  }
  return absl::StrCat("/", absl::StrJoin(parts, "/"));
}

std::string ParentPath(const std::string& normalized) {
  size_t slash = normalized.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return normalized.substr(0, slash);
}

std::string BaseName(const std::string& normalized) {
  size_t slash = normalized.rfind('/');
  return slash == std::string::npos ? normalized : normalized.substr(slash + 1);
}

bool IsUnder(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

std::pair<absl::string_view, absl::string_view> SplitQuery(absl::string_view uri) {
  size_t scheme_end = uri.find("://");
  if (scheme_end == absl::string_view::npos) return {uri, absl::string_view()};
  size_t mark = uri.find('?', scheme_end + 3);
  if (mark == absl::string_view::npos) return {uri, absl::string_view()};
  return {uri.substr(0, mark), uri.substr(mark + 1)};
}

absl::StatusOr<Location> ParseUri(absl::string_view full_uri, const std::string& default_host,
                                  int default_port) {
  auto [uri, query] = SplitQuery(full_uri);
  Location loc;
  if (!query.empty()) {
    auto parsed = ParseQuery(query);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", uri, "?...': ", parsed.status().message()));
    }
    loc.tls = std::move(parsed->tls);
    loc.backend = parsed->backend;
  }
  absl::string_view rest = uri;
  absl::string_view authority;
  size_t scheme_end = rest.find("://");
  if (scheme_end != absl::string_view::npos) {
    absl::string_view scheme = rest.substr(0, scheme_end);
    if (scheme != "igfs") {
      return absl::InvalidArgumentError(absl::StrCat("'", uri, "' is not an igfs:// URI"));
    }
    rest.remove_prefix(scheme_end + 3);
    size_t slash = rest.find('/');
    authority = slash == absl::string_view::npos ? rest : rest.substr(0, slash);
    rest = slash == absl::string_view::npos ? absl::string_view("/") : rest.substr(slash);
  }
  absl::StatusOr<std::vector<Address>> addresses =
      ParseAddresses(authority.empty() ? absl::string_view(default_host) : authority, default_port);
  if (!addresses.ok()) {
    return absl::InvalidArgumentError(
        authority.empty()
            ? absl::StrCat("'", uri, "' names no node, and the default host '", default_host,
                           "' is not one: ", addresses.status().message())
            : absl::StrCat("'", uri, "': ", addresses.status().message()));
  }
  loc.addresses = *std::move(addresses);
  auto normalized = NormalizePath(rest);
  if (!normalized.ok()) return normalized.status();
  loc.path = *std::move(normalized);
  return loc;
}

}  // namespace ignite_tf::fs
