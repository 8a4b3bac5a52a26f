#include "core/fs/errors.h"

#include <string>

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

}  // namespace ignite_tf::fs
