// igfs/protocol.h: the messages of IGFS's native protocol (Ignite 2.8's IgfsMarshaller and
// IgfsControlResponse): request encoders and the reply reader. No I/O here (igfs/connection.h
// sends and receives); every encoder returns the whole request, so it goes out in one write.
//
// Request: a 24-byte header, reqId:i64 cmd:i32 streamId:i64 length:i32 (streamId and length only
// for stream commands), then the command's body. Path commands (EXISTS..OPEN_CREATE): user
// string, path, destination path, flag, colocate, property map, then per command: OPEN_CREATE
// replication:i32 blockSize:i64; OPEN_READ with flag set seqReadsBeforePrefetch:i32.
// Reply: a 24-byte header (reqId echoed, cmd CONTROL_RESPONSE), a 9-byte result header
// resType:i32 hasErr:u8 len:i32 (len only for byte arrays), then the result, or on error the
// message (writeUTF), the code:i32 and, for resType ERR_STREAM_ID, the stream id:i64. A reply
// has no length: it is read field by field from a DataInput.
#ifndef IGNITE_TF_CORE_IGFS_PROTOCOL_H_
#define IGNITE_TF_CORE_IGFS_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/igfs/data_io.h"

namespace ignite_tf::igfs {

// IgfsIpcCommand ordinals.
enum class Command : int32_t {
  kHandshake = 0,
  kStatus = 1,
  kExists = 2,
  kInfo = 3,
  kPathSummary = 4,
  kUpdate = 5,
  kRename = 6,
  kDelete = 7,
  kMakeDirectories = 8,
  kListPaths = 9,
  kListFiles = 10,
  kAffinity = 11,
  kSetTimes = 12,
  kOpenRead = 13,
  kOpenAppend = 14,
  kOpenCreate = 15,
  kClose = 16,
  kReadBlock = 17,
  kWriteBlock = 18,
  kControlResponse = 19,
  kModeResolver = 20,
};

// IgfsControlResponse result types.
enum class ResultType : int32_t {
  kBoolean = 0,
  kLong = 1,
  kFile = 2,
  kStreamDescriptor = 3,
  kPath = 4,
  kFiles = 5,
  kPaths = 6,
  kBlockLocations = 7,
  kByteArray = 8,
  kErrorStreamId = 9,
  kHandshake = 10,
  kStatus = 11,
  kPathSummary = 12,
  kModeResolver = 13,
};

inline constexpr size_t kHeaderBytes = 24;
inline constexpr size_t kResultHeaderBytes = 9;

// The body of a path command (EXISTS .. OPEN_CREATE). Paths go out as given: the caller checks
// them (CheckPath) and a server does not normalize them.
struct PathRequest {
  Command command = Command::kExists;
  std::optional<std::string> user = std::nullopt;  // null: the server JVM's user
  std::string path = {};
  std::optional<std::string> destination = std::nullopt;  // RENAME's target
  // DELETE: recursive; OPEN_CREATE: overwrite; OPEN_APPEND: create when missing.
  bool flag = false;
  bool colocate = false;
  std::optional<Properties> properties = std::nullopt;
  int32_t replication = 0;  // OPEN_CREATE (0: the filesystem's default)
  int64_t block_size = 0;   // OPEN_CREATE (0: the filesystem's default)
};

// HANDSHAKE, always request id 0. A null `fs_name` accepts the node's one filesystem.
absl::StatusOr<std::vector<uint8_t>> EncodeHandshake(const std::optional<std::string>& fs_name,
                                                     const std::optional<std::string>& log_dir);
absl::StatusOr<std::vector<uint8_t>> EncodePathRequest(int64_t request_id,
                                                       const PathRequest& request);
std::vector<uint8_t> EncodeReadBlock(int64_t request_id, int64_t stream_id, int64_t position,
                                     int32_t length);
std::vector<uint8_t> EncodeClose(int64_t request_id, int64_t stream_id);
// WRITE_BLOCK: the header followed by `data`, in one buffer (one write). It has no reply.
std::vector<uint8_t> EncodeWriteBlock(int64_t request_id, int64_t stream_id,
                                      absl::Span<const uint8_t> data);

// An IgfsFile (INFO, LIST_FILES).
struct FileInfo {
  std::string path;
  int32_t block_size = 0;
  int64_t group_block_size = 0;
  int64_t length = 0;
  Properties properties;
  int64_t access_time_ms = 0;
  int64_t modification_time_ms = 0;
  uint8_t flags = 0;  // 1 directory, 2 file

  bool is_directory() const { return (flags & 1) != 0; }
  bool is_file() const { return (flags & 2) != 0; }
};

struct HandshakeInfo {
  std::string fs_name;
  int64_t group_block_size = 0;
  std::optional<bool> sampling;
};

struct ReadDescriptor {
  int64_t stream_id = 0;
  int64_t length = 0;
};

// What a reply holds; single objects the server may leave out (INFO of a missing path) are
// optional, collections are vectors (a null collection reads as empty).
using ReplyValue =
    std::variant<std::monostate, bool, int64_t, std::vector<uint8_t>, std::optional<FileInfo>,
                 std::optional<ReadDescriptor>, std::optional<std::string>, std::vector<FileInfo>,
                 std::vector<std::string>, std::optional<HandshakeInfo>>;

struct Reply {
  int64_t request_id = 0;
  ResultType type = ResultType::kBoolean;
  bool has_error = false;
  std::string error_message;
  int32_t error_code = 0;
  std::optional<int64_t> error_stream_id;  // resType ERR_STREAM_ID
  ReplyValue value;

  // The server's error as a status (ServerError), or OK.
  absl::Status error() const;
};

struct ReplyLimits {
  int64_t max_byte_array = int64_t{1} << 30;  // READ_BLOCK data
  int32_t max_items = 1 << 26;                // LIST_FILES / LIST_PATHS entries
};

// Reads one reply. Anything malformed (a command other than CONTROL_RESPONSE, an unknown result
// type, a negative length, bad modified UTF-8, a truncated field) is a protocol error; after one
// the stream is out of step and the connection must not be used again.
absl::StatusOr<Reply> ReadReply(DataInput& in, const ReplyLimits& limits = {});

}  // namespace ignite_tf::igfs

#endif  // IGNITE_TF_CORE_IGFS_PROTOCOL_H_
