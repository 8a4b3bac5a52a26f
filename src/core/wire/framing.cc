#include "core/wire/framing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/common/error.h"
#include "core/wire/reader.h"

namespace ignite_tf {

absl::StatusOr<FrameBytes> ReadFrame(Transport& transport, int64_t max_bytes,
                                     size_t trusted_bytes) {
  return ReadFrame(transport, max_bytes, trusted_bytes, 0,
                   [](absl::Span<const uint8_t>) { return absl::OkStatus(); });
}

absl::StatusOr<FrameBytes> ReadFrame(
    Transport& transport, int64_t max_bytes, size_t trusted_bytes, size_t head_bytes,
    absl::FunctionRef<absl::Status(absl::Span<const uint8_t>)> check_head) {
  uint8_t prefix[4];
  IGNITE_RETURN_IF_ERROR(transport.ReadExact(absl::MakeSpan(prefix, 4)));
  int32_t length = LoadUnaligned<int32_t>(prefix);
  if (length <= 0 || length > max_bytes) {
    return ProtocolError(absl::StrCat("the server at ", transport.peer(),
                                      " sent a message with invalid length ", length,
                                      " (is this an Apache Ignite 2.x thin-client port?)"));
  }
  // Grow with what has arrived: start small and at most double, so a corrupt length costs no
  // more memory than the bytes the peer really sends (a 6-byte message used to cost 64 MiB).
  constexpr size_t kFirstChunk = size_t{64} << 10;
  constexpr size_t kMaxChunk = size_t{64} << 20;
  FrameBytes payload;  // from the block cache, not zeroed: page-sized frames reuse memory
  size_t total = static_cast<size_t>(length);
  size_t done = 0;
  // A length the caller trusts (a page it asked for) is read in one piece, into one block (often
  // a cached one); growing in chunks would only add reads.
  const bool trusted = total <= trusted_bytes;
  if (trusted) payload.reserve(total);
  if (head_bytes > 0) {
    done = std::min(total, head_bytes);
    payload.resize(done);
    IGNITE_RETURN_IF_ERROR(transport.ReadExact(absl::MakeSpan(payload.data(), done)));
    IGNITE_RETURN_IF_ERROR(check_head(absl::MakeConstSpan(payload.data(), done)));
  }
  while (done < total) {
    size_t chunk = trusted ? total - done : std::clamp(done, kFirstChunk, kMaxChunk);
    size_t target = std::min(total, done + chunk);
    payload.resize(target);
    IGNITE_RETURN_IF_ERROR(
        transport.ReadExact(absl::MakeSpan(payload.data() + done, target - done)));
    done = target;
  }
  return payload;
}

absl::Span<const uint8_t> FrameBuilder::FinishWithTail(size_t tail_bytes) {
  writer_.PatchAt<int32_t>(0, static_cast<int32_t>(writer_.size() - 4 + tail_bytes));
  return writer_.buffer();
}

std::vector<uint8_t> FrameBuilder::Finish() {
  writer_.PatchAt<int32_t>(0, static_cast<int32_t>(writer_.size() - 4));
  return writer_.Release();
}

}  // namespace ignite_tf
