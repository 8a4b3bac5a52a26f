#include "core/client/topology.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/common/error.h"

namespace ignite_tf {

absl::StatusOr<std::shared_ptr<Topology>> Topology::Connect(const ConnectionOptions& options) {
  IGNITE_RETURN_IF_ERROR(options.Validate());
  std::shared_ptr<Topology> topology(new Topology(options));
  std::vector<absl::Status> failures;
  absl::MutexLock lock(&topology->mu_);
  for (size_t i = 0; i < options.addresses.size(); ++i) {
    Slot slot{options.addresses[i], nullptr};
    if (topology->default_ == nullptr) {
      absl::StatusOr<std::unique_ptr<Connection>> connection =
          Connection::Open(options, slot.address);
      if (connection.ok()) {
        slot.connection = std::move(*connection);
        topology->default_ = slot.connection;
      } else {
        slot.failed_at = absl::Now();
        failures.push_back(connection.status());
      }
    }
    topology->slots_.push_back(std::move(slot));
  }
  if (topology->default_ != nullptr) return topology;
  if (failures.size() == 1) return failures.front();
  // Every node refused or did not answer: one error naming each address and why. The kind is
  // the one they share (all refused the credentials: authentication), else a connection error.
  std::optional<ErrorKind> kind = GetErrorKind(failures.front());
  for (const absl::Status& failure : failures) {
    if (GetErrorKind(failure) != kind) kind = ErrorKind::kConnection;
  }
  std::vector<std::string> reasons;
  for (size_t i = 0; i < failures.size(); ++i) {
    reasons.push_back(absl::StrCat(options.addresses[i].ToString(), ": ", failures[i].message()));
  }
  absl::Status status =
      MakeError(kind == ErrorKind::kConnection || !kind.has_value() ? absl::StatusCode::kUnavailable
                                                                    : failures.front().code(),
                kind.value_or(ErrorKind::kConnection),
                absl::StrCat("could not connect to any of the ", failures.size(),
                             " nodes given: ", absl::StrJoin(reasons, "; ")));
  for (const OptionHint& hint : GetHints(failures.front())) status = WithHint(status, hint);
  return status;
}

std::shared_ptr<Connection> Topology::default_connection() {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (closed_ || !default_->broken()) return default_;
  }
  {
    absl::MutexLock lock(&mu_);
    if (std::shared_ptr<Connection> live = LiveDefault()) return live;
  }
  // No live connection: the addresses are tried again (a node may be back).
  ConnectPending(nullptr);
  absl::MutexLock lock(&mu_);
  if (std::shared_ptr<Connection> live = LiveDefault()) return live;
  return default_;
}

std::shared_ptr<Connection> Topology::LiveDefault() {
  if (closed_ || !default_->broken()) return default_;
  for (const Slot& slot : slots_) {
    if (slot.connection != nullptr && !slot.connection->broken()) {
      default_ = slot.connection;
      return default_;
    }
  }
  return nullptr;
}

std::shared_ptr<Connection> Topology::Find(const NodeId& id) const {
  for (const Slot& slot : slots_) {
    if (slot.connection != nullptr && slot.connection->node_id() == id &&
        !slot.connection->broken()) {
      return slot.connection;
    }
  }
  return nullptr;
}

std::shared_ptr<Connection> Topology::ConnectionTo(const NodeId& id) {
  if (id == NodeId{}) return nullptr;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (std::shared_ptr<Connection> found = Find(id)) return found;
  }
  ConnectPending(&id);
  absl::ReaderMutexLock lock(&mu_);
  return Find(id);
}

void Topology::ConnectAll() { ConnectPending(nullptr); }

void Topology::ConnectPending(const NodeId* wanted) {
  absl::MutexLock connecting(&connect_mu_);
  for (size_t i = 0;; ++i) {
    Address address;
    {
      absl::MutexLock lock(&mu_);
      if (wanted != nullptr && Find(*wanted) != nullptr) return;  // another thread found it
      if (closed_ || i >= slots_.size()) return;
      Slot& slot = slots_[i];
      if (slot.connection != nullptr && !slot.connection->broken()) continue;  // live
      if (slot.connection != nullptr && slot.failed_at == absl::InfinitePast()) {
        // Its connection broke since the last look (the node died, or stopped answering in
        // time): the address waits like a failed attempt, so a call right after the failure
        // reports it at once instead of waiting for the same node again.
        slot.failed_at = absl::Now();
        continue;
      }
      if (absl::Now() - slot.failed_at < kRetryAfter) continue;
      address = slot.address;
    }
    // Connecting takes up to the connect timeout: other threads keep using the known nodes.
    absl::StatusOr<std::unique_ptr<Connection>> connection = Connection::Open(options_, address);
    absl::MutexLock lock(&mu_);
    if (connection.ok() && !closed_) {
      slots_[i].connection = std::move(*connection);
      slots_[i].failed_at = absl::InfinitePast();
    } else {
      slots_[i].failed_at = absl::Now();  // a broken connection stays: it still names the node
    }
  }
}

std::vector<KnownNode> Topology::Nodes() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<KnownNode> nodes;
  auto add = [&](const Slot& slot) {
    const NodeId& id = slot.connection->node_id();
    const bool seen = std::any_of(nodes.begin(), nodes.end(), [&](const KnownNode& n) {
      return slot.connection->has_node_id() ? n.id == id : n.connection == slot.connection;
    });
    if (!seen) nodes.push_back(KnownNode{id, slot.address, slot.connection});
  };
  for (const Slot& slot : slots_) {
    if (slot.connection == default_) add(slot);
  }
  for (const Slot& slot : slots_) {
    if (slot.connection != nullptr && !slot.connection->broken()) add(slot);
  }
  return nodes;
}

std::optional<Address> Topology::AddressOf(const NodeId& id) const {
  absl::ReaderMutexLock lock(&mu_);
  for (const Slot& slot : slots_) {
    if (slot.connection != nullptr && slot.connection->node_id() == id) return slot.address;
  }
  return std::nullopt;
}

absl::StatusOr<std::shared_ptr<Connection>> Topology::OpenConnection(const NodeId& id) const {
  const std::optional<Address> address = AddressOf(id);
  if (!address.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("node ", NodeIdText(id), " is not among the nodes this client reached"));
  }
  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection,
                          Connection::Open(options_, *address));
  if (connection->node_id() != id) {
    // The address now reaches another node (restarted): this is not the node asked for.
    return ConnectionError(absl::StrCat(address->ToString(), " is now node ",
                                        NodeIdText(connection->node_id()), ", not node ",
                                        NodeIdText(id)));
  }
  return std::shared_ptr<Connection>(std::move(connection));
}

AffinityVersion Topology::NewestAffinityVersion() const {
  absl::ReaderMutexLock lock(&mu_);
  AffinityVersion newest;
  for (const Slot& slot : slots_) {
    if (slot.connection == nullptr) continue;
    const AffinityVersion seen = slot.connection->affinity_version();
    if (newest < seen) newest = seen;
  }
  return newest;
}

void Topology::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (const Slot& slot : slots_) {
    if (slot.connection != nullptr) slot.connection->Close();
  }
}

}  // namespace ignite_tf
