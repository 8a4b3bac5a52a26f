// net/tcp_transport.h: plain TCP transport with connect and I/O timeouts (non-blocking + poll).
#ifndef IGNITE_TF_CORE_NET_TCP_TRANSPORT_H_
#define IGNITE_TF_CORE_NET_TCP_TRANSPORT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/net/transport.h"

namespace ignite_tf {

struct TcpOptions {
  absl::Duration connect_timeout = absl::Seconds(10);
  // Longest wait for the peer to accept or deliver a byte; a dead server surfaces within it.
  absl::Duration io_timeout = absl::Seconds(30);
  int receive_buffer_bytes = 4 << 20;
};

class TcpTransport final : public Transport {
 public:
  static absl::StatusOr<std::unique_ptr<TcpTransport>> Connect(const std::string& host, int port,
                                                               const TcpOptions& options);
  ~TcpTransport() override;

  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  absl::Status WriteAll(absl::Span<const uint8_t> data) override;
  absl::StatusOr<size_t> ReadSome(absl::Span<uint8_t> buffer) override;
  void Close() override;
  const std::string& peer() const override { return peer_; }
  void set_io_timeout(absl::Duration timeout) override { io_timeout_ = timeout; }

  // The connected non-blocking socket (-1 once closed), for a TLS layer on top of it.
  int fd() const { return fd_; }

  // Waits until the socket is ready for `events` (POLLIN/POLLOUT) or the timeout passes.
  absl::Status WaitFor(short events, const char* what);

 private:
  TcpTransport(int fd, std::string peer, absl::Duration io_timeout)
      : fd_(fd), peer_(std::move(peer)), io_timeout_(io_timeout) {}

  int fd_;
  std::string peer_;
  absl::Duration io_timeout_;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_NET_TCP_TRANSPORT_H_
