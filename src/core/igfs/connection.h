// igfs/connection.h: one connection to an IGFS endpoint (Ignite 2.8's native file-system
// protocol, by default on port 10500), and the operations it serves.
//
// Requests carry ids and replies are matched to them (a node answers most requests from a pool,
// so replies come out of order). Every request goes out in one write (TCP_NODELAY is on). Any
// thread may call any operation at once: writes are serialized, and whichever caller is waiting
// reads the next reply and hands it to its owner, so there is no reader thread; a caller waits at
// most `reply_timeout` for its reply (and each socket wait is bounded by the TCP io timeout).
//
// The connection breaks for good (every later call fails with the reason) after a connection
// error, a protocol error, or any error the server sends about a WRITE_BLOCK: WRITE_BLOCK has no
// reply, its error arrives unsolicited and the server may then read the unconsumed block data as
// the next request. Its streams die with it (a node closes them with the connection).
//
// Paths must be absolute and normalized ("/a/b", the root "/"): the server does not normalize
// them ("//" is an error there, "/a/../b" a missing path), so CheckPath refuses anything else.
#ifndef IGNITE_TF_CORE_IGFS_CONNECTION_H_
#define IGNITE_TF_CORE_IGFS_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/igfs/data_io.h"
#include "core/igfs/protocol.h"
#include "core/net/tcp_transport.h"
#include "core/net/transport.h"

namespace ignite_tf::igfs {

inline constexpr int kDefaultPort = 10500;

struct ConnectionOptions {
  std::string host = "127.0.0.1";
  int port = kDefaultPort;
  // The filesystem to use; unset accepts the node's one filesystem (whatever its name).
  std::optional<std::string> fs_name;
  // The user requests run as; unset is the server JVM's user.
  std::optional<std::string> user;
  TcpOptions tcp;
  // Longest wait for one reply, however many other replies arrive meanwhile.
  absl::Duration reply_timeout = absl::Seconds(60);
  // WriteBlock sends at most this many bytes a request.
  int32_t write_chunk_bytes = 1 << 20;
};

struct CreateOptions {
  bool overwrite = true;  // else an existing file is AlreadyExists
  bool colocate = false;
  int32_t replication = 0;  // 0: the filesystem's default
  int64_t block_size = 0;   // 0: the filesystem's default
  std::optional<Properties> properties = std::nullopt;
};

// OK for "/" and "/a/b"; InvalidArgument for a relative path, "//", "." or ".." components, a
// trailing '/' or an empty path.
absl::Status CheckPath(absl::string_view path);

class Connection {
 public:
  // Connects and shakes hands (a wrong filesystem name is NotFound, naming the node's).
  static absl::StatusOr<std::unique_ptr<Connection>> Connect(const ConnectionOptions& options);
  // The same over a transport already connected (tests script one).
  static absl::StatusOr<std::unique_ptr<Connection>> Open(std::unique_ptr<Transport> transport,
                                                          const ConnectionOptions& options);
  ~Connection();

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const HandshakeInfo& handshake() const { return handshake_; }
  const std::string& peer() const { return transport_->peer(); }
  // Why the connection is unusable, or OK.
  absl::Status broken() const;

  absl::StatusOr<bool> Exists(absl::string_view path);
  // nullopt when nothing is at `path`.
  absl::StatusOr<std::optional<FileInfo>> Info(absl::string_view path);
  absl::StatusOr<std::vector<FileInfo>> ListFiles(absl::string_view path);
  absl::StatusOr<std::vector<std::string>> ListPaths(absl::string_view path);
  // Creates the directory and its missing parents; OK when it exists.
  absl::Status MakeDirectories(absl::string_view path,
                               const std::optional<Properties>& properties = std::nullopt);
  // False when nothing was at `path`.
  absl::StatusOr<bool> Delete(absl::string_view path, bool recursive);
  // AlreadyExists when `to` exists (the server does not replace files).
  absl::Status Rename(absl::string_view from, absl::string_view to);

  // Stream ids. OpenCreate creates missing parents.
  absl::StatusOr<int64_t> OpenCreate(absl::string_view path, const CreateOptions& options = {});
  absl::StatusOr<int64_t> OpenAppend(absl::string_view path, bool create);
  absl::StatusOr<ReadDescriptor> OpenRead(absl::string_view path);
  // Up to `length` bytes at `position`: fewer across the end of the file, none at or past it.
  absl::StatusOr<std::vector<uint8_t>> ReadBlock(int64_t stream_id, int64_t position,
                                                 int32_t length);
  // Sends `data` without waiting for the server; a failure shows as the broken connection in a
  // later call (Close of the stream at the latest).
  absl::Status WriteBlock(int64_t stream_id, absl::Span<const uint8_t> data);
  // Closes a stream; for a write stream, returns once the server has stored every block.
  absl::Status Close(int64_t stream_id);
  // Sends CLOSE without waiting for its reply (dropped when it comes), for destructors: a
  // read stream being let go needs no answer, and a destructor must not block on the network.
  void CloseUnwaited(int64_t stream_id);

 private:
  Connection(std::unique_ptr<Transport> transport, ConnectionOptions options);

  absl::Status Handshake();
  absl::StatusOr<Reply> PathCall(PathRequest request);
  // Sends request `id` and waits for its reply.
  absl::StatusOr<Reply> Call(int64_t id, absl::Span<const uint8_t> request);
  int64_t NextId();
  absl::Status Send(int64_t id, absl::Span<const uint8_t> request, bool expect_reply);
  absl::StatusOr<Reply> Await(int64_t id);
  void MarkBroken(const absl::Status& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string Where(absl::string_view what, absl::string_view path) const;

  const ConnectionOptions options_;
  std::unique_ptr<Transport> transport_;
  HandshakeInfo handshake_;

  absl::Mutex write_mu_;  // one request on the wire at a time
  mutable absl::Mutex mu_;
  absl::CondVar replied_;  // a reply was stored, the reader stepped down, or the link broke
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status broken_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<int64_t> waiting_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<int64_t> abandoned_ ABSL_GUARDED_BY(mu_);  // their callers timed out
  absl::flat_hash_map<int64_t, Reply> replies_ ABSL_GUARDED_BY(mu_);
  TransportInput input_;  // read only by the caller that holds `reading_`
};

}  // namespace ignite_tf::igfs

#endif  // IGNITE_TF_CORE_IGFS_CONNECTION_H_
