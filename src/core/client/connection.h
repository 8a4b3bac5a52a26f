// client/connection.h: one thin-client connection to one node: TCP, the handshake with version
// negotiation, and strict request/response calls with request ids.
#ifndef IGNITE_TF_CORE_CLIENT_CONNECTION_H_
#define IGNITE_TF_CORE_CLIENT_CONNECTION_H_

#include <array>
#include <atomic>
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
  // Set when the reply flags an affinity topology change (0x02), protocol 1.4+.
  AffinityVersion affinity_version;
  int32_t status = 0;  // kStatusSuccess, or the server's non-zero status
  std::string error_message;
  size_t body_offset = 0;  // where the body starts (only meaningful on success)
};

// Parses the header of a reply frame (the payload after its length prefix).
absl::StatusOr<ReplyHeader> ParseReplyHeader(absl::Span<const uint8_t> frame,
                                             const ProtocolVersion& version);

// A node's id (a UUID as the protocol writes it: int64 most, int64 least significant bits, each
// little-endian); all zero when unknown (protocol before 1.4).
using NodeId = std::array<uint8_t, 16>;
// Java's UUID.toString() of an id ("8d7e...-..."); empty for the unknown (all-zero) id.
std::string NodeIdText(const NodeId& id);

// What a handshake reply (the payload after its length prefix) says, for a handshake that asked
// for `version`.
struct HandshakeReply {
  bool accepted = false;
  // Accepted, protocol 1.4+: the node's id when the reply carries one; all zero otherwise.
  NodeId node_id{};
  // Refused: the version the server offers instead, its message and its status (kStatusFailed
  // when the reply has none; kStatusAuthFailed for bad credentials).
  ProtocolVersion offer{0, 0, 0};
  std::string message;
  int32_t status = kStatusFailed;
};

// Parses a handshake reply; `peer` names the server in errors. A reply that is neither an
// acceptance nor a refusal, or is truncated, is a protocol error.
absl::StatusOr<HandshakeReply> ParseHandshakeReply(absl::Span<const uint8_t> payload,
                                                   const ProtocolVersion& version,
                                                   absl::string_view peer);

// Reads the handshake reply's payload (at most 1 MiB) from `transport`. Over plain TCP (`tls`
// false) it recognizes a server that answers in TLS, or closes on what is not TLS.
absl::StatusOr<FrameBytes> ReadHandshakeReply(Transport& transport, bool tls);

class Connection {
 public:
  // Connects to `address` with `options` (its timeouts, TLS and credentials; its addresses are
  // not used) and completes the handshake, retrying once with the server's counter-offer.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const ConnectionOptions& options,
                                                          const Address& address);

  // A connection over `transport` whose handshake for `version` is already done (tests that
  // script a server's bytes, tools).
  static std::unique_ptr<Connection> Adopt(std::unique_ptr<Transport> transport, Address address,
                                           const ProtocolVersion& version);

  // Sends one request and waits for its reply. Thread-safe; requests are serialized.
  // `operation` names the call in errors ("scan of cache 'X'").
  // `tail`, when given, ends the request's body: it is sent from where it is, not copied (a
  // page of encoded entries).
  absl::StatusOr<Response> Call(OpCode op, absl::FunctionRef<void(Writer&)> write_body,
                                absl::string_view operation, absl::Span<const uint8_t> tail = {});
  // The same with a tail in pieces, sent one after the other from where they are (a page whose
  // large arrays stay in the caller's buffers).
  absl::StatusOr<Response> CallGathered(OpCode op, absl::FunctionRef<void(Writer&)> write_body,
                                        absl::string_view operation,
                                        absl::Span<const absl::Span<const uint8_t>> tail);

  // Sends `count` requests of `op` in one write (consecutive request ids; `write_body(i, w)`
  // writes request i's body) and reads their replies, in whatever order the server answers
  // them; `on_reply(i, body)` reads the body of request i's reply. A request the server refuses
  // (or whose body `on_reply` rejects) does not stop the others: once every reply is read, the
  // first such error is returned and the connection stays usable. Thread-safe; serialized with
  // Call. Meant for requests with small replies: they wait in the socket's buffers while the
  // requests are being sent.
  absl::Status CallEach(OpCode op, size_t count,
                        absl::FunctionRef<void(size_t, Writer&)> write_body,
                        absl::FunctionRef<absl::Status(size_t, Reader&)> on_reply,
                        absl::string_view operation);

  const ProtocolVersion& version() const { return version_; }
  const std::string& peer() const { return transport_->peer(); }
  // "TLSv1.3" and the like over TLS; empty over plain TCP.
  std::string tls_protocol() const { return transport_->tls_protocol(); }
  // Node id from the handshake (protocol 1.4+); all zero before that.
  const NodeId& node_id() const { return node_id_; }
  bool has_node_id() const { return node_id_ != NodeId{}; }
  // The address this connection was opened to.
  const Address& address() const { return address_; }
  bool broken() const;
  // Requests sent so far (tests show which node served an operation with it).
  int64_t request_count() const { return request_count_.load(); }
  // The newest affinity topology version a reply flagged (unknown before the first reply).
  AffinityVersion affinity_version() const;

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
  Connection(std::unique_ptr<Transport> transport, Address address)
      : transport_(std::move(transport)), address_(std::move(address)) {}
  // OK, or why no call can be made (closed; broken, with the failure that broke it).
  absl::Status Usable(absl::string_view operation) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Marks the connection broken by `status` (the stream is out of step) and closes it.
  absl::Status Fail(const absl::Status& status, absl::string_view operation)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads one reply into `*frame` and parses its header; `check_id` refuses a request id that
  // is not one of the requests waiting (checked before the rest of the frame is read).
  absl::StatusOr<ReplyHeader> ReadReply(FrameBytes* frame,
                                        absl::FunctionRef<absl::Status(int64_t)> check_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Returns the server's counter-offer in `*offer` when it proposes another version.
  absl::Status Handshake(const ConnectionOptions& options, const ProtocolVersion& version,
                         ProtocolVersion* offer);

  mutable absl::Mutex mu_;
  std::unique_ptr<Transport> transport_;
  ProtocolVersion version_;
  NodeId node_id_{};
  Address address_;
  int64_t next_request_id_ = 1;
  std::atomic<int64_t> request_count_{0};
  AffinityVersion affinity_version_ ABSL_GUARDED_BY(mu_);
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
