// handshake_fuzzer: the server's answer to a handshake, through the production code that reads
// it (Connection::Handshake's ReadHandshakeReply and ParseHandshakeReply).
//
// Input: one options byte, then the bytes the server sends (length prefix and payload).
//   bits 0-2: the version the client asked for: 1.7.0, 1.6.0, 1.5.0, 1.4.0, 1.3.0, 1.2.0, 1.1.0
//             or 1.0.0 (Connection::Open offers 1.7.0, then a server's counter-offer)
//   bit 3:    over TLS (a plain length-prefixed read), else plain TCP (which recognizes a TLS
//             record where the reply should start)
//   bits 4-7: read chunk size (1-15 bytes per ReadSome), 0: all at once
// Invariants (a violation aborts):
//   - the reply read does not depend on how the bytes arrive (every chunk size, same result);
//   - an accepted read consumed exactly its length prefix and payload, which is the input's;
//   - the parse agrees with the protocol, read independently here: first byte 1 accepts, 0
//     refuses with the version at bytes 1-6, anything else is an error; a node id only from 1.4.0.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "core/client/connection.h"
#include "core/client/protocol.h"
#include "core/common/error.h"
#include "core/wire/reader.h"
#include "fuzz_support.h"

namespace ignite_tf {
namespace {

constexpr std::array<ProtocolVersion, 8> kVersions = {
    ProtocolVersion{1, 7, 0}, ProtocolVersion{1, 6, 0}, ProtocolVersion{1, 5, 0},
    ProtocolVersion{1, 4, 0}, ProtocolVersion{1, 3, 0}, ProtocolVersion{1, 2, 0},
    ProtocolVersion{1, 1, 0}, ProtocolVersion{1, 0, 0}};

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "invariant violated: handshake: %s\n", what);
  std::abort();
}

// A read's result: the payload, or the error's code, kind and message (not ToString: the order
// it prints payloads in is unspecified).
std::string Outcome(const absl::StatusOr<FrameBytes>& r) {
  if (!r.ok()) {
    return absl::StrCat("error ", static_cast<int>(r.status().code()), " ",
                        GetErrorKindName(r.status()), ": ", r.status().message());
  }
  return std::string(reinterpret_cast<const char*>(r->data()), r->size());
}

void CheckParse(absl::Span<const uint8_t> payload, const ProtocolVersion& version) {
  absl::StatusOr<HandshakeReply> reply = ParseHandshakeReply(payload, version, "fuzz:10800");
  if (payload.empty() || (payload[0] != 0 && payload[0] != 1)) {
    if (reply.ok()) Fail("a reply that is neither acceptance nor refusal was parsed");
    return;
  }
  if (!reply.ok()) return;
  if (reply->accepted != (payload[0] == 1)) Fail("accepted is not the first byte");
  if (reply->accepted) {
    if (reply->node_id != NodeId{} && !version.AtLeast(1, 4, 0)) Fail("node id before 1.4.0");
    if (reply->offer.major != 0 || reply->offer.minor != 0 || reply->offer.patch != 0)
      Fail("an accepted reply with an offer");
    if (version.AtLeast(1, 4, 0) && reply->node_id != NodeId{}) {
      // The id is the 16 bytes after a UUID type code at the end of what was read.
      bool found = false;
      for (size_t at = 1; at + 17 <= payload.size(); ++at) {
        if (payload[at] == 0x0a &&
            std::memcmp(payload.data() + at + 1, reply->node_id.data(), 16) == 0) {
          found = true;
        }
      }
      if (!found) Fail("a node id that is not in the reply");
    }
    return;
  }
  if (payload.size() < 7) Fail("a refusal parsed without its version");
  const ProtocolVersion offer{LoadUnaligned<int16_t>(payload.data() + 1),
                              LoadUnaligned<int16_t>(payload.data() + 3),
                              LoadUnaligned<int16_t>(payload.data() + 5)};
  if (reply->offer.major != offer.major || reply->offer.minor != offer.minor ||
      reply->offer.patch != offer.patch) {
    Fail("the offered version is not bytes 1-6");
  }
}

}  // namespace
}  // namespace ignite_tf

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ignite_tf;
  if (size < 1) return 0;
  const ProtocolVersion version = kVersions[data[0] & 7];
  const bool tls = (data[0] & 8) != 0;
  const size_t chunk = data[0] >> 4;
  absl::Span<const uint8_t> stream(data + 1, size - 1);

  fuzz::ChunkedTransport transport(stream, chunk == 0 ? stream.size() + 1 : chunk);
  absl::StatusOr<FrameBytes> payload = ReadHandshakeReply(transport, tls);
  for (size_t other : {size_t{1}, size_t{7}, stream.size() + 1}) {
    fuzz::ChunkedTransport again(stream, other);
    if (Outcome(ReadHandshakeReply(again, tls)) != Outcome(payload)) {
      Fail("the reply read depends on how the bytes arrive");
    }
  }
  if (payload.ok()) {
    if (stream.size() < 4 + payload->size()) Fail("a payload longer than the input");
    if (LoadUnaligned<int32_t>(stream.data()) != static_cast<int32_t>(payload->size()))
      Fail("payload size is not the length prefix");
    if (transport.consumed() != 4 + payload->size()) Fail("read past the reply");
    if (!payload->empty() && std::memcmp(payload->data(), stream.data() + 4, payload->size()) != 0)
      Fail("payload is not the input's bytes");
    for (const ProtocolVersion& v : kVersions) CheckParse(*payload, v);
  }
  // The parser alone, on whatever follows the options (as if the framing had let it through).
  CheckParse(stream, version);
  return 0;
}
