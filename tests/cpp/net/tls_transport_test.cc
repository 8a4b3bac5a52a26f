#include "core/net/tls_transport.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ErrorKindIs;
using ::testing::HasSubstr;
using ::testing::Not;

// Setup failures are found before any connection is made: port 1 is never contacted.
absl::Status ConnectWith(const TlsOptions& tls) {
  TlsOptions options = tls;
  options.enabled = true;
  return TlsTransport::Connect("127.0.0.1", 1, TcpOptions{}, options).status();
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(TlsTransportTest, MissingFilesAreNamed) {
  TlsOptions tls;
  tls.ca_file = "/nonexistent/ca.pem";
  absl::Status s = ConnectWith(tls);
  EXPECT_THAT(s, ErrorKindIs(ErrorKind::kTls));
  EXPECT_THAT(std::string(s.message()), HasSubstr("/nonexistent/ca.pem"));
}

TEST(TlsTransportTest, CaFileThatIsNotPemIsRefused) {
  TlsOptions tls;
  tls.ca_file = WriteTemp("garbage-ca.pem", "not a certificate\n");
  absl::Status s = ConnectWith(tls);
  EXPECT_THAT(s, ErrorKindIs(ErrorKind::kTls));
  EXPECT_THAT(std::string(s.message()), HasSubstr("cannot load CA certificates"));
}

TEST(TlsTransportTest, CertificateFileThatIsNotPemIsRefusedWithoutTheKeyPassword) {
  TlsOptions tls;
  tls.certfile = WriteTemp("garbage-cert.pem", "not a certificate\n");
  tls.cert_password = "very-secret-password";
  absl::Status s = ConnectWith(tls);
  EXPECT_THAT(s, ErrorKindIs(ErrorKind::kTls));
  EXPECT_THAT(std::string(s.message()), HasSubstr("no PEM certificate"));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("very-secret-password")));
}

}  // namespace
}  // namespace ignite_tf
