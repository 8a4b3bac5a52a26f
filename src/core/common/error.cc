#include "core/common/error.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ignite_tf {
namespace {

// Hints are stored as records ending in kRecordEnd, their fields separated by kFieldSeparator
// and the names of a kNameMap hint by kNameSeparator (ASCII control characters no option name,
// value or note contains).
constexpr absl::string_view kHintPayload = "type.ignite_tf/option_hints";
constexpr char kRecordEnd = '\x1e';
constexpr char kFieldSeparator = '\x1f';
constexpr char kNameSeparator = '\x1d';

constexpr struct {
  ErrorKind kind;
  absl::string_view name;
} kKinds[] = {
#define IGNITE_ERROR_KIND(enumerator, name) {ErrorKind::enumerator, name},
#include "core/common/error_kinds.inc"
#undef IGNITE_ERROR_KIND
};

}  // namespace

absl::string_view ErrorKindName(ErrorKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

absl::Status MakeErrorNamed(absl::StatusCode code, absl::string_view kind_name,
                            absl::string_view message) {
  absl::Status status(code, message);
  status.SetPayload(kErrorKindPayload, absl::Cord(kind_name));
  return status;
}

absl::Status MakeError(absl::StatusCode code, ErrorKind kind, absl::string_view message) {
  return MakeErrorNamed(code, ErrorKindName(kind), message);
}

absl::Status ConnectionError(absl::string_view message) {
  return MakeError(absl::StatusCode::kUnavailable, ErrorKind::kConnection, message);
}

absl::Status TimeoutError(absl::string_view message) {
  return MakeError(absl::StatusCode::kDeadlineExceeded, ErrorKind::kTimeout, message);
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

std::string GetErrorKindName(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorKindPayload);
  return payload.has_value() ? std::string(*payload) : std::string();
}

std::optional<ErrorKind> GetErrorKind(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorKindPayload);
  if (!payload.has_value()) return std::nullopt;
  for (const auto& k : kKinds) {
    if (*payload == k.name) return k.kind;
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

absl::Status WithHint(absl::Status status, OptionHint hint) {
  if (status.ok()) return status;
  absl::Cord hints = status.GetPayload(kHintPayload).value_or(absl::Cord());
  hints.Append(
      absl::StrCat(hint.option, std::string(1, kFieldSeparator), static_cast<int>(hint.kind),
                   std::string(1, kFieldSeparator), hint.value, std::string(1, kFieldSeparator),
                   absl::StrJoin(hint.names, std::string(1, kNameSeparator)),
                   std::string(1, kFieldSeparator), hint.note, std::string(1, kRecordEnd)));
  status.SetPayload(kHintPayload, std::move(hints));
  return status;
}

std::vector<OptionHint> GetHints(const absl::Status& status) {
  std::vector<OptionHint> out;
  absl::optional<absl::Cord> payload = status.GetPayload(kHintPayload);
  if (!payload.has_value()) return out;
  const std::string text(*payload);
  for (absl::string_view record : absl::StrSplit(text, kRecordEnd, absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(record, kFieldSeparator);
    if (fields.size() != 5) continue;
    OptionHint hint;
    hint.option = std::string(fields[0]);
    int kind = fields[1].empty() ? 0 : fields[1][0] - '0';
    if (kind < 0 || kind > static_cast<int>(OptionHint::ValueKind::kNameMap)) kind = 0;
    hint.kind = static_cast<OptionHint::ValueKind>(kind);
    hint.value = std::string(fields[2]);
    if (!fields[3].empty()) {
      for (absl::string_view name : absl::StrSplit(fields[3], kNameSeparator)) {
        hint.names.emplace_back(name);
      }
    }
    hint.note = std::string(fields[4]);
    out.push_back(std::move(hint));
  }
  return out;
}

}  // namespace ignite_tf
