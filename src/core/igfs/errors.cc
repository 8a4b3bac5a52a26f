#include "core/igfs/errors.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "core/common/error.h"

namespace ignite_tf::igfs {
namespace {

absl::StatusCode CodeFor(int32_t code) {
  switch (static_cast<ServerErrorCode>(code)) {
    case ServerErrorCode::kFileNotFound:
      return absl::StatusCode::kNotFound;
    case ServerErrorCode::kPathAlreadyExists:
      return absl::StatusCode::kAlreadyExists;
    case ServerErrorCode::kDirectoryNotEmpty:
    case ServerErrorCode::kParentNotDirectory:
    case ServerErrorCode::kInvalidHdfsVersion:
      return absl::StatusCode::kFailedPrecondition;
    case ServerErrorCode::kCorruptedFile:
      return absl::StatusCode::kDataLoss;
    case ServerErrorCode::kGeneric:
    case ServerErrorCode::kIgfsGeneric:
      break;
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

absl::Status ServerError(int32_t code, absl::string_view message) {
  const bool known = code >= 0 && code <= static_cast<int32_t>(ServerErrorCode::kCorruptedFile);
  absl::Status status = MakeError(CodeFor(known ? code : 0), ErrorKind::kServer, message);
  status.SetPayload(kServerErrorCodePayload, absl::Cord(std::to_string(known ? code : 0)));
  return status;
}

std::optional<ServerErrorCode> GetServerErrorCode(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kServerErrorCodePayload);
  int32_t code;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &code)) return std::nullopt;
  return static_cast<ServerErrorCode>(code);
}

}  // namespace ignite_tf::igfs
