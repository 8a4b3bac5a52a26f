// fs/path.h: igfs paths and URIs. A path inside a filesystem is absolute, '/'-separated, without
// empty, '.' or trailing components ("/a/b"); the root is "/". A URI is igfs://host:port/path,
// where an empty authority (igfs:///path) means the caller's defaults (the environment's, read by
// each product). A query after the path carries non-secret connection options
// (igfs://host:port/path?ca_file=/etc/ca.pem&certfile=...; see fs/options.h).
#ifndef IGNITE_TF_CORE_FS_PATH_H_
#define IGNITE_TF_CORE_FS_PATH_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/fs/options.h"

namespace ignite_tf::fs {

// Normalizes "a//b/./c/" to "/a/b/c"; ".." is refused (InvalidArgument), as are NUL bytes.
absl::StatusOr<std::string> NormalizePath(absl::string_view path);

// "/a/b" -> "/a"; "/a" -> "/"; "/" -> "/".
std::string ParentPath(const std::string& normalized);
// "/a/b" -> "b"; "/" -> "".
std::string BaseName(const std::string& normalized);
// True when `path` is `dir` or lies under it.
bool IsUnder(const std::string& path, const std::string& dir);

struct Location {
  std::vector<Address> addresses;  // the nodes: one, or several ("igfs://h1:p1,h2:p2/path")
  std::string path;                // normalized
  TlsOptions tls;                  // from the query; never secrets
  std::optional<Backend> backend;  // the query's `protocol`, if given
};

// Parses "igfs://host:port/path?query", "igfs:///path" or a bare "/path" (a bare path has no
// query). The authority may list several nodes, "h1:10800,h2:10800" (IPv6 in brackets). Without
// an authority the nodes are `default_host` (a host or such a list); a node without a port takes
// `default_port`. Errors quote the URI without its query.
absl::StatusOr<Location> ParseUri(absl::string_view uri, const std::string& default_host,
                                  int default_port);

// Splits "igfs://host/path?query" at the query's '?' (only for igfs:// URIs; a bare path keeps any
// '?'). The second part excludes the '?'; it is empty when there is no query.
std::pair<absl::string_view, absl::string_view> SplitQuery(absl::string_view uri);

}  // namespace ignite_tf::fs

#endif  // IGNITE_TF_CORE_FS_PATH_H_
