#include "core/fs/filesystem.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/common/error.h"

namespace ignite_tf::fs {
namespace {

constexpr int64_t kCopyChunk = 1 << 20;

}  // namespace

absl::StatusOr<Backend> ParseBackend(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  if (lower.empty() || lower == "auto") return Backend::kAuto;
  if (lower == "thin") return Backend::kThin;
  if (lower == "native") return Backend::kNative;
  return absl::InvalidArgumentError(absl::StrCat(
      "igfs protocol '", name,
      "' is unknown: use 'thin' (files in Ignite caches, any Ignite 2.x, the thin-client port, "
      "10800 by default), 'native' (Ignite 2.8's own IGFS, port 10500 by default) or 'auto' "
      "(ask the port)"));
}

absl::string_view BackendName(Backend backend) {
  switch (backend) {
    case Backend::kThin:
      return "thin";
    case Backend::kNative:
      return "native";
    case Backend::kAuto:
      break;
  }
  return "auto";
}

absl::Status FileSystem::Copy(const std::string& from, const std::string& to) {
  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> reader, OpenRead(from));
  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> writer, OpenWrite(to, false));
  std::vector<char> buf(static_cast<size_t>(kCopyChunk));
  int64_t offset = 0;
  while (true) {
    int64_t got = 0;
    absl::Status s = reader->Read(offset, kCopyChunk, buf.data(), &got);
    if (!s.ok() && !absl::IsOutOfRange(s)) return s;
    IGNITE_RETURN_IF_ERROR(writer->Append(buf.data(), got));
    offset += got;
    if (!s.ok()) break;
  }
  return writer->Close();
}

}  // namespace ignite_tf::fs
