// client/topology.h: the nodes a client knows: the addresses it was given, the connection to
// each node that answered, and each node's id (from the 1.4+ handshake). The first address that
// answers is the default connection; the others are connected lazily, when a partition's primary
// node is not known yet. Thread-safe: a batch stream's fetcher threads share it.
#ifndef IGNITE_TF_CORE_CLIENT_TOPOLOGY_H_
#define IGNITE_TF_CORE_CLIENT_TOPOLOGY_H_

#include <memory>
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
  std::shared_ptr<Connection> default_connection() const { return default_; }

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
  // Connects the slots not connected (nor failed recently); stops once `wanted` is connected
  // (nullptr: connects them all). Serialized by connect_mu_.
  void ConnectPending(const NodeId* wanted);
  std::shared_ptr<Connection> Find(const NodeId& id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const ConnectionOptions options_;
  std::shared_ptr<Connection> default_;
  absl::Mutex connect_mu_;  // one thread connects at a time
  mutable absl::Mutex mu_;
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_TOPOLOGY_H_
