// wire/framing.h: length-prefixed messages (int32 length, then payload) over a Transport.
#ifndef IGNITE_TF_CORE_WIRE_FRAMING_H_
#define IGNITE_TF_CORE_WIRE_FRAMING_H_

#include <cstdint>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/common/blocks.h"
#include "core/net/transport.h"
#include "core/wire/writer.h"

namespace ignite_tf {

// Largest message we accept unless told otherwise: a page of Ignite rows can be large, but a
// length beyond this is far more likely garbage than data.
inline constexpr int64_t kDefaultMaxFrameBytes = int64_t{1} << 31;

// Reads one message payload (without its length prefix). The buffer grows only as bytes arrive,
// so a corrupt length cannot make us allocate gigabytes up front; a length up to `trusted_bytes`
// (the size of messages this peer has really sent) is allocated at once.
absl::StatusOr<FrameBytes> ReadFrame(Transport& transport,
                                     int64_t max_bytes = kDefaultMaxFrameBytes,
                                     size_t trusted_bytes = 0);

// The same, but as soon as the first `head_bytes` of the payload (all of it, if shorter) have
// arrived, `check_head` sees them; an error it returns ends the read. A reply's request id is
// checked this way, so garbage whose first bytes read as a huge length fails at once instead
// of waiting for bytes that never come.
absl::StatusOr<FrameBytes> ReadFrame(
    Transport& transport, int64_t max_bytes, size_t trusted_bytes, size_t head_bytes,
    absl::FunctionRef<absl::Status(absl::Span<const uint8_t>)> check_head);

// Builds an outgoing message: reserves the length prefix, and fills it in Finish().
class FrameBuilder {
 public:
  FrameBuilder() { writer_.WriteInt32(0); }
  Writer& writer() { return writer_; }
  std::vector<uint8_t> Finish();
  // The frame's bytes so far with a length that counts `tail_bytes` more, sent right after
  // them (a large payload that stays where it is instead of being copied into the frame).
  absl::Span<const uint8_t> FinishWithTail(size_t tail_bytes);

 private:
  Writer writer_;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_WIRE_FRAMING_H_
