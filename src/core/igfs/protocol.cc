#include "core/igfs/protocol.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/common/error.h"
#include "core/igfs/errors.h"

namespace ignite_tf::igfs {
namespace {

void AppendHeader(std::vector<uint8_t>& out, int64_t request_id, Command command,
                  int64_t stream_id = 0, int32_t length = 0) {
  DataWriter w(out);
  w.WriteInt64(request_id);
  w.WriteInt32(static_cast<int32_t>(command));
  w.WriteInt64(stream_id);
  w.WriteInt32(length);
}

bool IsPathCommand(Command c) {
  return static_cast<int32_t>(c) >= static_cast<int32_t>(Command::kExists) &&
         static_cast<int32_t>(c) <= static_cast<int32_t>(Command::kOpenCreate);
}

absl::StatusOr<FileInfo> ReadFileInfo(DataInput& in) {
  FileInfo f;
  IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> path, in.ReadString());
  if (!path.has_value()) return ProtocolError("the IGFS server sent a file without a path");
  f.path = std::move(*path);
  IGNITE_ASSIGN_OR_RETURN(f.block_size, in.ReadInt32());
  IGNITE_ASSIGN_OR_RETURN(f.group_block_size, in.ReadInt64());
  IGNITE_ASSIGN_OR_RETURN(f.length, in.ReadInt64());
  IGNITE_ASSIGN_OR_RETURN(f.properties, in.ReadStringMap());
  IGNITE_ASSIGN_OR_RETURN(f.access_time_ms, in.ReadInt64());
  IGNITE_ASSIGN_OR_RETURN(f.modification_time_ms, in.ReadInt64());
  IGNITE_ASSIGN_OR_RETURN(f.flags, in.ReadUInt8());
  return f;
}

// A single object behind a present flag (IgfsControlResponse writes `res != null` first).
template <typename T, typename ReadFn>
absl::StatusOr<std::optional<T>> ReadOptional(DataInput& in, ReadFn read) {
  IGNITE_ASSIGN_OR_RETURN(bool present, in.ReadBool());
  if (!present) return std::optional<T>();
  IGNITE_ASSIGN_OR_RETURN(T value, read(in));
  return std::optional<T>(std::move(value));
}

// A collection: count:i32 (-1 null), then the items without present flags.
template <typename T, typename ReadFn>
absl::StatusOr<std::vector<T>> ReadCollection(DataInput& in, int32_t max_items, ReadFn read) {
  IGNITE_ASSIGN_OR_RETURN(int32_t count, in.ReadInt32());
  std::vector<T> items;
  if (count < 0) return items;
  if (count > max_items) {
    return ProtocolError(absl::StrCat("the IGFS server announced ", count, " entries (at most ",
                                      max_items, " accepted)"));
  }
  items.reserve(std::min(count, 1024));  // a garbage count costs no memory up front
  for (int32_t i = 0; i < count; ++i) {
    IGNITE_ASSIGN_OR_RETURN(T item, read(in));
    items.push_back(std::move(item));
  }
  return items;
}

absl::StatusOr<std::string> ReadPath(DataInput& in) {
  IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> path, in.ReadString());
  if (!path.has_value()) return ProtocolError("the IGFS server sent a null path");
  return std::move(*path);
}

absl::StatusOr<HandshakeInfo> ReadHandshakeInfo(DataInput& in) {
  HandshakeInfo h;
  IGNITE_ASSIGN_OR_RETURN(std::optional<std::string> name, in.ReadString());
  h.fs_name = name.value_or("");
  IGNITE_ASSIGN_OR_RETURN(h.group_block_size, in.ReadInt64());
  IGNITE_ASSIGN_OR_RETURN(bool has_sampling, in.ReadBool());
  if (has_sampling) {
    IGNITE_ASSIGN_OR_RETURN(bool sampling, in.ReadBool());
    h.sampling = sampling;
  }
  return h;
}

absl::StatusOr<ReadDescriptor> ReadDescriptorOf(DataInput& in) {
  ReadDescriptor d;
  IGNITE_ASSIGN_OR_RETURN(d.stream_id, in.ReadInt64());
  IGNITE_ASSIGN_OR_RETURN(d.length, in.ReadInt64());
  return d;
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> EncodeHandshake(const std::optional<std::string>& fs_name,
                                                     const std::optional<std::string>& log_dir) {
  std::vector<uint8_t> out;
  AppendHeader(out, 0, Command::kHandshake);
  DataWriter w(out);
  IGNITE_RETURN_IF_ERROR(w.WriteString(fs_name));
  IGNITE_RETURN_IF_ERROR(w.WriteString(log_dir));
  return out;
}

absl::StatusOr<std::vector<uint8_t>> EncodePathRequest(int64_t request_id,
                                                       const PathRequest& request) {
  if (!IsPathCommand(request.command)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "IGFS command ", static_cast<int32_t>(request.command), " is not a path command"));
  }
  std::vector<uint8_t> out;
  AppendHeader(out, request_id, request.command);
  DataWriter w(out);
  IGNITE_RETURN_IF_ERROR(w.WriteString(request.user));
  w.WriteBool(true);  // IgfsMarshaller.writePath: a present flag, then IgfsPath's string
  IGNITE_RETURN_IF_ERROR(w.WriteString(request.path));
  w.WriteBool(request.destination.has_value());
  if (request.destination.has_value()) IGNITE_RETURN_IF_ERROR(w.WriteString(request.destination));
  w.WriteBool(request.flag);
  w.WriteBool(request.colocate);
  IGNITE_RETURN_IF_ERROR(w.WriteStringMap(request.properties));
  if (request.command == Command::kOpenCreate) {
    w.WriteInt32(request.replication);
    w.WriteInt64(request.block_size);
  } else if (request.command == Command::kAffinity || request.command == Command::kSetTimes) {
    w.WriteInt64(0);  // start and length / access and modification times: never sent by us
    w.WriteInt64(0);
  } else if (request.command == Command::kOpenRead && request.flag) {
    w.WriteInt32(0);  // sequential reads before prefetch
  }
  return out;
}

std::vector<uint8_t> EncodeReadBlock(int64_t request_id, int64_t stream_id, int64_t position,
                                     int32_t length) {
  std::vector<uint8_t> out;
  AppendHeader(out, request_id, Command::kReadBlock, stream_id, length);
  DataWriter(out).WriteInt64(position);
  return out;
}

std::vector<uint8_t> EncodeClose(int64_t request_id, int64_t stream_id) {
  std::vector<uint8_t> out;
  AppendHeader(out, request_id, Command::kClose, stream_id);
  return out;
}

std::vector<uint8_t> EncodeWriteBlock(int64_t request_id, int64_t stream_id,
                                      absl::Span<const uint8_t> data) {
  std::vector<uint8_t> out;
  out.reserve(kHeaderBytes + data.size());
  AppendHeader(out, request_id, Command::kWriteBlock, stream_id, static_cast<int32_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

absl::Status Reply::error() const {
  return has_error ? ServerError(error_code, error_message) : absl::OkStatus();
}

absl::StatusOr<Reply> ReadReply(DataInput& in, const ReplyLimits& limits) {
  Reply reply;
  IGNITE_ASSIGN_OR_RETURN(reply.request_id, in.ReadInt64());
  IGNITE_ASSIGN_OR_RETURN(int32_t command, in.ReadInt32());
  if (command != static_cast<int32_t>(Command::kControlResponse)) {
    return ProtocolError(absl::StrCat("the IGFS server sent a message of command ", command,
                                      " where a reply (19) was due (is this an IGFS endpoint?)"));
  }
  uint8_t rest[12];
  IGNITE_RETURN_IF_ERROR(in.ReadFully(absl::MakeSpan(rest)));
  IGNITE_ASSIGN_OR_RETURN(int32_t type, in.ReadInt32());
  IGNITE_ASSIGN_OR_RETURN(reply.has_error, in.ReadBool());
  IGNITE_ASSIGN_OR_RETURN(int32_t length, in.ReadInt32());
  if (reply.has_error) {
    // An error's type is -1, or ERR_STREAM_ID when a stream id follows the code.
    reply.type = ResultType::kErrorStreamId;
    IGNITE_ASSIGN_OR_RETURN(reply.error_message, in.ReadUtf());
    IGNITE_ASSIGN_OR_RETURN(reply.error_code, in.ReadInt32());
    if (type == static_cast<int32_t>(ResultType::kErrorStreamId)) {
      IGNITE_ASSIGN_OR_RETURN(int64_t stream, in.ReadInt64());
      reply.error_stream_id = stream;
    }
    return reply;
  }
  if (type < 0 || type > static_cast<int32_t>(ResultType::kModeResolver)) {
    return ProtocolError(absl::StrCat("the IGFS server sent a reply of unknown type ", type));
  }
  reply.type = static_cast<ResultType>(type);
  switch (reply.type) {
    case ResultType::kBoolean: {
      IGNITE_ASSIGN_OR_RETURN(bool v, in.ReadBool());
      reply.value = v;
      break;
    }
    case ResultType::kLong: {
      IGNITE_ASSIGN_OR_RETURN(int64_t v, in.ReadInt64());
      reply.value = v;
      break;
    }
    case ResultType::kByteArray: {
      if (length < 0 || length > limits.max_byte_array) {
        return ProtocolError(absl::StrCat("the IGFS server sent block data of ", length, " bytes"));
      }
      std::vector<uint8_t> data(static_cast<size_t>(length));
      IGNITE_RETURN_IF_ERROR(in.ReadFully(absl::MakeSpan(data)));
      reply.value = std::move(data);
      break;
    }
    case ResultType::kFile: {
      IGNITE_ASSIGN_OR_RETURN(reply.value, ReadOptional<FileInfo>(in, ReadFileInfo));
      break;
    }
    case ResultType::kStreamDescriptor: {
      IGNITE_ASSIGN_OR_RETURN(reply.value, ReadOptional<ReadDescriptor>(in, ReadDescriptorOf));
      break;
    }
    case ResultType::kPath: {
      IGNITE_ASSIGN_OR_RETURN(reply.value, ReadOptional<std::string>(in, ReadPath));
      break;
    }
    case ResultType::kHandshake: {
      IGNITE_ASSIGN_OR_RETURN(reply.value, ReadOptional<HandshakeInfo>(in, ReadHandshakeInfo));
      break;
    }
    case ResultType::kFiles: {
      IGNITE_ASSIGN_OR_RETURN(reply.value,
                              ReadCollection<FileInfo>(in, limits.max_items, ReadFileInfo));
      break;
    }
    case ResultType::kPaths: {
      IGNITE_ASSIGN_OR_RETURN(reply.value,
                              ReadCollection<std::string>(in, limits.max_items, ReadPath));
      break;
    }
    default:
      // Results of commands we never send (STATUS, PATH_SUMMARY, AFFINITY, MODE_RESOLVER): their
      // bodies are not parsed, so the stream cannot be followed past them.
      return ProtocolError(absl::StrCat("the IGFS server sent a reply of type ", type,
                                        ", which answers no request this client sends"));
  }
  return reply;
}

}  // namespace ignite_tf::igfs
