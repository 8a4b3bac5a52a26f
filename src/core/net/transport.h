// net/transport.h: a byte stream to one server, with deadlines on every blocking call.
//
// Plain TCP implements it today; TLS (OpenSSL) implements the same interface, so the layers above
// never know which one carries their bytes.
#ifndef IGNITE_TF_CORE_NET_TRANSPORT_H_
#define IGNITE_TF_CORE_NET_TRANSPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace ignite_tf {

class Transport {
 public:
  virtual ~Transport() = default;

  // Sends every byte or fails (connection error, timeout).
  virtual absl::Status WriteAll(absl::Span<const uint8_t> data) = 0;

  // Receives at least one byte into `buffer`. A peer that closes the connection is an error.
  virtual absl::StatusOr<size_t> ReadSome(absl::Span<uint8_t> buffer) = 0;

  // Fills `buffer` completely or fails.
  absl::Status ReadExact(absl::Span<uint8_t> buffer);

  // Changes the longest wait for one byte in or out from now on (connecting uses a shorter one for
  // the handshakes than the operations after it). Transports without deadlines ignore it.
  virtual void set_io_timeout(absl::Duration timeout) { (void)timeout; }

  // Idempotent; later calls to Read/Write fail.
  virtual void Close() = 0;

  // "host:port" as the user named it, for messages.
  virtual const std::string& peer() const = 0;

  // The TLS version in use ("TLSv1.3"), or empty for a plain connection.
  virtual std::string tls_protocol() const { return std::string(); }
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_NET_TRANSPORT_H_
