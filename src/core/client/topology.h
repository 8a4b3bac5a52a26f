// client/topology.h: the nodes a client knows: the addresses it was given, the connection to
// each node that answered, and each node's id (from the 1.4+ handshake). The first address that
// answers is the default connection; the others are connected lazily, when a partition's primary
// node is not known yet. When a node dies, its connection breaks: the default moves to another
// live node, and the dead node's address is tried again from kRetryAfter later (it may come back,
// as a new node id). Thread-safe: a batch stream's fetcher threads share it.
#ifndef IGNITE_TF_CORE_CLIENT_TOPOLOGY_H_
#define IGNITE_TF_CORE_CLIENT_TOPOLOGY_H_

#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/client/connection.h"
#include "core/client/connection_options.h"

namespace ignite_tf {

// A node the client reached: its id, the address it answered at, and the connection to it.
struct KnownNode {
  NodeId id{};
  Address address;
  std::shared_ptr<Connection> connection;
};

class Topology {
 public:
  // Tries options.addresses in order; the first whose handshake completes is the default
  // connection. An address that does not answer is skipped (and retried later); when none
  // answers, the error names every address and why (with one address: that address's error).
  static absl::StatusOr<std::shared_ptr<Topology>> Connect(const ConnectionOptions& options);

  const ConnectionOptions& options() const { return options_; }
  // The default connection: the first node that answered, or once its connection broke, the
  // first other live one (the addresses without one are tried again first). When no node
  // answers, the broken connection, whose calls say why; after Close(), the closed one.
  std::shared_ptr<Connection> default_connection();

  // The connection to node `id`: a known one, or else the addresses not connected yet are
  // connected (to learn their node ids) until one is that node. nullptr when no address given
  // reaches it, or its connection broke.
  std::shared_ptr<Connection> ConnectionTo(const NodeId& id);
  // Connects every address not connected yet; the ones that do not answer are skipped.
  void ConnectAll();
  // The nodes connected so far, the default one first.
  std::vector<KnownNode> Nodes() const;
  // A new connection of its own to node `id` (for a parallel reader), at the address it
  // answered; FailedPrecondition when the node is unknown.
  absl::StatusOr<std::shared_ptr<Connection>> OpenConnection(const NodeId& id) const;
  // The address node `id` answered at (also after its connection broke), if it did.
  std::optional<Address> AddressOf(const NodeId& id) const;
  // The newest affinity topology version a reply on any of the connections flagged.
  AffinityVersion NewestAffinityVersion() const;
  // Closes every connection (a later call fails naming the closed client).
  void Close();

 private:
  // An address given, with its connection once one was opened.
  struct Slot {
    Address address;
    std::shared_ptr<Connection> connection;
    absl::Time failed_at = absl::InfinitePast();  // the last failed attempt
  };
  // After a failed attempt, an address is tried again only this much later.
  static constexpr absl::Duration kRetryAfter = absl::Seconds(5);

  explicit Topology(ConnectionOptions options) : options_(std::move(options)) {}
  // Connects the slots without a live connection (unless they failed recently; a broken one is
  // replaced); stops once `wanted` is connected (nullptr: connects them all). Serialized by
  // connect_mu_.
  void ConnectPending(const NodeId* wanted);
  std::shared_ptr<Connection> Find(const NodeId& id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The default if it is live, else the first live connection (made the default); nullptr when
  // none is.
  std::shared_ptr<Connection> LiveDefault() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ConnectionOptions options_;
  absl::Mutex connect_mu_;  // one thread connects at a time
  mutable absl::Mutex mu_;
  std::shared_ptr<Connection> default_ ABSL_GUARDED_BY(mu_);
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_TOPOLOGY_H_
