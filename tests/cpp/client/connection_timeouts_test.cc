// Connection::Open's waits, against local sockets: the handshake's reply is awaited for the
// connect timeout (a port that accepts and stays silent, as Ignite 2.8's IGFS endpoint does to a
// thin client, fails fast), the replies after it for the operation timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/client/connection.h"
#include "core/client/connection_options.h"
#include "core/client/protocol.h"
#include "core/common/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ErrorKindIs;
using ::testing::HasSubstr;

// A listening socket on 127.0.0.1. Silent: the kernel completes connections from its backlog
// and nobody ever reads or answers. With `accept_handshake`, a thread accepts one connection,
// reads the thin client's handshake, accepts it and then stays silent.
class LocalServer {
 public:
  explicit LocalServer(bool accept_handshake) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
    if (accept_handshake) thread_ = std::thread([this] { Serve(); });
  }

  ~LocalServer() {
    done_ = true;
    ::shutdown(fd_, SHUT_RDWR);  // wakes a blocked accept
    if (thread_.joinable()) thread_.join();
    if (client_ >= 0) ::close(client_);
    ::close(fd_);
  }

  int port() const { return port_; }

 private:
  void Serve() {
    int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0 || done_) return;
    client_ = client;
    int32_t length = 0;
    if (!ReadFully(client, &length, sizeof(length)) || length <= 0 || length > 1024) return;
    std::vector<uint8_t> handshake(static_cast<size_t>(length));
    if (!ReadFully(client, handshake.data(), handshake.size())) return;
    // Accepted (1), an empty feature bitmask (a byte array of length 0), no node id.
    const uint8_t reply[] = {6, 0, 0, 0, 1, kByteArray, 0, 0, 0, 0};
    (void)::send(client, reply, sizeof(reply), MSG_NOSIGNAL);
  }

  static bool ReadFully(int fd, void* out, size_t n) {
    auto* p = static_cast<uint8_t*>(out);
    while (n > 0) {
      ssize_t got = ::recv(fd, p, n, 0);
      if (got <= 0) return false;
      p += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }

  int fd_ = -1;
  int port_ = 0;
  int client_ = -1;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

ConnectionOptions Options(int port, absl::Duration connect_timeout, absl::Duration timeout) {
  ConnectionOptions options;
  options.addresses = {Address{"127.0.0.1", port}};
  options.connect_timeout = connect_timeout;
  options.timeout = timeout;
  return options;
}

TEST(ConnectionTimeoutsTest, ASilentPortFailsTheHandshakeWithinTheConnectTimeout) {
  LocalServer silent(/*accept_handshake=*/false);
  const ConnectionOptions options =
      Options(silent.port(), absl::Milliseconds(300), absl::Seconds(20));
  const absl::Time started = absl::Now();
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::Open(options, options.addresses[0]);
  const absl::Duration took = absl::Now() - started;
  ASSERT_THAT(connection, ErrorKindIs(ErrorKind::kTimeout));
  EXPECT_THAT(std::string(connection.status().message()), HasSubstr("handshake"));
  EXPECT_THAT(std::string(connection.status().message()), HasSubstr("timed out after 300ms"));
  EXPECT_LT(took, absl::Seconds(10)) << "waited the operation timeout (20 s), not 300 ms";
}

TEST(ConnectionTimeoutsTest, AShorterOperationTimeoutBoundsTheHandshakeToo) {
  LocalServer silent(/*accept_handshake=*/false);
  const ConnectionOptions options =
      Options(silent.port(), absl::InfiniteDuration(), absl::Milliseconds(200));
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::Open(options, options.addresses[0]);
  ASSERT_THAT(connection, ErrorKindIs(ErrorKind::kTimeout));
  EXPECT_THAT(std::string(connection.status().message()), HasSubstr("timed out after 200ms"));
}

TEST(ConnectionTimeoutsTest, RepliesAfterTheHandshakeWaitTheOperationTimeout) {
  LocalServer server(/*accept_handshake=*/true);
  const ConnectionOptions options =
      Options(server.port(), absl::Milliseconds(200), absl::Milliseconds(1500));
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::Open(options, options.addresses[0]);
  ASSERT_TRUE(connection.ok()) << connection.status();
  const absl::Time started = absl::Now();
  absl::StatusOr<Response> reply = (*connection)
                                       ->Call(
                                           OpCode::kCacheGetNames, [](Writer&) {}, "cache names");
  const absl::Duration took = absl::Now() - started;
  ASSERT_THAT(reply, ErrorKindIs(ErrorKind::kTimeout));
  EXPECT_THAT(std::string(reply.status().message()), HasSubstr("timed out after 1.5s"));
  EXPECT_GE(took, absl::Milliseconds(1400));
}

}  // namespace
}  // namespace ignite_tf
