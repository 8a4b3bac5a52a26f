#include "core/igfs/connection.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/common/error.h"
#include "core/igfs/errors.h"

namespace ignite_tf::igfs {
namespace {

template <typename T>
absl::StatusOr<T> Take(Reply reply, ResultType type) {
  IGNITE_RETURN_IF_ERROR(reply.error());
  T* value = std::get_if<T>(&reply.value);
  if (reply.type != type || value == nullptr) {
    return ProtocolError(absl::StrCat("the IGFS server answered with a result of type ",
                                      static_cast<int32_t>(reply.type), " where type ",
                                      static_cast<int32_t>(type), " was due"));
  }
  return std::move(*value);
}

}  // namespace

absl::Status CheckPath(absl::string_view path) {
  if (path == "/") return absl::OkStatus();
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("IGFS path '", path, "' ", why, " (paths are absolute and normalized)"));
  };
  if (path.empty() || path.front() != '/') return bad("is not absolute");
  if (path.back() == '/') return bad("ends with '/'");
  for (absl::string_view part : absl::StrSplit(path.substr(1), '/')) {
    if (part.empty()) return bad("has an empty component");
    if (part == "." || part == "..") return bad("has a '.' or '..' component");
  }
  return absl::OkStatus();
}

Connection::Connection(std::unique_ptr<Transport> transport, ConnectionOptions options)
    : options_(std::move(options)), transport_(std::move(transport)), input_(*transport_) {}

Connection::~Connection() { transport_->Close(); }

absl::StatusOr<std::unique_ptr<Connection>> Connection::Connect(const ConnectionOptions& options) {
  absl::StatusOr<std::unique_ptr<TcpTransport>> tcp =
      TcpTransport::Connect(options.host, options.port, options.tcp);
  if (!tcp.ok()) {
    // The transport's message speaks of thin-client ports; this is IGFS's.
    const std::string message = absl::StrCat(
        "cannot connect to the IGFS endpoint at ", options.host, ":", options.port,
        " (is an Ignite 2.8 node serving IGFS on TCP there?): ", tcp.status().message());
    return GetErrorKind(tcp.status()) == ErrorKind::kTimeout ? TimeoutError(message)
                                                             : ConnectionError(message);
  }
  absl::StatusOr<std::unique_ptr<Connection>> connection = Open(*std::move(tcp), options);
  if (!connection.ok() && GetErrorKind(connection.status()) != ErrorKind::kServer) {
    // Something listens there, but not IGFS (a thin-client port closes the connection at once).
    return Annotate(connection.status(),
                    absl::StrCat("the endpoint at ", options.host, ":", options.port,
                                 " does not answer IGFS's handshake (is it an Ignite 2.8 IGFS "
                                 "endpoint, not a thin-client port?)"));
  }
  return connection;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(std::unique_ptr<Transport> transport,
                                                             const ConnectionOptions& options) {
  // The handshake is part of connecting: an endpoint that accepts and never answers (a hung node,
  // a port that waits for another protocol's handshake) fails within the connect timeout, not the
  // operations' one (which still bounds it when it is the shorter).
  transport->set_io_timeout(std::min(options.tcp.connect_timeout, options.tcp.io_timeout));
  std::unique_ptr<Connection> connection(new Connection(std::move(transport), options));
  IGNITE_RETURN_IF_ERROR(connection->Handshake());
  connection->transport_->set_io_timeout(options.tcp.io_timeout);
  return connection;
}

absl::Status Connection::broken() const {
  absl::MutexLock lock(&mu_);
  return broken_;
}

std::string Connection::Where(absl::string_view what, absl::string_view path) const {
  return absl::StrCat("IGFS ", what, " ", path, " at ", peer());
}

absl::Status Connection::Handshake() {
  IGNITE_ASSIGN_OR_RETURN(std::vector<uint8_t> request,
                          EncodeHandshake(options_.fs_name, std::nullopt));
  {
    absl::MutexLock lock(&mu_);
    next_id_ = 1;  // the handshake must be request 0, or the server closes without a word
  }
  IGNITE_ASSIGN_OR_RETURN(Reply reply, Call(0, request),
                          absl::StrCat("IGFS handshake with ", peer()));
  if (reply.has_error) {
    return MakeError(
        absl::StatusCode::kNotFound, ErrorKind::kServer,
        absl::StrCat("the IGFS endpoint at ", peer(), " refused the filesystem name '",
                     options_.fs_name.value_or(""), "': ", reply.error_message,
                     ". Leave the filesystem name unset to use the node's only filesystem."));
  }
  IGNITE_ASSIGN_OR_RETURN(
      std::optional<HandshakeInfo> info,
      Take<std::optional<HandshakeInfo>>(std::move(reply), ResultType::kHandshake),
      absl::StrCat("IGFS handshake with ", peer()));
  if (!info.has_value()) {
    return ProtocolError(absl::StrCat("the IGFS endpoint at ", peer(), " sent an empty handshake"));
  }
  handshake_ = std::move(*info);
  return absl::OkStatus();
}

int64_t Connection::NextId() {
  absl::MutexLock lock(&mu_);
  return next_id_++;
}

void Connection::MarkBroken(const absl::Status& why) {
  if (broken_.ok()) {
    broken_ = Annotate(
        why, absl::StrCat("the IGFS connection to ", peer(), " is closed after an earlier error"));
  }
  replied_.SignalAll();
}

absl::Status Connection::Send(int64_t id, absl::Span<const uint8_t> request, bool expect_reply) {
  {
    absl::MutexLock lock(&mu_);
    if (!broken_.ok()) return broken_;
    if (expect_reply) waiting_.insert(id);  // before the reply can arrive
  }
  absl::Status sent;
  {
    absl::MutexLock lock(&write_mu_);
    sent = transport_->WriteAll(request);
  }
  if (!sent.ok()) {
    absl::MutexLock lock(&mu_);
    waiting_.erase(id);
    MarkBroken(sent);
    return sent;
  }
  return absl::OkStatus();
}

absl::StatusOr<Reply> Connection::Await(int64_t id) {
  const absl::Time deadline = absl::Now() + options_.reply_timeout;
  absl::MutexLock lock(&mu_);
  while (true) {
    if (auto it = replies_.find(id); it != replies_.end()) {
      Reply reply = std::move(it->second);
      replies_.erase(it);
      return reply;
    }
    if (!broken_.ok()) {
      waiting_.erase(id);
      return broken_;
    }
    if (!reading_) {
      // Read the next reply, whoever's it is.
      reading_ = true;
      mu_.Unlock();
      absl::StatusOr<Reply> reply = ReadReply(input_);
      mu_.Lock();
      reading_ = false;
      replied_.SignalAll();
      if (!reply.ok()) {
        MarkBroken(reply.status());
        continue;
      }
      const int64_t from = reply->request_id;
      if (from == id) {
        waiting_.erase(id);
        return std::move(*reply);
      }
      if (waiting_.erase(from) > 0) {
        replies_.emplace(from, std::move(*reply));
      } else if (abandoned_.erase(from) == 0) {
        // No caller waits for it: the error of a WRITE_BLOCK (which has no reply), after which
        // the server may have read block data as requests; or a reply to nothing we sent.
        MarkBroken(reply->has_error
                       ? Annotate(reply->error(),
                                  absl::StrCat("a block write (request ", from, ") failed"))
                       : ProtocolError(absl::StrCat("the IGFS server answered request ", from,
                                                    ", which no one sent")));
      }
      continue;
    }
    if (replied_.WaitWithDeadline(&mu_, deadline) && absl::Now() >= deadline) {
      if (replies_.contains(id)) continue;
      waiting_.erase(id);
      abandoned_.insert(id);  // its late reply is dropped
      return TimeoutError(absl::StrCat("no reply from the IGFS endpoint at ", peer(), " within ",
                                       absl::FormatDuration(options_.reply_timeout)));
    }
  }
}

absl::StatusOr<Reply> Connection::Call(int64_t id, absl::Span<const uint8_t> request) {
  IGNITE_RETURN_IF_ERROR(Send(id, request, /*expect_reply=*/true));
  return Await(id);
}

absl::StatusOr<Reply> Connection::PathCall(PathRequest request) {
  IGNITE_RETURN_IF_ERROR(CheckPath(request.path));
  if (request.destination.has_value()) IGNITE_RETURN_IF_ERROR(CheckPath(*request.destination));
  request.user = options_.user;
  const int64_t id = NextId();
  IGNITE_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, EncodePathRequest(id, request));
  return Call(id, bytes);
}

absl::StatusOr<bool> Connection::Exists(absl::string_view path) {
  IGNITE_ASSIGN_OR_RETURN(Reply reply,
                          PathCall({.command = Command::kExists, .path = std::string(path)}),
                          Where("exists", path));
  return Take<bool>(std::move(reply), ResultType::kBoolean);
}

absl::StatusOr<std::optional<FileInfo>> Connection::Info(absl::string_view path) {
  IGNITE_ASSIGN_OR_RETURN(Reply reply,
                          PathCall({.command = Command::kInfo, .path = std::string(path)}),
                          Where("info", path));
  IGNITE_ASSIGN_OR_RETURN(std::optional<FileInfo> info,
                          Take<std::optional<FileInfo>>(std::move(reply), ResultType::kFile),
                          Where("info", path));
  return info;
}

absl::StatusOr<std::vector<FileInfo>> Connection::ListFiles(absl::string_view path) {
  IGNITE_ASSIGN_OR_RETURN(Reply reply,
                          PathCall({.command = Command::kListFiles, .path = std::string(path)}),
                          Where("list", path));
  IGNITE_ASSIGN_OR_RETURN(std::vector<FileInfo> files,
                          Take<std::vector<FileInfo>>(std::move(reply), ResultType::kFiles),
                          Where("list", path));
  return files;
}

absl::StatusOr<std::vector<std::string>> Connection::ListPaths(absl::string_view path) {
  IGNITE_ASSIGN_OR_RETURN(Reply reply,
                          PathCall({.command = Command::kListPaths, .path = std::string(path)}),
                          Where("list", path));
  IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> paths,
                          Take<std::vector<std::string>>(std::move(reply), ResultType::kPaths),
                          Where("list", path));
  return paths;
}

absl::Status Connection::MakeDirectories(absl::string_view path,
                                         const std::optional<Properties>& properties) {
  IGNITE_ASSIGN_OR_RETURN(Reply reply,
                          PathCall({.command = Command::kMakeDirectories,
                                    .path = std::string(path),
                                    .properties = properties}),
                          Where("mkdirs", path));
  return Annotate(Take<bool>(std::move(reply), ResultType::kBoolean).status(),
                  Where("mkdirs", path));
}

absl::StatusOr<bool> Connection::Delete(absl::string_view path, bool recursive) {
  IGNITE_ASSIGN_OR_RETURN(
      Reply reply,
      PathCall({.command = Command::kDelete, .path = std::string(path), .flag = recursive}),
      Where("delete", path));
  IGNITE_ASSIGN_OR_RETURN(bool deleted, Take<bool>(std::move(reply), ResultType::kBoolean),
                          Where("delete", path));
  return deleted;
}

absl::Status Connection::Rename(absl::string_view from, absl::string_view to) {
  const std::string where = Where("rename", absl::StrCat(from, " to ", to));
  IGNITE_ASSIGN_OR_RETURN(
      Reply reply,
      PathCall(
          {.command = Command::kRename, .path = std::string(from), .destination = std::string(to)}),
      where);
  return Annotate(Take<bool>(std::move(reply), ResultType::kBoolean).status(), where);
}

absl::StatusOr<int64_t> Connection::OpenCreate(absl::string_view path,
                                               const CreateOptions& options) {
  IGNITE_ASSIGN_OR_RETURN(Reply reply,
                          PathCall({.command = Command::kOpenCreate,
                                    .path = std::string(path),
                                    .flag = options.overwrite,
                                    .colocate = options.colocate,
                                    .properties = options.properties,
                                    .replication = options.replication,
                                    .block_size = options.block_size}),
                          Where("create", path));
  IGNITE_ASSIGN_OR_RETURN(int64_t stream, Take<int64_t>(std::move(reply), ResultType::kLong),
                          Where("create", path));
  return stream;
}

absl::StatusOr<int64_t> Connection::OpenAppend(absl::string_view path, bool create) {
  IGNITE_ASSIGN_OR_RETURN(
      Reply reply,
      PathCall({.command = Command::kOpenAppend, .path = std::string(path), .flag = create}),
      Where("append", path));
  IGNITE_ASSIGN_OR_RETURN(int64_t stream, Take<int64_t>(std::move(reply), ResultType::kLong),
                          Where("append", path));
  return stream;
}

absl::StatusOr<ReadDescriptor> Connection::OpenRead(absl::string_view path) {
  IGNITE_ASSIGN_OR_RETURN(Reply reply,
                          PathCall({.command = Command::kOpenRead, .path = std::string(path)}),
                          Where("open", path));
  IGNITE_ASSIGN_OR_RETURN(
      std::optional<ReadDescriptor> descriptor,
      Take<std::optional<ReadDescriptor>>(std::move(reply), ResultType::kStreamDescriptor),
      Where("open", path));
  if (!descriptor.has_value()) {
    return ProtocolError(absl::StrCat(Where("open", path), ": no stream in the reply"));
  }
  return *descriptor;
}

absl::StatusOr<std::vector<uint8_t>> Connection::ReadBlock(int64_t stream_id, int64_t position,
                                                           int32_t length) {
  const std::string where = absl::StrCat("IGFS read of stream ", stream_id, " at ", peer());
  if (position < 0 || length < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": negative position or length (", position, ", ", length, ")"));
  }
  const int64_t id = NextId();
  IGNITE_ASSIGN_OR_RETURN(Reply reply, Call(id, EncodeReadBlock(id, stream_id, position, length)),
                          where);
  IGNITE_ASSIGN_OR_RETURN(std::vector<uint8_t> data,
                          Take<std::vector<uint8_t>>(std::move(reply), ResultType::kByteArray),
                          where);
  if (data.size() > static_cast<size_t>(length)) {
    absl::MutexLock lock(&mu_);
    MarkBroken(ProtocolError(absl::StrCat(where, ": ", data.size(), " bytes for ", length)));
    return broken_;
  }
  return data;
}

absl::Status Connection::WriteBlock(int64_t stream_id, absl::Span<const uint8_t> data) {
  const size_t chunk = static_cast<size_t>(std::max(options_.write_chunk_bytes, 1));
  for (size_t at = 0; at < data.size(); at += chunk) {
    const int64_t id = NextId();
    std::vector<uint8_t> request =
        EncodeWriteBlock(id, stream_id, data.subspan(at, std::min(chunk, data.size() - at)));
    IGNITE_RETURN_IF_ERROR(Annotate(Send(id, request, /*expect_reply=*/false),
                                    absl::StrCat("IGFS write to stream ", stream_id)));
  }
  return absl::OkStatus();
}

absl::Status Connection::Close(int64_t stream_id) {
  const std::string where = absl::StrCat("IGFS close of stream ", stream_id, " at ", peer());
  const int64_t id = NextId();
  IGNITE_ASSIGN_OR_RETURN(Reply reply, Call(id, EncodeClose(id, stream_id)), where);
  return Annotate(Take<bool>(std::move(reply), ResultType::kBoolean).status(), where);
}

void Connection::CloseUnwaited(int64_t stream_id) {
  const int64_t id = NextId();
  {
    absl::MutexLock lock(&mu_);
    if (!broken_.ok()) return;
    abandoned_.insert(id);  // before its reply can arrive
  }
  (void)Send(id, EncodeClose(id, stream_id), /*expect_reply=*/false);
}

}  // namespace ignite_tf::igfs
