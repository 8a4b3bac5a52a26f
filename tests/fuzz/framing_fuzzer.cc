// framing_fuzzer: a stream of reply frames as the socket delivers them.
//
// Input: two options bytes, then the stream.
//   byte 0: read chunk size (1 + value % 97, or 64 KiB when the value is 0): how many bytes each
//           ReadSome returns, so partial reads of prefixes and payloads are exercised
//   byte 1: bit 0: the old (< 1.4.0) reply header; bit 1: the handshake's 1 MiB frame limit;
//           bit 2: read as Connection::Call does (the first 8 bytes checked as they arrive, and
//           replies up to twice the largest so far allocated at once)
// Every frame goes through ReadFrame, then ParseReplyHeader (what Connection::Call does), then the
// body is read as an OP_GET_BINARY_TYPE reply and as scan pages (with and without a cursor id).
// ParseBinaryType also runs over the raw stream.
// Invariants (a violation aborts):
//   - a model of the framing, written here from the protocol, predicts every outcome: a frame is
//     read when 4 bytes of length 0 < n <= limit and then n bytes are there, and is those n
//     bytes; a length out of range is a protocol error; a stream that ends early, a connection
//     error; nothing is read past a frame;
//   - a frame read re-encodes (FrameBuilder) to exactly the bytes it was read from;
//   - the frames and the final error do not depend on how the bytes arrive: the stream read in
//     1-byte chunks and all at once gives the same, and so does the plain ReadFrame;
//   - a reply header's request id is the frame's first 8 bytes and its body starts inside it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "core/binary/binary_type.h"
#include "core/client/connection.h"
#include "core/client/scan_cursor.h"
#include "core/common/error.h"
#include "core/wire/framing.h"
#include "core/wire/reader.h"
#include "fuzz_support.h"

namespace ignite_tf {
namespace {

[[noreturn]] void Fail(const char* what, size_t frame) {
  std::fprintf(stderr, "invariant violated: framing: %s (frame %zu)\n", what, frame);
  std::abort();
}

void ParseBody(const FrameBytes& frame, size_t body) {
  {
    Reader r(frame, body);
    absl::StatusOr<bool> exists = r.ReadBool();
    if (exists.ok() && *exists) (void)ParseBinaryType(r);
  }
  (void)ParsePage(frame, body, 0);
  if (frame.size() >= body + 8) (void)ParsePage(frame, body + 8, 1024);
}

struct Read {
  std::vector<FrameBytes> frames;
  std::vector<size_t> ends;  // where each frame's bytes ended in the stream
  absl::Status end;          // why reading stopped (OK: 64 frames, or the stream was used up)
};

constexpr int kMaxFrames = 64;

// Reads frames as Connection::Call does (`as_call`: the head check and the trusted size) or with
// the plain ReadFrame, `chunk` bytes per ReadSome.
Read ReadAll(absl::Span<const uint8_t> stream, size_t chunk, int64_t max_bytes, bool as_call) {
  Read out;
  fuzz::ChunkedTransport transport(stream, chunk);
  size_t largest = 0;
  for (int i = 0; i < kMaxFrames && !transport.exhausted(); ++i) {
    absl::StatusOr<FrameBytes> frame;
    if (as_call) {
      frame = ReadFrame(transport, max_bytes, 2 * largest, sizeof(int64_t),
                        [](absl::Span<const uint8_t>) { return absl::OkStatus(); });
    } else {
      frame = ReadFrame(transport, max_bytes);
    }
    if (!frame.ok()) {
      out.end = frame.status();
      return out;
    }
    largest = std::max(largest, frame->size());
    out.ends.push_back(transport.consumed());
    out.frames.push_back(std::move(*frame));
  }
  return out;
}

bool SameRead(const Read& a, const Read& b) {
  if (a.frames.size() != b.frames.size() || a.ends != b.ends) return false;
  for (size_t i = 0; i < a.frames.size(); ++i) {
    if (a.frames[i].size() != b.frames[i].size() ||
        (a.frames[i].size() > 0 &&
         std::memcmp(a.frames[i].data(), b.frames[i].data(), a.frames[i].size()) != 0)) {
      return false;
    }
  }
  return a.end.code() == b.end.code() && a.end.message() == b.end.message();
}

// The framing model: what reading `stream` must give.
void CheckAgainstModel(absl::Span<const uint8_t> stream, int64_t max_bytes, const Read& read) {
  size_t at = 0;
  for (size_t i = 0; i < read.frames.size(); ++i) {
    if (stream.size() - at < 4) Fail("a frame read without a whole length prefix", i);
    const int32_t length = LoadUnaligned<int32_t>(stream.data() + at);
    if (length <= 0 || length > max_bytes) Fail("a frame read with a length out of range", i);
    if (stream.size() - at - 4 < static_cast<size_t>(length)) Fail("a frame past the end", i);
    const FrameBytes& frame = read.frames[i];
    if (frame.size() != static_cast<size_t>(length)) Fail("frame size is not its length", i);
    if (read.ends[i] != at + 4 + frame.size()) Fail("read past the frame", i);
    // Re-encoded, the frame is the bytes it came from.
    FrameBuilder builder;
    builder.writer().WriteBytes(absl::MakeConstSpan(frame.data(), frame.size()));
    std::vector<uint8_t> encoded = builder.Finish();
    if (encoded.size() != 4 + frame.size() ||
        std::memcmp(encoded.data(), stream.data() + at, encoded.size()) != 0) {
      Fail("a frame does not re-encode to the bytes it was read from", i);
    }
    at += encoded.size();
  }
  const size_t i = read.frames.size();
  if (read.end.ok()) {
    // Stopped at the frame limit or at the end of the stream.
    if (i != static_cast<size_t>(kMaxFrames) && at != stream.size()) {
      Fail("stopped without an error before the end", i);
    }
    return;
  }
  // What the model says of the next frame.
  if (stream.size() - at < 4) {
    if (GetErrorKind(read.end) != ErrorKind::kConnection) Fail("short prefix: not a closed", i);
    return;
  }
  const int32_t length = LoadUnaligned<int32_t>(stream.data() + at);
  if (length <= 0 || length > max_bytes) {
    if (GetErrorKind(read.end) != ErrorKind::kProtocol) Fail("bad length: not a protocol error", i);
    return;
  }
  if (stream.size() - at - 4 >= static_cast<size_t>(length)) Fail("a whole frame refused", i);
  if (GetErrorKind(read.end) != ErrorKind::kConnection) Fail("short payload: not a closed", i);
}

}  // namespace
}  // namespace ignite_tf

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ignite_tf;
  if (size < 2) return 0;
  const size_t chunk = data[0] == 0 ? size_t{64} << 10 : 1 + data[0] % 97;
  const bool old_header = (data[1] & 1) != 0;
  const int64_t max_bytes = (data[1] & 2) != 0 ? int64_t{1} << 20 : kDefaultMaxFrameBytes;
  const bool as_call = (data[1] & 4) != 0;
  const ProtocolVersion version = old_header ? ProtocolVersion{1, 1, 0} : kNewestVersion;
  absl::Span<const uint8_t> stream(data + 2, size - 2);

  {
    Reader r(stream);
    (void)ParseBinaryType(r);
  }

  Read read = ReadAll(stream, chunk, max_bytes, as_call);
  CheckAgainstModel(stream, max_bytes, read);
  if (!SameRead(read, ReadAll(stream, 1, max_bytes, as_call)) ||
      !SameRead(read, ReadAll(stream, stream.size() + 1, max_bytes, as_call)) ||
      !SameRead(read, ReadAll(stream, chunk, max_bytes, !as_call))) {
    Fail("frames depend on how the bytes arrive or how they are read", read.frames.size());
  }

  for (size_t i = 0; i < read.frames.size(); ++i) {
    const FrameBytes& frame = read.frames[i];
    absl::StatusOr<ReplyHeader> header = ParseReplyHeader(frame, version);
    if (!header.ok()) continue;
    if (header->body_offset > frame.size()) Fail("body starts past the frame", i);
    if (header->request_id != LoadUnaligned<int64_t>(frame.data())) Fail("request id", i);
    if (header->status == 0) ParseBody(frame, header->body_offset);
  }
  return 0;
}
