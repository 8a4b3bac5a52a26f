#include "core/client/connection.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"
#include "core/net/tcp_transport.h"
#include "core/net/tls_transport.h"
#include "core/wire/framing.h"

namespace ignite_tf {
namespace {

constexpr uint8_t kHandshakeCode = 1;
constexpr uint8_t kThinClientCode = 2;
constexpr int32_t kMaxHandshakeReply = 1 << 20;

// The setting that turns TLS on, with the files a TLS node may ask for.
OptionHint TlsHint(absl::string_view who_requires) {
  return OptionHint{"tls",
                    OptionHint::ValueKind::kBool,
                    "true",
                    {},
                    absl::StrCat("(with ca_file and certfile as ", who_requires, ")")};
}

// Reads a typed string that may be null; error strings and handshake messages use it.
absl::StatusOr<std::string> ReadNullableString(Reader& r) {
  IGNITE_ASSIGN_OR_RETURN(uint8_t code, r.ReadUInt8());
  if (code == kNull) return std::string();
  if (code != kString) {
    return ProtocolError(absl::StrCat("expected a string, got ", TypeCodeName(code)));
  }
  IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(1, "string"));
  IGNITE_ASSIGN_OR_RETURN(auto bytes, r.ReadBytes(n));
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

}  // namespace

std::string NodeIdText(const NodeId& id) {
  if (id == NodeId{}) return std::string();
  // Each half is a little-endian int64; the text shows them most significant byte first.
  std::string hex;
  for (int half = 0; half < 2; ++half) {
    for (int i = 7; i >= 0; --i)
      absl::StrAppend(&hex, absl::Hex(id[half * 8 + i], absl::kZeroPad2));
  }
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

absl::StatusOr<ReplyHeader> ParseReplyHeader(absl::Span<const uint8_t> frame,
                                             const ProtocolVersion& version) {
  Reader r(frame);
  ReplyHeader header;
  IGNITE_ASSIGN_OR_RETURN(header.request_id, r.ReadInt64());
  if (version.AtLeast(1, 4, 0)) {
    IGNITE_ASSIGN_OR_RETURN(int16_t flags, r.ReadInt16());
    if (flags & 0x02) {  // affinity topology changed: its version follows
      IGNITE_ASSIGN_OR_RETURN(header.affinity_version.major, r.ReadInt64());
      IGNITE_ASSIGN_OR_RETURN(header.affinity_version.minor, r.ReadInt32());
    }
    if (flags & 0x01) {
      IGNITE_ASSIGN_OR_RETURN(header.status, r.ReadInt32());
      if (header.status == kStatusSuccess) header.status = kStatusFailed;
    }
  } else {
    IGNITE_ASSIGN_OR_RETURN(header.status, r.ReadInt32());
  }
  if (header.status != kStatusSuccess) {
    IGNITE_ASSIGN_OR_RETURN(header.error_message, ReadNullableString(r));
  }
  header.body_offset = r.position();
  return header;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const ConnectionOptions& options,
                                                             const Address& address) {
  IGNITE_RETURN_IF_ERROR(options.Validate());
  TcpOptions tcp;
  tcp.connect_timeout = options.connect_timeout;
  // The handshakes (TLS's and the thin client's) are part of connecting: a port that accepts and
  // never answers (Ignite 2.8's IGFS endpoint, a hung node) fails within the connect timeout, not
  // the operations' one (which still bounds them when it is the shorter).
  tcp.io_timeout = std::min(options.connect_timeout, options.timeout);
  ProtocolVersion version = options.version;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::unique_ptr<Transport> transport;
    if (options.tls.on()) {
      IGNITE_ASSIGN_OR_RETURN(transport,
                              TlsTransport::Connect(address.host, address.port, tcp, options.tls));
    } else {
      IGNITE_ASSIGN_OR_RETURN(transport, TcpTransport::Connect(address.host, address.port, tcp));
    }
    std::unique_ptr<Connection> connection(new Connection(std::move(transport), address));
    ProtocolVersion offer{0, 0, 0};
    absl::Status status = connection->Handshake(options, version, &offer);
    if (status.ok()) {
      connection->transport_->set_io_timeout(options.timeout);
      return connection;
    }
    status = connection->ReplyError(status, "handshake");
    if (offer.major == 0 ||
        !offer.AtLeast(kOldestVersion.major, kOldestVersion.minor, kOldestVersion.patch) ||
        offer.AtLeast(version.major, version.minor, version.patch)) {
      return status;
    }
    version = offer;  // the server prefers an older version we also speak
  }
  return ProtocolError(
      absl::StrCat("cannot agree on a protocol version with ", address.ToString()));
}

absl::Status Connection::Handshake(const ConnectionOptions& options, const ProtocolVersion& version,
                                   ProtocolVersion* offer) {
  FrameBuilder frame;
  Writer& w = frame.writer();
  w.WriteUInt8(kHandshakeCode);
  w.WriteInt16(version.major);
  w.WriteInt16(version.minor);
  w.WriteInt16(version.patch);
  w.WriteUInt8(kThinClientCode);
  if (version.AtLeast(1, 7, 0)) {
    // Feature bitmask as a byte-array object: empty, so every layout stays the plain one.
    w.WriteUInt8(kByteArray);
    w.WriteInt32(0);
  }
  if (!options.username.empty()) {
    w.WriteString(options.username);
    w.WriteString(options.password);
  }
  // One write: the server rejects a fragmented handshake.
  IGNITE_RETURN_IF_ERROR(transport_->WriteAll(frame.Finish()));
  absl::StatusOr<FrameBytes> reply = ReadHandshakeReply(*transport_, options.tls.on());
  if (!reply.ok()) {
    return Annotate(reply.status(), absl::StrCat("handshake with ", peer()));
  }
  IGNITE_ASSIGN_OR_RETURN(HandshakeReply parsed, ParseHandshakeReply(*reply, version, peer()));
  if (parsed.accepted) {
    version_ = version;
    node_id_ = parsed.node_id;
    return absl::OkStatus();
  }
  *offer = parsed.offer;
  transport_->Close();
  if (parsed.status == kStatusAuthFailed) {
    offer->major = 0;
    return MakeError(
        absl::StatusCode::kUnauthenticated, ErrorKind::kAuthentication,
        absl::StrCat("authentication failed at ", peer(), ": ", parsed.message,
                     options.username.empty() ? " (the cluster requires a username and password)"
                                              : absl::StrCat(" (user '", options.username, "')")));
  }
  return ProtocolError(absl::StrCat("handshake with ", peer(), " refused protocol ",
                                    version.ToString(), " (server offers ", offer->ToString(),
                                    "): ", parsed.message));
}

absl::StatusOr<HandshakeReply> ParseHandshakeReply(absl::Span<const uint8_t> payload,
                                                   const ProtocolVersion& version,
                                                   absl::string_view peer) {
  Reader r(payload);
  HandshakeReply reply;
  IGNITE_ASSIGN_OR_RETURN(uint8_t success, r.ReadUInt8());
  if (success == 1) {
    reply.accepted = true;
    if (version.AtLeast(1, 7, 0)) {
      IGNITE_ASSIGN_OR_RETURN(uint8_t code, r.ReadUInt8());
      if (code == kByteArray) {
        IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(1, "feature bitmask"));
        IGNITE_RETURN_IF_ERROR(r.Skip(n));
      } else if (code != kNull) {
        return ProtocolError(
            absl::StrCat("handshake reply from ", peer, " has a malformed feature bitmask"));
      }
    }
    if (version.AtLeast(1, 4, 0) && r.remaining() > 0) {
      IGNITE_ASSIGN_OR_RETURN(uint8_t code, r.ReadUInt8());
      if (code == kUuid) {
        IGNITE_ASSIGN_OR_RETURN(auto id, r.ReadBytes(16));
        std::copy(id.begin(), id.end(), reply.node_id.begin());
      }
    }
    return reply;
  }
  if (success != 0) {
    return ProtocolError(absl::StrCat("the server at ", peer, " answered the handshake with byte ",
                                      int{success},
                                      " (is this an Apache Ignite 2.x thin-client port?)"));
  }
  IGNITE_ASSIGN_OR_RETURN(reply.offer.major, r.ReadInt16());
  IGNITE_ASSIGN_OR_RETURN(reply.offer.minor, r.ReadInt16());
  IGNITE_ASSIGN_OR_RETURN(reply.offer.patch, r.ReadInt16());
  IGNITE_ASSIGN_OR_RETURN(reply.message, ReadNullableString(r));
  if (r.remaining() >= 4) {
    IGNITE_ASSIGN_OR_RETURN(reply.status, r.ReadInt32());
  }
  return reply;
}

absl::StatusOr<FrameBytes> ReadHandshakeReply(Transport& transport, bool tls) {
  if (tls) return ReadFrame(transport, kMaxHandshakeReply);
  // Over plain TCP, tell a TLS port (or one that drops what is not TLS) from a broken server.
  uint8_t prefix[4];
  absl::Status status = transport.ReadExact(absl::MakeSpan(prefix, 4));
  if (!status.ok()) {
    if (GetErrorKind(status) == ErrorKind::kConnection) {  // closed, not timed out
      return WithHint(ConnectionError(absl::StrCat(status.message(),
                                                   ". If this thin-client port has TLS enabled "
                                                   "(sslEnabled=true), connect with TLS")),
                      TlsHint("the node requires"));
    }
    return status;
  }
  // A TLS record (alert 0x15 or handshake 0x16, version 3.x) where a reply should start.
  if ((prefix[0] == 0x15 || prefix[0] == 0x16) && prefix[1] == 0x03 && prefix[2] <= 0x04) {
    return WithHint(TlsError(absl::StrCat("the server at ", transport.peer(),
                                          " answered in TLS: its thin-client port has TLS "
                                          "enabled; connect with TLS")),
                    TlsHint("it requires"));
  }
  int32_t length = LoadUnaligned<int32_t>(prefix);
  if (length <= 0 || length > kMaxHandshakeReply) {
    return ProtocolError(absl::StrCat("the server at ", transport.peer(),
                                      " sent a message with invalid length ", length,
                                      " (is this an Apache Ignite 2.x thin-client port?)"));
  }
  FrameBytes payload(static_cast<size_t>(length));
  IGNITE_RETURN_IF_ERROR(transport.ReadExact(absl::MakeSpan(payload)));
  return payload;
}

std::unique_ptr<Connection> Connection::Adopt(std::unique_ptr<Transport> transport, Address address,
                                              const ProtocolVersion& version) {
  std::unique_ptr<Connection> connection(new Connection(std::move(transport), std::move(address)));
  connection->version_ = version;
  return connection;
}

absl::Status Connection::Usable(absl::string_view operation) const {
  if (closed_) {
    return ConnectionError(
        absl::StrCat(operation, ": the client for ", peer(), " was closed; open a new one"));
  }
  if (broken_) {
    const std::string lost = absl::StrCat(operation, ": the connection to ", peer(),
                                          " was lost earlier (open a new client)");
    // The failure that broke the connection, with its kind (timeout, protocol error, ...): a
    // scan's decoding thread that needed the connection while its fetching thread hit the
    // failure reports the real cause, and a later call says what happened.
    if (broken_status_.ok()) return ConnectionError(lost);
    return Annotate(broken_status_, lost);
  }
  return absl::OkStatus();
}

absl::Status Connection::Fail(const absl::Status& status, absl::string_view operation) {
  broken_ = true;
  broken_status_ = Annotate(status, operation);
  transport_->Close();
  return broken_status_;
}

absl::StatusOr<ReplyHeader> Connection::ReadReply(
    FrameBytes* frame, absl::FunctionRef<absl::Status(int64_t)> check_id) {
  // Replies as large as one this server has already sent (pages of similar rows) are read into
  // one block at once instead of growing through every size on the way.
  auto known_request = [&](absl::Span<const uint8_t> head) -> absl::Status {
    if (head.size() < sizeof(int64_t)) return absl::OkStatus();  // too short: parsed below
    return check_id(LoadUnaligned<int64_t>(head.data()));
  };
  IGNITE_ASSIGN_OR_RETURN(*frame, ReadFrame(*transport_, kDefaultMaxFrameBytes, 2 * largest_reply_,
                                            sizeof(int64_t), known_request));
  largest_reply_ = std::max(largest_reply_, std::min(frame->size(), kMaxTrustedReply));
  IGNITE_ASSIGN_OR_RETURN(ReplyHeader header, ParseReplyHeader(*frame, version_));
  IGNITE_RETURN_IF_ERROR(check_id(header.request_id));
  if (header.affinity_version.known() && affinity_version_ < header.affinity_version) {
    affinity_version_ = header.affinity_version;
  }
  return header;
}

absl::StatusOr<Response> Connection::Call(OpCode op, absl::FunctionRef<void(Writer&)> write_body,
                                          absl::string_view operation,
                                          absl::Span<const uint8_t> tail) {
  const absl::Span<const uint8_t> pieces[] = {tail};
  return CallGathered(op, write_body, operation,
                      tail.empty() ? absl::Span<const absl::Span<const uint8_t>>() : pieces);
}

absl::StatusOr<Response> Connection::CallGathered(
    OpCode op, absl::FunctionRef<void(Writer&)> write_body, absl::string_view operation,
    absl::Span<const absl::Span<const uint8_t>> tail) {
  absl::MutexLock lock(&mu_);
  IGNITE_RETURN_IF_ERROR(Usable(operation));
  const int64_t request_id = next_request_id_++;
  request_count_.fetch_add(1);
  FrameBuilder frame;
  Writer& w = frame.writer();
  w.WriteInt16(static_cast<int16_t>(op));
  w.WriteInt64(request_id);
  write_body(w);
  if (tail.empty()) {
    if (absl::Status s = transport_->WriteAll(frame.Finish()); !s.ok()) return Fail(s, operation);
  } else {
    size_t tail_size = 0;
    for (absl::Span<const uint8_t> piece : tail) tail_size += piece.size();
    if (absl::Status s = transport_->WriteAll(frame.FinishWithTail(tail_size)); !s.ok()) {
      return Fail(s, operation);
    }
    for (absl::Span<const uint8_t> piece : tail) {
      if (piece.empty()) continue;
      if (absl::Status s = transport_->WriteAll(piece); !s.ok()) return Fail(s, operation);
    }
  }
  auto same_request = [&](int64_t id) -> absl::Status {
    if (id == request_id) return absl::OkStatus();
    return ProtocolError(absl::StrCat("the server at ", peer(), " sent a reply with request id ",
                                      id, ", expected ", request_id,
                                      " (garbage, or not an Apache Ignite 2.x thin-client port?)"));
  };
  Response response;
  absl::StatusOr<ReplyHeader> header = ReadReply(&response.frame, same_request);
  if (!header.ok()) return Fail(header.status(), operation);
  if (header->status != kStatusSuccess) {
    return ServerError(header->status, header->error_message, peer(), operation);
  }
  response.body_offset = header->body_offset;
  return response;
}

absl::Status Connection::CallEach(OpCode op, size_t count,
                                  absl::FunctionRef<void(size_t, Writer&)> write_body,
                                  absl::FunctionRef<absl::Status(size_t, Reader&)> on_reply,
                                  absl::string_view operation) {
  absl::MutexLock lock(&mu_);
  IGNITE_RETURN_IF_ERROR(Usable(operation));
  if (count == 0) return absl::OkStatus();
  const int64_t first_id = next_request_id_;
  next_request_id_ += static_cast<int64_t>(count);
  request_count_.fetch_add(static_cast<int64_t>(count));
  Writer w;  // every request's frame, back to back: one write
  for (size_t i = 0; i < count; ++i) {
    const size_t start = w.size();
    w.WriteInt32(0);  // the frame's length, patched below
    w.WriteInt16(static_cast<int16_t>(op));
    w.WriteInt64(first_id + static_cast<int64_t>(i));
    write_body(i, w);
    w.PatchAt<int32_t>(start, static_cast<int32_t>(w.size() - start - sizeof(int32_t)));
  }
  if (absl::Status s = transport_->WriteAll(w.buffer()); !s.ok()) return Fail(s, operation);
  std::vector<bool> answered(count, false);
  auto one_of_ours = [&](int64_t id) -> absl::Status {
    const int64_t i = id - first_id;
    if (i >= 0 && i < static_cast<int64_t>(count) && !answered[static_cast<size_t>(i)]) {
      return absl::OkStatus();
    }
    return ProtocolError(absl::StrCat(
        "the server at ", peer(), " sent a reply with request id ", id, ", expected one of ",
        first_id, "..", first_id + static_cast<int64_t>(count) - 1, " not answered yet"));
  };
  absl::Status first_error;
  for (size_t n = 0; n < count; ++n) {
    // The server may answer a connection's requests in any order: each reply names its own.
    FrameBytes frame;
    absl::StatusOr<ReplyHeader> header = ReadReply(&frame, one_of_ours);
    if (!header.ok()) return Fail(header.status(), operation);
    const size_t i = static_cast<size_t>(header->request_id - first_id);
    answered[i] = true;
    // A refused request leaves the stream in step: read the other replies, report the first.
    if (header->status != kStatusSuccess) {
      if (first_error.ok()) {
        first_error = ServerError(header->status, header->error_message, peer(), operation);
      }
      continue;
    }
    Reader body(frame, header->body_offset);
    if (absl::Status s = on_reply(i, body); !s.ok() && first_error.ok()) {
      first_error = ReplyError(s, operation);
    }
  }
  return first_error;
}

absl::Status Connection::ReplyError(const absl::Status& status, absl::string_view operation) const {
  if (status.ok() || absl::StrContains(status.message(), peer())) return status;
  return Annotate(status, absl::StrCat(operation, " (reply from ", peer(), ")"));
}

AffinityVersion Connection::affinity_version() const {
  absl::MutexLock lock(&mu_);
  return affinity_version_;
}

bool Connection::broken() const {
  absl::MutexLock lock(&mu_);
  return broken_;
}

void Connection::Close() {
  absl::MutexLock lock(&mu_);
  broken_ = true;
  closed_ = true;
  transport_->Close();
}

}  // namespace ignite_tf
