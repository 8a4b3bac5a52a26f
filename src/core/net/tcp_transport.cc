#include "core/net/tcp_transport.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/error.h"

namespace ignite_tf {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

int TimeoutMillis(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return -1;
  int64_t ms = absl::ToInt64Milliseconds(d);
  if (ms < 0) return 0;
  return ms > INT32_MAX ? INT32_MAX : static_cast<int>(ms);
}

// Connects one address without blocking longer than `timeout`. Returns the fd or an error.
absl::StatusOr<int> ConnectOne(const addrinfo* ai, absl::Duration timeout) {
  int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
  if (fd < 0) return absl::InternalError(ErrnoText(errno));
  int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
  if (rc != 0 && errno != EINPROGRESS) {
    int err = errno;
    ::close(fd);
    return absl::UnavailableError(ErrnoText(err));
  }
  if (rc != 0) {
    pollfd pfd{fd, POLLOUT, 0};
    int ready;
    do {
      ready = ::poll(&pfd, 1, TimeoutMillis(timeout));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
      ::close(fd);
      return absl::DeadlineExceededError(
          absl::StrCat("no answer within ", absl::FormatDuration(timeout)));
    }
    int err = 0;
    socklen_t len = sizeof(err);
    if (ready < 0) err = errno;
    if (err == 0 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
      ::close(fd);
      return absl::UnavailableError(ErrnoText(err));
    }
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TcpTransport>> TcpTransport::Connect(const std::string& host,
                                                                    int port,
                                                                    const TcpOptions& options) {
  std::string peer = absl::StrCat(host, ":", port);
  if (port <= 0 || port > 65535) {
    return ConnectionError(absl::StrCat("cannot connect to ", peer, ": port out of range"));
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int gai = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (gai != 0) {
    return ConnectionError(absl::StrCat("cannot connect to ", peer, ": cannot resolve host '", host,
                                        "': ", ::gai_strerror(gai)));
  }
  absl::Status last;
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    absl::StatusOr<int> one = ConnectOne(ai, options.connect_timeout);
    if (one.ok()) {
      fd = *one;
      break;
    }
    last = one.status();
  }
  ::freeaddrinfo(found);
  if (fd < 0) {
    std::string message = absl::StrCat("cannot connect to Ignite at ", peer, ": ", last.message(),
                                       " (is a node running with its thin-client connector on "
                                       "this host and port?)");
    return last.code() == absl::StatusCode::kDeadlineExceeded ? TimeoutError(message)
                                                              : ConnectionError(message);
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (options.receive_buffer_bytes > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer_bytes,
                 sizeof(options.receive_buffer_bytes));
  }
  return std::unique_ptr<TcpTransport>(new TcpTransport(fd, std::move(peer), options.io_timeout));
}

TcpTransport::~TcpTransport() { Close(); }

void TcpTransport::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

absl::Status TcpTransport::WaitFor(short events, const char* what) {
  pollfd pfd{fd_, events, 0};
  int ready;
  do {
    ready = ::poll(&pfd, 1, TimeoutMillis(io_timeout_));
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) {
    return TimeoutError(absl::StrFormat("timed out after %s %s %s",
                                        absl::FormatDuration(io_timeout_), what, peer_));
  }
  if (ready < 0) {
    return ConnectionError(absl::StrCat("connection to ", peer_, " failed: ", ErrnoText(errno)));
  }
  return absl::OkStatus();
}

absl::Status TcpTransport::WriteAll(absl::Span<const uint8_t> data) {
  if (fd_ < 0) return ConnectionError(absl::StrCat("connection to ", peer_, " is closed"));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      IGNITE_RETURN_IF_ERROR(WaitFor(POLLOUT, "sending to"));
      continue;
    }
    return ConnectionError(
        absl::StrCat("connection to ", peer_, " broke while sending: ", ErrnoText(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> TcpTransport::ReadSome(absl::Span<uint8_t> buffer) {
  if (fd_ < 0) return ConnectionError(absl::StrCat("connection to ", peer_, " is closed"));
  while (true) {
    ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) {
      return ConnectionError(
          absl::StrCat("the server at ", peer_, " closed the connection in the middle of a reply"));
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      IGNITE_RETURN_IF_ERROR(WaitFor(POLLIN, "waiting for a reply from"));
      continue;
    }
    return ConnectionError(
        absl::StrCat("connection to ", peer_, " broke while receiving: ", ErrnoText(errno)));
  }
}

}  // namespace ignite_tf
