// framing_fuzzer: a stream of reply frames as the socket delivers them.
//
// Input: two options bytes, then the stream.
//   byte 0: read chunk size (1 + value % 97, or 64 KiB when the value is 0): how many bytes each
//           ReadSome returns, so partial reads of prefixes and payloads are exercised
//   byte 1: bit 0: the old (< 1.4.0) reply header; bit 1: the handshake's 1 MiB frame limit
// Every frame goes through ReadFrame, then ParseReplyHeader (what Connection::Call does), then the
// body is read as an OP_GET_BINARY_TYPE reply and as scan pages (with and without a cursor id).
// ParseBinaryType also runs over the raw stream.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "absl/types/span.h"
#include "core/binary/binary_type.h"
#include "core/client/connection.h"
#include "core/client/scan_cursor.h"
#include "core/wire/framing.h"
#include "core/wire/reader.h"
#include "fuzz_support.h"

namespace ignite_tf {
namespace {

void ParseBody(const FrameBytes& frame, size_t body) {
  {
    Reader r(frame, body);
    absl::StatusOr<bool> exists = r.ReadBool();
    if (exists.ok() && *exists) (void)ParseBinaryType(r);
  }
  (void)ParsePage(frame, body, 0);
  if (frame.size() >= body + 8) (void)ParsePage(frame, body + 8, 1024);
}

}  // namespace
}  // namespace ignite_tf

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ignite_tf;
  if (size < 2) return 0;
  const size_t chunk = data[0] == 0 ? size_t{64} << 10 : 1 + data[0] % 97;
  const bool old_header = (data[1] & 1) != 0;
  const int64_t max_bytes = (data[1] & 2) != 0 ? int64_t{1} << 20 : kDefaultMaxFrameBytes;
  const ProtocolVersion version = old_header ? ProtocolVersion{1, 1, 0} : kNewestVersion;
  absl::Span<const uint8_t> stream(data + 2, size - 2);

  {
    Reader r(stream);
    (void)ParseBinaryType(r);
  }

  fuzz::ChunkedTransport transport(stream, chunk);
  for (int i = 0; i < 64 && !transport.exhausted(); ++i) {
    absl::StatusOr<FrameBytes> frame = ReadFrame(transport, max_bytes);
    if (!frame.ok()) break;
    absl::StatusOr<ReplyHeader> header = ParseReplyHeader(*frame, version);
    if (!header.ok()) continue;
    if (header->body_offset > frame->size()) std::abort();
    if (header->status == 0) ParseBody(*frame, header->body_offset);
  }
  return 0;
}
