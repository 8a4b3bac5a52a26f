#include "core/fs/igfs_errors.h"

#include <optional>

#include "absl/strings/cord.h"
#include "core/common/error.h"
#include "core/fs/errors.h"
#include "core/igfs/errors.h"

namespace ignite_tf::fs {
namespace {

std::optional<FsErrorKind> KindOf(igfs::ServerErrorCode code) {
  switch (code) {
    case igfs::ServerErrorCode::kFileNotFound:
      return FsErrorKind::kNotFound;
    case igfs::ServerErrorCode::kPathAlreadyExists:
      return FsErrorKind::kExists;
    case igfs::ServerErrorCode::kDirectoryNotEmpty:
      return FsErrorKind::kState;
    case igfs::ServerErrorCode::kParentNotDirectory:
      return FsErrorKind::kNotADirectory;
    default:
      return std::nullopt;
  }
}

}  // namespace

absl::Status FsErrorFromIgfs(const absl::Status& status) {
  const std::optional<igfs::ServerErrorCode> code = igfs::GetServerErrorCode(status);
  const std::optional<FsErrorKind> kind = code.has_value() ? KindOf(*code) : std::nullopt;
  if (!kind.has_value()) return status;
  absl::Status tagged = FsError(*kind, status.message());
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    if (url != kErrorKindPayload) tagged.SetPayload(url, payload);
  });
  return tagged;
}

}  // namespace ignite_tf::fs
