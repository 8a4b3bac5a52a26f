// net/tls_transport.h: TLS (OpenSSL) over a TcpTransport, with the same deadlines.
//
// Safe by default: the server certificate is verified against the given CA file/directory or the
// system trust store, and its name against the host connected to (or `tls_server_name`); TLS 1.2 is
// the minimum. Only `tls_insecure_skip_verify` turns verification off; whoever sets it must warn
// the user (the Python layer does). OpenSSL is linked statically with its symbols hidden, so the
// BoringSSL that TensorFlow exports under the same names never meets it.
#ifndef IGNITE_TF_CORE_NET_TLS_TRANSPORT_H_
#define IGNITE_TF_CORE_NET_TLS_TRANSPORT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/net/tcp_transport.h"
#include "core/net/transport.h"

// OpenSSL types, declared here so that users of this header do not see OpenSSL's headers.
struct ssl_st;
struct ssl_ctx_st;
struct x509_store_ctx_st;

namespace ignite_tf {

// The TLS settings of a connection (client/connection_options.h holds them with the rest and
// checks their combination). Field names are the Python keywords'; `enabled` is `tls=`.
struct TlsOptions {
  // Unset: TLS when any option below is given; false: plain TCP.
  std::optional<bool> enabled;
  // PEM bundle and/or hashed directory of CA certificates that may sign the server certificate;
  // both empty: the system trust store.
  std::string ca_file;
  std::string ca_dir;
  // Client certificate chain (PEM, leaf first). It may also hold the private key.
  std::string certfile;
  // Private key (PEM); empty: read it from `certfile`.
  std::string keyfile;
  // Decrypts an encrypted private key. A secret: never put into messages.
  std::string cert_password;
  // The name the server certificate must carry; empty: the host connected to.
  std::string tls_server_name;
  // Accept any server certificate. Defeats TLS against an active attacker; tests and
  // throw-away clusters only.
  bool tls_insecure_skip_verify = false;

  // The options given, by name (not `enabled`), in declaration order.
  std::vector<std::string> GivenNames() const;
  // Whether the connection uses TLS: `enabled`, or else whether any option is given.
  bool on() const { return enabled.value_or(!GivenNames().empty()); }
};

class TlsTransport final : public Transport {
 public:
  // Connects over TCP and completes the TLS handshake (certificate and name verified).
  static absl::StatusOr<std::unique_ptr<TlsTransport>> Connect(const std::string& host, int port,
                                                               const TcpOptions& tcp,
                                                               const TlsOptions& tls);
  ~TlsTransport() override;

  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  absl::Status WriteAll(absl::Span<const uint8_t> data) override;
  absl::StatusOr<size_t> ReadSome(absl::Span<uint8_t> buffer) override;
  void Close() override;
  const std::string& peer() const override { return tcp_->peer(); }
  void set_io_timeout(absl::Duration timeout) override { tcp_->set_io_timeout(timeout); }

  // The negotiated protocol, e.g. "TLSv1.3"; empty once closed.
  std::string tls_protocol() const override;

 private:
  TlsTransport(std::unique_ptr<TcpTransport> tcp, ssl_ctx_st* ctx, ssl_st* ssl,
               const TlsOptions& options);

  absl::Status Handshake();
  // Turns a failed SSL_* call (its SSL_get_error code) into a status that says what to do.
  absl::Status Failure(int ssl_error, const char* stage);

  // What the verify callback saw of a server certificate that failed verification.
  struct RejectedCertificate {
    std::string names;  // subject and subjectAltNames
    std::string not_before;
    std::string not_after;
  };
  friend int VerifyCallback(int ok, struct x509_store_ctx_st* store);

  std::unique_ptr<TcpTransport> tcp_;
  ssl_ctx_st* ctx_;
  ssl_st* ssl_;
  bool has_client_cert_;
  bool verify_;
  std::string expected_name_;
  bool handshake_done_ = false;
  bool received_data_ = false;  // any application byte since the handshake
  RejectedCertificate rejected_;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_NET_TLS_TRANSPORT_H_
