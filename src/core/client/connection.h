// client/connection.h: one thin-client connection: TCP, the handshake with version negotiation,
// and strict request/response calls with request ids.
#ifndef IGNITE_TF_CORE_CLIENT_CONNECTION_H_
#define IGNITE_TF_CORE_CLIENT_CONNECTION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/client/connection_options.h"
#include "core/client/protocol.h"
#include "core/common/blocks.h"
#include "core/net/tls_transport.h"
#include "core/net/transport.h"
#include "core/wire/reader.h"
#include "core/wire/writer.h"

namespace ignite_tf {

// A reply whose body starts at `body_offset` of `frame`.
struct Response {
  FrameBytes frame;
  size_t body_offset = 0;
  Reader body() const { return Reader(frame, body_offset); }
};

// What precedes a reply's body: the echoed request id and, for a failed request, the server's
// status and message. `version` decides the layout (flags header from 1.4.0 on).
struct ReplyHeader {
  int64_t request_id = 0;
  int32_t status = 0;  // kStatusSuccess, or the server's non-zero status
  std::string error_message;
  size_t body_offset = 0;  // where the body starts (only meaningful on success)
};

// Parses the header of a reply frame (the payload after its length prefix).
absl::StatusOr<ReplyHeader> ParseReplyHeader(absl::Span<const uint8_t> frame,
                                             const ProtocolVersion& version);

class Connection {
 public:
  // Connects and completes the handshake, retrying once with the server's counter-offer.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const ConnectionOptions& options);

  // Sends one request and waits for its reply. Thread-safe; requests are serialized.
  // `operation` names the call in errors ("scan of cache 'X'").
  absl::StatusOr<Response> Call(OpCode op, absl::FunctionRef<void(Writer&)> write_body,
                                absl::string_view operation);

  const ProtocolVersion& version() const { return version_; }
  const std::string& peer() const { return transport_->peer(); }
  // "TLSv1.3" and the like over TLS; empty over plain TCP.
  std::string tls_protocol() const { return transport_->tls_protocol(); }
  // Node id from the handshake (protocol 1.4+); empty before that.
  const std::vector<uint8_t>& node_id() const { return node_id_; }
  bool broken() const;

  // Names the server and the operation in an error found while reading a reply, unless the
  // message already names the server.
  absl::Status ReplyError(const absl::Status& status, absl::string_view operation) const;
  template <typename T>
  absl::StatusOr<T> InContext(absl::StatusOr<T> result, absl::string_view operation) const {
    if (!result.ok()) return ReplyError(result.status(), operation);
    return result;
  }

  void Close();

 private:
  Connection(std::unique_ptr<Transport> transport) : transport_(std::move(transport)) {}
  // Returns the server's counter-offer in `*offer` when it proposes another version.
  absl::Status Handshake(const ConnectionOptions& options, const ProtocolVersion& version,
                         ProtocolVersion* offer);
  // The handshake reply; over plain TCP it recognizes a server that speaks TLS.
  absl::StatusOr<FrameBytes> ReadHandshakeReply(bool tls);

  mutable absl::Mutex mu_;
  std::unique_ptr<Transport> transport_;
  ProtocolVersion version_;
  std::vector<uint8_t> node_id_;
  int64_t next_request_id_ = 1;
  bool broken_ = false;  // a failed exchange leaves the stream out of sync: no further calls
  // Why the first failed exchange failed: later calls report it, so an error seen on another
  // thread (a scan decoding while its fetcher hit a garbage reply) names the real cause.
  absl::Status broken_status_;
  bool closed_ = false;  // Close() was called
  // The largest reply received so far (up to kMaxTrustedReply): ReadFrame allocates replies up
  // to twice this at once.
  static constexpr size_t kMaxTrustedReply = size_t{64} << 20;
  size_t largest_reply_ = 0;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_CONNECTION_H_
