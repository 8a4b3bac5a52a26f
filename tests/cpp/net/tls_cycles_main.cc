// tls_cycles: opens and closes thin-client connections over TLS in a loop, for a leak check
// under valgrind (tests/test_tls_leaks.py runs it against a real TLS node).
//
//   tls_cycles HOST PORT CA_FILE CERT_FILE KEY_FILE KEY_PASSWORD CYCLES
//
// Each cycle is TCP connect, TLS handshake (server verified, client certificate with an
// encrypted key), the Ignite handshake, close. Every 50th cycle also makes two refused attempts
// (a wrong key password; no client certificate), so the error paths are checked too.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/client/connection.h"
#include "core/common/error.h"

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: %s HOST PORT CA_FILE CERT_FILE KEY_FILE KEY_PASSWORD CYCLES\n",
                 argv[0]);
    return 2;
  }
  ignite_tf::ConnectionOptions options;
  options.addresses = {ignite_tf::Address{argv[1], std::atoi(argv[2])}};
  options.tls.enabled = true;
  options.tls.ca_file = argv[3];
  options.tls.certfile = argv[4];
  options.tls.keyfile = argv[5];
  options.tls.cert_password = argv[6];
  const int cycles = std::atoi(argv[7]);
  int refused = 0;
  for (int i = 0; i < cycles; ++i) {
    auto connection = ignite_tf::Connection::Open(options, options.addresses.front());
    if (!connection.ok()) {
      std::fprintf(stderr, "cycle %d: %s\n", i, std::string(connection.status().message()).c_str());
      return 1;
    }
    (*connection)->Close();
    if (i % 50 == 0) {
      ignite_tf::ConnectionOptions wrong_password = options;
      wrong_password.tls.cert_password = "wrong";
      ignite_tf::ConnectionOptions no_certificate = options;
      no_certificate.tls.certfile.clear();
      no_certificate.tls.keyfile.clear();
      for (const auto* bad : {&wrong_password, &no_certificate}) {
        auto failed = ignite_tf::Connection::Open(*bad, bad->addresses.front());
        if (failed.ok() || ignite_tf::GetErrorKind(failed.status()) != ignite_tf::ErrorKind::kTls) {
          std::fprintf(stderr, "cycle %d: expected a TLS error, got %s\n", i,
                       failed.ok() ? "a connection" : failed.status().ToString().c_str());
          return 1;
        }
        ++refused;
      }
    }
  }
  std::printf("%d cycles, %d refused attempts\n", cycles, refused);
  return 0;
}
