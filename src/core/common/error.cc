#include "core/common/error.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace ignite_tf {
namespace {

constexpr absl::string_view kKindPayload = "type.ignite_tf/error_kind";

constexpr ErrorKind kAllKinds[] = {
    ErrorKind::kConnection,    ErrorKind::kAuthentication, ErrorKind::kTls,
    ErrorKind::kProtocol,      ErrorKind::kCacheNotFound,  ErrorKind::kSchema,
    ErrorKind::kServer,        ErrorKind::kUnsupported,    ErrorKind::kIsADirectory,
    ErrorKind::kNotADirectory,
};

}  // namespace

absl::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConnection:
      return "connection";
    case ErrorKind::kAuthentication:
      return "authentication";
    case ErrorKind::kTls:
      return "tls";
    case ErrorKind::kProtocol:
      return "protocol";
    case ErrorKind::kCacheNotFound:
      return "cache_not_found";
    case ErrorKind::kSchema:
      return "schema";
    case ErrorKind::kServer:
      return "server";
    case ErrorKind::kUnsupported:
      return "unsupported";
    case ErrorKind::kIsADirectory:
      return "is_a_directory";
    case ErrorKind::kNotADirectory:
      return "not_a_directory";
  }
  return "unknown";
}

absl::Status MakeError(absl::StatusCode code, ErrorKind kind, absl::string_view message) {
  absl::Status status(code, message);
  status.SetPayload(kKindPayload, absl::Cord(ErrorKindName(kind)));
  return status;
}

absl::Status ConnectionError(absl::string_view message) {
  return MakeError(absl::StatusCode::kUnavailable, ErrorKind::kConnection, message);
}

absl::Status TimeoutError(absl::string_view message) {
  return MakeError(absl::StatusCode::kDeadlineExceeded, ErrorKind::kConnection, message);
}

absl::Status ProtocolError(absl::string_view message) {
  return MakeError(absl::StatusCode::kDataLoss, ErrorKind::kProtocol, message);
}

absl::Status TlsError(absl::string_view message) {
  return MakeError(absl::StatusCode::kUnavailable, ErrorKind::kTls, message);
}

absl::Status SchemaError(absl::string_view message) {
  return MakeError(absl::StatusCode::kInvalidArgument, ErrorKind::kSchema, message);
}

absl::Status UnsupportedError(absl::string_view message) {
  return MakeError(absl::StatusCode::kUnimplemented, ErrorKind::kUnsupported, message);
}

std::optional<ErrorKind> GetErrorKind(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kKindPayload);
  if (!payload.has_value()) return std::nullopt;
  for (ErrorKind kind : kAllKinds) {
    if (*payload == ErrorKindName(kind)) return kind;
  }
  return std::nullopt;
}

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status annotated(status.code(), absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    annotated.SetPayload(url, payload);
  });
  return annotated;
}

}  // namespace ignite_tf
