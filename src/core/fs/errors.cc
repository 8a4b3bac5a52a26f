#include "core/fs/errors.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "core/common/error.h"

namespace ignite_tf::fs {

absl::string_view FsErrorKindName(FsErrorKind kind) {
  switch (kind) {
#define IGNITE_FS_ERROR_KIND(enumerator, name, code) \
  case FsErrorKind::enumerator:                      \
    return name;
#include "core/fs/error_kinds.inc"
#undef IGNITE_FS_ERROR_KIND
  }
  return "unknown";
}

absl::Status FsError(FsErrorKind kind, absl::string_view message) {
  switch (kind) {
#define IGNITE_FS_ERROR_KIND(enumerator, name, code) \
  case FsErrorKind::enumerator:                      \
    return MakeErrorNamed(absl::StatusCode::code, name, message);
#include "core/fs/error_kinds.inc"
#undef IGNITE_FS_ERROR_KIND
  }
  return absl::InternalError(message);
}

std::optional<FsErrorKind> GetFsErrorKind(const absl::Status& status) {
  const std::string name = GetErrorKindName(status);
#define IGNITE_FS_ERROR_KIND(enumerator, kind_name, code) \
  if (name == kind_name) return FsErrorKind::enumerator;
#include "core/fs/error_kinds.inc"
#undef IGNITE_FS_ERROR_KIND
  return std::nullopt;
}

absl::Status PathNotFound(absl::string_view path) {
  return FsError(FsErrorKind::kNotFound, absl::StrCat("igfs: '", path, "' does not exist"));
}

absl::Status PathIsADirectory(absl::string_view path, absl::string_view what) {
  return FsError(FsErrorKind::kIsADirectory,
                 absl::StrCat("igfs: '", path, "' is a directory", what));
}

absl::Status PathNotADirectory(absl::string_view path, absl::string_view what) {
  return FsError(FsErrorKind::kNotADirectory,
                 absl::StrCat("igfs: '", path, "' is a file, not a directory", what));
}

absl::Status PathExists(absl::string_view path) {
  return FsError(FsErrorKind::kExists, absl::StrCat("igfs: '", path, "' already exists"));
}

absl::Status DirectoryNotEmpty(absl::string_view path) {
  return FsError(FsErrorKind::kState, absl::StrCat("igfs: directory '", path, "' is not empty"));
}

absl::Status IntoItself(absl::string_view from, absl::string_view to) {
  return absl::InvalidArgumentError(
      absl::StrCat("igfs: cannot move '", from, "' into itself ('", to, "')"));
}

}  // namespace ignite_tf::fs
