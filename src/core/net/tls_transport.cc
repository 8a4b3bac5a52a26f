#include "core/net/tls_transport.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/error.h"

namespace ignite_tf {
namespace {

// Drains OpenSSL's error queue of this thread into one readable line.
std::string DrainErrors() {
  std::vector<std::string> parts;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    parts.emplace_back(buf);
  }
  return absl::StrJoin(parts, "; ");
}

// Never prompts on a terminal: without a password, an encrypted key simply fails to load.
int PasswordCallback(char* buf, int size, int /*rwflag*/, void* userdata) {
  const auto* password = static_cast<const std::string*>(userdata);
  if (password == nullptr || password->empty() || size <= 0) return 0;
  int n = static_cast<int>(std::min<size_t>(password->size(), static_cast<size_t>(size)));
  std::memcpy(buf, password->data(), static_cast<size_t>(n));
  return n;
}

int NoPasswordCallback(char*, int, int, void*) { return 0; }

// A socket BIO that sends with MSG_NOSIGNAL (a dead peer is an error, not SIGPIPE) and reports
// EAGAIN as "retry", so SSL_* return WANT_READ/WANT_WRITE and we poll with our deadline.
int SocketFd(BIO* bio) { return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio))); }

int SocketWrite(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  ssize_t n;
  do {
    n = ::send(SocketFd(bio), data, static_cast<size_t>(size), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    BIO_set_retry_write(bio);
    return -1;
  }
  return n < 0 ? -1 : static_cast<int>(n);
}

int SocketRead(BIO* bio, char* buf, int size) {
  BIO_clear_retry_flags(bio);
  ssize_t n;
  do {
    n = ::recv(SocketFd(bio), buf, static_cast<size_t>(size), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    BIO_set_retry_read(bio);
    return -1;
  }
  return n < 0 ? -1 : static_cast<int>(n);
}

long SocketCtrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int SocketCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* SocketMethod() {
  static const BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ignite_tf socket");
    BIO_meth_set_write(m, SocketWrite);
    BIO_meth_set_read(m, SocketRead);
    BIO_meth_set_ctrl(m, SocketCtrl);
    BIO_meth_set_create(m, SocketCreate);
    return m;
  }();
  return method;
}

// OpenSSL's own default trust store is OPENSSLDIR/cert.pem and OPENSSLDIR/certs, fixed when it
// was built: /usr/lib/ssl for our wheels (Debian's layout). Other distributions keep their bundle
// elsewhere, so when that default file is absent and the user named no store of their own
// (SSL_CERT_FILE, SSL_CERT_DIR), the first of the well-known system bundles is loaded as well.
// Returns false only when a bundle exists but cannot be read.
bool LoadDistributionTrustStore(SSL_CTX* ctx) {
  if (std::getenv(X509_get_default_cert_file_env()) != nullptr ||
      std::getenv(X509_get_default_cert_dir_env()) != nullptr ||
      access(X509_get_default_cert_file(), R_OK) == 0) {
    return true;
  }
  static constexpr const char* kBundles[] = {
      "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Arch, Gentoo
      "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL, CentOS
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 7+, Amazon Linux
      "/etc/ssl/ca-bundle.pem",                             // openSUSE, SLES
      "/etc/ssl/cert.pem",                                  // Alpine
  };
  for (const char* bundle : kBundles) {
    if (access(bundle, R_OK) == 0) {
      return SSL_CTX_load_verify_locations(ctx, bundle, nullptr) == 1;
    }
  }
  return true;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool FileMentions(const std::string& path, absl::string_view text) {
  std::ifstream in(path, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return absl::StrContains(content, text);
}

bool Readable(const std::string& path, std::string* why) {
  std::ifstream in(path, std::ios::binary);
  if (in.good()) return true;
  *why = std::strerror(errno);
  return false;
}

std::string AsnTime(const ASN1_TIME* t) {
  BIO* mem = BIO_new(BIO_s_mem());
  if (mem == nullptr) return "?";
  ASN1_TIME_print(mem, t);
  char* data = nullptr;
  long n = BIO_get_mem_data(mem, &data);
  std::string out(data, static_cast<size_t>(n > 0 ? n : 0));
  BIO_free(mem);
  return out;
}

// "subject CN=..., names DNS:a, IP:1.2.3.4" of the server certificate, for mismatch messages.
std::string DescribeNames(X509* cert) {
  std::vector<std::string> names;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
      if (name->type == GEN_DNS) {
        const ASN1_IA5STRING* s = name->d.dNSName;
        names.push_back(absl::StrCat(
            "DNS:", absl::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                      static_cast<size_t>(ASN1_STRING_length(s)))));
      } else if (name->type == GEN_IPADD) {
        const ASN1_OCTET_STRING* s = name->d.iPAddress;
        char text[INET6_ADDRSTRLEN] = "?";
        int len = ASN1_STRING_length(s);
        if (len == 4 || len == 16) {
          ::inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), text, sizeof(text));
        }
        names.push_back(absl::StrCat("IP:", text));
      }
    }
    GENERAL_NAMES_free(sans);
  }
  char subject[256] = "";
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
  return absl::StrCat("subject ", subject, ", names ",
                      names.empty() ? "(none)" : absl::StrJoin(names, ", "));
}

// A file or secret the TLS options take, described rather than given.
OptionHint Placeholder(const char* option, const char* what) {
  return OptionHint{option, OptionHint::ValueKind::kPlaceholder, what, {}, ""};
}

OptionHint ClientCertificateHint() {
  OptionHint hint = Placeholder("certfile", "<PEM of the client certificate>");
  hint.note = "(and keyfile, when its key is in a separate file)";
  return hint;
}

}  // namespace

// Remembers the first certificate that fails verification, for the error message; the decision
// stays OpenSSL's.
int VerifyCallback(int ok, X509_STORE_CTX* store) {
  if (ok) return ok;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* transport = ssl != nullptr ? static_cast<TlsTransport*>(SSL_get_app_data(ssl)) : nullptr;
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (transport != nullptr && cert != nullptr && transport->rejected_.names.empty()) {
    transport->rejected_.names = DescribeNames(cert);
    transport->rejected_.not_before = AsnTime(X509_get0_notBefore(cert));
    transport->rejected_.not_after = AsnTime(X509_get0_notAfter(cert));
  }
  return ok;
}

std::vector<std::string> TlsOptions::GivenNames() const {
  std::vector<std::string> names;
  for (auto [name, value] : {std::pair{"ca_file", &ca_file},
                             {"ca_dir", &ca_dir},
                             {"certfile", &certfile},
                             {"keyfile", &keyfile},
                             {"cert_password", &cert_password},
                             {"tls_server_name", &tls_server_name}}) {
    if (!value->empty()) names.push_back(name);
  }
  if (tls_insecure_skip_verify) names.push_back("tls_insecure_skip_verify");
  return names;
}

absl::StatusOr<std::unique_ptr<TlsTransport>> TlsTransport::Connect(const std::string& host,
                                                                    int port,
                                                                    const TcpOptions& tcp_options,
                                                                    const TlsOptions& tls) {
  const std::string peer = absl::StrCat(host, ":", port);
  auto setup_error = [&](absl::string_view what) {
    return TlsError(absl::StrCat("TLS setup for ", peer, " failed: ", what));
  };
  std::string why;
  for (const std::string* path : {&tls.ca_file, &tls.certfile, &tls.keyfile}) {
    if (!path->empty() && !Readable(*path, &why)) {
      return setup_error(absl::StrCat("cannot read '", *path, "': ", why));
    }
  }

  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return setup_error(DrainErrors());
  // Freed on every early return; ownership passes to the transport at the end.
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_guard(ctx, SSL_CTX_free);
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_default_passwd_cb(ctx, NoPasswordCallback);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

  if (!tls.tls_insecure_skip_verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, VerifyCallback);
    if (!tls.ca_file.empty() || !tls.ca_dir.empty()) {
      if (SSL_CTX_load_verify_locations(ctx, tls.ca_file.empty() ? nullptr : tls.ca_file.c_str(),
                                        tls.ca_dir.empty() ? nullptr : tls.ca_dir.c_str()) != 1) {
        return setup_error(absl::StrCat("cannot load CA certificates from '",
                                        tls.ca_file.empty() ? tls.ca_dir : tls.ca_file,
                                        "' (PEM expected): ", DrainErrors()));
      }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1 || !LoadDistributionTrustStore(ctx)) {
      return setup_error(absl::StrCat("cannot load the system trust store: ", DrainErrors()));
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }

  if (!tls.certfile.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, tls.certfile.c_str()) != 1) {
      return setup_error(
          absl::StrCat("no PEM certificate in certfile '", tls.certfile, "': ", DrainErrors()));
    }
    const std::string& key_path = tls.keyfile.empty() ? tls.certfile : tls.keyfile;
    BIO* key_bio = BIO_new_file(key_path.c_str(), "r");
    if (key_bio == nullptr) {
      return setup_error(absl::StrCat("cannot open keyfile '", key_path, "': ", DrainErrors()));
    }
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, PasswordCallback,
                                            const_cast<std::string*>(&tls.cert_password));
    BIO_free(key_bio);
    if (key == nullptr) {
      std::string detail = DrainErrors();
      (void)detail;  // OpenSSL's decoder chatter; the cases below say more
      if (FileMentions(key_path, "ENCRYPTED")) {
        if (tls.cert_password.empty()) {
          return WithHint(
              setup_error(absl::StrCat("the private key in '", key_path, "' is encrypted")),
              Placeholder("cert_password", "<the key's password>"));
        }
        return WithHint(setup_error(absl::StrCat("cannot decrypt the private key in '", key_path,
                                                 "': the password does not open it")),
                        Placeholder("cert_password", "<the key's password>"));
      }
      return WithHint(
          setup_error(absl::StrCat("no PEM private key in '", key_path,
                                   "' (put the key into the certfile, or name its own file)")),
          Placeholder("keyfile", "<PEM of the private key>"));
    }
    int used = SSL_CTX_use_PrivateKey(ctx, key);
    EVP_PKEY_free(key);
    if (used != 1 || SSL_CTX_check_private_key(ctx) != 1) {
      return setup_error(absl::StrCat("the private key in '", key_path,
                                      "' does not belong to the certificate in '", tls.certfile,
                                      "': ", DrainErrors()));
    }
  }

  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<TcpTransport> tcp,
                          TcpTransport::Connect(host, port, tcp_options));
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return setup_error(DrainErrors());
  BIO* bio = BIO_new(SocketMethod());
  if (bio == nullptr) {
    SSL_free(ssl);
    return setup_error(DrainErrors());
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(tcp->fd())));
  SSL_set_bio(ssl, bio, bio);  // the SSL owns the BIO now

  const std::string expected = tls.tls_server_name.empty() ? host : tls.tls_server_name;
  if (!tls.tls_insecure_skip_verify) {
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int ok = IsIpAddress(expected)
                 ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), expected.c_str())
                 : SSL_set1_host(ssl, expected.c_str());
    if (ok != 1) {
      SSL_free(ssl);
      return setup_error(absl::StrCat("cannot verify against the name '", expected, "'"));
    }
  }
  if (!IsIpAddress(expected)) {
    SSL_set_tlsext_host_name(ssl, expected.c_str());  // SNI carries names, never addresses
  }

  ctx_guard.release();
  std::unique_ptr<TlsTransport> transport(new TlsTransport(std::move(tcp), ctx, ssl, tls));
  transport->expected_name_ = expected;
  SSL_set_app_data(ssl, transport.get());
  IGNITE_RETURN_IF_ERROR(transport->Handshake());
  return transport;
}

TlsTransport::TlsTransport(std::unique_ptr<TcpTransport> tcp, ssl_ctx_st* ctx, ssl_st* ssl,
                           const TlsOptions& options)
    : tcp_(std::move(tcp)),
      ctx_(ctx),
      ssl_(ssl),
      has_client_cert_(!options.certfile.empty()),
      verify_(!options.tls_insecure_skip_verify) {}

TlsTransport::~TlsTransport() { Close(); }

void TlsTransport::Close() {
  if (ssl_ != nullptr) {
    // One close_notify, never waiting for the peer's answer.
    if (handshake_done_ && tcp_->fd() >= 0) SSL_shutdown(ssl_);
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (ctx_ != nullptr) {
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
  }
  tcp_->Close();
  ERR_clear_error();  // leave nothing behind in this thread's error queue
}

std::string TlsTransport::tls_protocol() const {
  return ssl_ == nullptr ? std::string() : std::string(SSL_get_version(ssl_));
}

absl::Status TlsTransport::Handshake() {
  while (true) {
    ERR_clear_error();
    int rc = SSL_connect(ssl_);
    if (rc == 1) {
      handshake_done_ = true;
      return absl::OkStatus();
    }
    int err = SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      absl::Status ready =
          tcp_->WaitFor(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, "in the TLS handshake with");
      if (ready.ok()) continue;
      if (ready.code() == absl::StatusCode::kDeadlineExceeded) {
        return MakeError(absl::StatusCode::kDeadlineExceeded, ErrorKind::kTls,
                         absl::StrCat(ready.message(),
                                      ": no TLS answer. Is TLS enabled on this thin-client port "
                                      "(sslEnabled=true)? A plain port waits silently."));
      }
      return ready;
    }
    return Failure(err, "TLS handshake");
  }
}

absl::Status TlsTransport::Failure(int ssl_error, const char* stage) {
  const std::string& who = peer();
  if (verify_ && !handshake_done_) {
    long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK) {
      const RejectedCertificate& cert = rejected_;
      std::string reason = X509_verify_cert_error_string(verify);
      ERR_clear_error();
      switch (verify) {
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
          return WithHint(
              TlsError(absl::StrCat(
                  "the TLS certificate of ", who, " is not valid for '", expected_name_, "' (",
                  cert.names.empty() ? "its names are unknown" : cert.names,
                  "): connect with a name the certificate carries, or name the one to expect")),
              Placeholder("tls_server_name", "<a name the certificate carries>"));
        case X509_V_ERR_CERT_HAS_EXPIRED:
          return TlsError(absl::StrCat(
              "the TLS certificate of ", who, " has expired",
              cert.not_after.empty() ? "" : absl::StrCat(" (not valid after ", cert.not_after, ")"),
              ": the node needs a renewed certificate"));
        case X509_V_ERR_CERT_NOT_YET_VALID:
          return TlsError(absl::StrCat(
              "the TLS certificate of ", who, " is not valid yet",
              cert.not_before.empty() ? "" : absl::StrCat(" (not before ", cert.not_before, ")"),
              ": check the clocks of this machine and of the node"));
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
          return WithHint(
              TlsError(absl::StrCat("the TLS certificate of ", who,
                                    " is not signed by a trusted CA (", reason,
                                    "; without a CA file the system trust store is used)")),
              Placeholder("ca_file", "<PEM of the CA that signed the node's certificate>"));
        default:
          return TlsError(
              absl::StrCat("the TLS certificate of ", who, " failed verification: ", reason));
      }
    }
  }
  unsigned long first = ERR_peek_error();
  int reason = ERR_GET_REASON(first);
  std::string detail = DrainErrors();
  if (ssl_error == SSL_ERROR_ZERO_RETURN || (ssl_error == SSL_ERROR_SYSCALL && first == 0) ||
      reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    if (handshake_done_ && !received_data_) {
      // TLS 1.3 servers check the client certificate after our side of the handshake is done:
      // one they refuse shows as a connection closed before the first reply.
      if (has_client_cert_) {
        return TlsError(absl::StrCat(
            "the server at ", who,
            " closed the TLS connection before answering: it most likely rejected the client "
            "certificate (is it signed by a CA in the node's trust store, and still valid?)"));
      }
      return WithHint(TlsError(absl::StrCat("the server at ", who,
                                            " closed the TLS connection before answering: it "
                                            "most likely requires a client certificate")),
                      ClientCertificateHint());
    }
    if (handshake_done_) {
      return ConnectionError(absl::StrCat("the server at ", who, " closed the TLS connection"));
    }
    return TlsError(
        absl::StrCat("the server at ", who, " closed the connection during the ", stage,
                     ": is TLS enabled on this thin-client port (sslEnabled=true), with TLS 1.2 "
                     "or newer among its protocols?",
                     has_client_cert_ ? "" : " Does it require a client certificate (certfile)?"));
  }
  if (ssl_error == SSL_ERROR_SYSCALL) {
    return ConnectionError(absl::StrCat("connection to ", who, " broke during the ", stage, ": ",
                                        std::strerror(errno)));
  }
  switch (reason) {
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_UNKNOWN_PROTOCOL:
    case SSL_R_HTTP_REQUEST:
      return TlsError(absl::StrCat("the server at ", who,
                                   " does not speak TLS (is it a plain thin-client port? connect "
                                   "without TLS options, or enable sslEnabled on the node): ",
                                   detail));
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
      if (!has_client_cert_) {
        return WithHint(
            TlsError(absl::StrCat("the server at ", who,
                                  " requires a client certificate (TLS alert: ", detail, ")")),
            ClientCertificateHint());
      }
      return TlsError(absl::StrCat(
          "the server at ", who,
          " rejected the client certificate: is it valid and signed by a CA in the node's trust "
          "store? (TLS alert: ",
          detail, ")"));
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
      return TlsError(absl::StrCat("the server at ", who,
                                   " offers no TLS version from 1.2 up; upgrade its TLS settings (",
                                   detail, ")"));
    default:
      return TlsError(absl::StrCat(stage, " with ", who,
                                   " failed: ", detail.empty() ? "unknown TLS error" : detail));
  }
}

absl::Status TlsTransport::WriteAll(absl::Span<const uint8_t> data) {
  if (ssl_ == nullptr) return ConnectionError(absl::StrCat("connection to ", peer(), " is closed"));
  size_t done = 0;
  while (done < data.size()) {
    ERR_clear_error();
    int chunk = static_cast<int>(std::min<size_t>(data.size() - done, INT_MAX));
    int n = SSL_write(ssl_, data.data() + done, chunk);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
      IGNITE_RETURN_IF_ERROR(
          tcp_->WaitFor(err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, "sending to"));
      continue;
    }
    return Failure(err, "TLS write");
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> TlsTransport::ReadSome(absl::Span<uint8_t> buffer) {
  if (ssl_ == nullptr) return ConnectionError(absl::StrCat("connection to ", peer(), " is closed"));
  while (true) {
    ERR_clear_error();
    int chunk = static_cast<int>(std::min<size_t>(buffer.size(), INT_MAX));
    int n = SSL_read(ssl_, buffer.data(), chunk);
    if (n > 0) {
      received_data_ = true;
      return static_cast<size_t>(n);
    }
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      IGNITE_RETURN_IF_ERROR(
          tcp_->WaitFor(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, "waiting for a reply from"));
      continue;
    }
    return Failure(err, "TLS read");
  }
}

}  // namespace ignite_tf
