#include "core/fs/open.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/client/client.h"
#include "core/common/error.h"
#include "core/fs/errors.h"
#include "core/fs/native_igfs.h"
#include "core/igfs/connection.h"
#include "core/net/tcp_transport.h"

namespace ignite_tf::fs {
namespace {

igfs::ConnectionOptions NativeOptions(const OpenOptions& options, const Address& address) {
  igfs::ConnectionOptions out;
  out.host = address.host;
  out.port = address.port;
  out.fs_name = options.fs_name;
  out.tcp.connect_timeout = options.connection.connect_timeout;
  out.tcp.io_timeout = options.connection.timeout;
  out.reply_timeout = options.connection.timeout;
  return out;
}

// Whether an IGFS server answered (a refused filesystem name is its answer too).
bool IgfsAnswered(const absl::Status& status) {
  return status.ok() || GetErrorKind(status) == ErrorKind::kServer;
}

absl::StatusOr<std::shared_ptr<FileSystem>> OpenThin(const OpenOptions& options) {
  StoreOptions store;
  if (options.fs_name.has_value()) store.fs_name = *options.fs_name;
  store.block_size = options.block_size;
  absl::StatusOr<std::shared_ptr<Client>> connected = Client::Connect(options.connection);
  if (!connected.ok() && options.backend == Backend::kThin &&
      GetErrorKind(connected.status()) == ErrorKind::kTimeout) {
    return Annotate(connected.status(),
                    "igfs (protocol 'thin'): no answer to the thin client's handshake; if this "
                    "is Ignite 2.8's IGFS endpoint (port 10500), use protocol 'native' or 'auto'");
  }
  IGNITE_ASSIGN_OR_RETURN(std::shared_ptr<Client> client, std::move(connected));
  IGNITE_ASSIGN_OR_RETURN(std::shared_ptr<Store> fs, Store::Open(std::move(client), store));
  return std::shared_ptr<FileSystem>(std::move(fs));
}

absl::Status NativeRefusesThinOptions(const OpenOptions& options) {
  const ConnectionOptions& c = options.connection;
  if (c.tls.on() || !c.username.empty()) {
    return absl::InvalidArgumentError(
        "igfs: the native IGFS protocol (Ignite 2.8) has no TLS and no authentication; drop "
        "the TLS options and credentials, or use protocol 'thin'");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<FileSystem>> OpenNative(const OpenOptions& options) {
  IGNITE_RETURN_IF_ERROR(NativeRefusesThinOptions(options));
  absl::Status last;
  for (const Address& address : options.connection.addresses) {
    const igfs::ConnectionOptions native = NativeOptions(options, address);
    absl::StatusOr<std::unique_ptr<igfs::Connection>> connection =
        igfs::Connection::Connect(native);
    if (connection.ok()) {
      return std::shared_ptr<FileSystem>(NativeIgfs::Adopt(*std::move(connection), native));
    }
    // A refused filesystem name is the server's answer: the next node would say the same.
    if (IgfsAnswered(connection.status())) return connection.status();
    last = connection.status();
  }
  return last;
}

// Whether `address` answers IGFS's handshake. OK(true): an IGFS endpoint; OK(false): something
// that refused it (a thin-client or TLS port); an error: nothing to talk to, or an IGFS endpoint
// that refused the handshake (a wrong filesystem name).
absl::StatusOr<bool> SpeaksIgfs(const OpenOptions& options, const Address& address) {
  igfs::ConnectionOptions probe = NativeOptions(options, address);
  // A silent peer is not IGFS either; do not wait long for it.
  probe.tcp.io_timeout = options.connection.connect_timeout;
  probe.reply_timeout = options.connection.connect_timeout;
  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<TcpTransport> tcp,
                          TcpTransport::Connect(address.host, address.port, probe.tcp));
  absl::StatusOr<std::unique_ptr<igfs::Connection>> connection =
      igfs::Connection::Open(std::move(tcp), probe);
  if (connection.ok()) return true;
  if (IgfsAnswered(connection.status())) return connection.status();
  return false;
}

}  // namespace

absl::StatusOr<std::shared_ptr<FileSystem>> OpenFileSystem(const OpenOptions& options) {
  switch (options.backend) {
    case Backend::kThin:
      return OpenThin(options);
    case Backend::kNative:
      return OpenNative(options);
    case Backend::kAuto:
      break;
  }
  if (!NativeRefusesThinOptions(options).ok()) return OpenThin(options);
  absl::Status unreachable;
  for (const Address& address : options.connection.addresses) {
    absl::StatusOr<bool> igfs = SpeaksIgfs(options, address);
    if (!igfs.ok() && IgfsAnswered(igfs.status())) return igfs.status();
    if (!igfs.ok()) {
      unreachable = igfs.status();
      continue;
    }
    OpenOptions chosen = options;
    chosen.connection.addresses = {address};
    if (*igfs) return OpenNative(chosen);
    absl::StatusOr<std::shared_ptr<FileSystem>> thin = OpenThin(options);
    if (thin.ok()) return thin;
    return Annotate(thin.status(),
                    absl::StrCat("igfs: ", address.ToString(),
                                 " did not answer IGFS's handshake either (set protocol "
                                 "'native' or 'thin' to choose)"));
  }
  return Annotate(unreachable,
                  "igfs: no node answered (tried IGFS's protocol and the thin client's)");
}

absl::StatusOr<Store*> CacheStore(FileSystem& fs) {
  auto* store = dynamic_cast<Store*>(&fs);
  if (store == nullptr) {
    return FsError(FsErrorKind::kState,
                   absl::StrCat("igfs: ", fs.Describe(),
                                " is Ignite 2.8's own IGFS (native protocol): it keeps no igfs "
                                "caches and manages its own storage"));
  }
  return store;
}

}  // namespace ignite_tf::fs
