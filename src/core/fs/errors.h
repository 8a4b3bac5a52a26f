// fs/errors.h: the igfs store's error kinds (fs/error_kinds.inc) and the statuses that carry them.
#ifndef IGNITE_TF_CORE_FS_ERRORS_H_
#define IGNITE_TF_CORE_FS_ERRORS_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ignite_tf::fs {

enum class FsErrorKind {
#define IGNITE_FS_ERROR_KIND(enumerator, name, code) enumerator,
#include "core/fs/error_kinds.inc"
#undef IGNITE_FS_ERROR_KIND
};

absl::string_view FsErrorKindName(FsErrorKind kind);

// A status of the kind's code, tagged with the kind.
absl::Status FsError(FsErrorKind kind, absl::string_view message);

// The fs kind a status was tagged with, if any.
std::optional<FsErrorKind> GetFsErrorKind(const absl::Status& status);

// The messages both backends give for the common cases ("igfs: '/a' does not exist"); `what`
// adds a clause ("; delete it as a directory").
absl::Status PathNotFound(absl::string_view path);
absl::Status PathIsADirectory(absl::string_view path, absl::string_view what);
absl::Status PathNotADirectory(absl::string_view path, absl::string_view what);
absl::Status PathExists(absl::string_view path);
absl::Status DirectoryNotEmpty(absl::string_view path);
absl::Status IntoItself(absl::string_view from, absl::string_view to);

}  // namespace ignite_tf::fs

#endif  // IGNITE_TF_CORE_FS_ERRORS_H_
