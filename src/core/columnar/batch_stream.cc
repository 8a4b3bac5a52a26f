#include "core/columnar/batch_stream.h"

#include <pthread.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "core/binary/decoder.h"
#include "core/common/error.h"

namespace ignite_tf {
namespace {

// Names the calling thread as top, perf and /proc/<pid>/task/*/comm show it (Linux; 15 chars).
void NameThisThread(const char* name) {
#if defined(__linux__)
  pthread_setname_np(pthread_self(), name);
#else
  (void)name;
#endif
}

// A node's death ended a read that had no other node to go on through: the hint to give them.
absl::Status WithEveryAddressHint(const absl::Status& status) {
  return WithHint(status, OptionHint{"host",
                                     OptionHint::ValueKind::kPlaceholder,
                                     "<every node's address, \"h1:10800,h2:10800,...\">",
                                     {},
                                     "so that a read goes on through a node's failure"});
}

// Whether a failed read says a node died: its connection broke, or the node serving the scan
// lost the one holding the data ("... node has left topology", ClusterTopologyException).
bool NodeDied(const absl::Status& status) {
  const std::optional<ErrorKind> kind = GetErrorKind(status);
  return kind == ErrorKind::kConnection ||
         (kind == ErrorKind::kServer && absl::StrContains(status.message(), "topology"));
}

// How long a read waits for the cluster to settle after a node's death: the client's timeout,
// or 5 minutes for a client without one.
absl::Duration SettleTime(const Client& client) {
  const absl::Duration timeout = client.options().timeout;
  return timeout > absl::ZeroDuration() ? timeout : absl::Minutes(5);
}

// The page size that keeps a scan's pages near `o.page_bytes`: the size of the first row, read
// with a one-row page, divides the budget (rounded) (at least 1 row, at most o.scan.page_size). A
// probe that fails or finds no row leaves the page size as it is: the scan itself reports errors.
int32_t PageSizeForBytes(Client& client, const std::string& cache, const StreamOptions& o) {
  ScanOptions probe = o.scan;
  probe.page_size = 1;
  absl::StatusOr<std::unique_ptr<ScanCursor>> cursor = client.Scan(cache, probe);
  if (!cursor.ok()) return o.scan.page_size;
  absl::StatusOr<std::optional<Page>> page = (*cursor)->NextPage();
  if (!page.ok() || !page->has_value() || (*page)->row_count < 1) return o.scan.page_size;
  const int64_t row_bytes = std::max<int64_t>(
      1, static_cast<int64_t>((*page)->rows_end - (*page)->rows_begin) / (*page)->row_count);
  // Rounded: a key's few bytes on top of a 1 MiB value still make 16 rows of a 16 MiB budget.
  return static_cast<int32_t>(std::clamp<int64_t>((o.page_bytes + row_bytes / 2) / row_bytes, 1,
                                                  std::max(o.scan.page_size, 1)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<BatchStream>> BatchStream::Open(std::shared_ptr<Client> shared,
                                                               const std::string& cache,
                                                               const StreamOptions& options,
                                                               std::optional<RowSchema> schema) {
  Client& client = *shared;
  std::unique_ptr<BatchStream> stream(new BatchStream());
  stream->client_ = std::move(shared);
  stream->types_ = client.types();
  stream->options_ = options;
  stream->source_ = absl::StrCat("cache '", cache, "'");
  stream->cache_ = cache;
  if (options.page_bytes > 0 && options.scan.page_size > 1) {
    stream->options_.scan.page_size = PageSizeForBytes(client, cache, options);
  }
  IGNITE_RETURN_IF_ERROR(stream->PlanPartitions(client, cache));
  bool planned = false;
  {
    absl::MutexLock lock(&stream->mu_);
    planned = !stream->plan_.empty() || !options.partitions.empty();
  }
  if (!planned) {
    // Nothing is delivered before the first page: a scan that a node's death fails as it opens
    // (the cluster still mapping a partition to the node that left, or the default node gone)
    // is opened again, as long as the cluster needs to settle (at most the client's timeout).
    const ScanOptions& scan = stream->options_.scan;
    absl::StatusOr<std::unique_ptr<ScanCursor>> cursor = client.Scan(cache, scan);
    const absl::Time deadline = absl::Now() + SettleTime(client);
    while (!cursor.ok() && NodeDied(cursor.status()) && absl::Now() < deadline &&
           !client.connection()->broken()) {
      absl::SleepFor(absl::Milliseconds(200));
      cursor = client.Scan(cache, scan);
    }
    IGNITE_ASSIGN_OR_RETURN(stream->cursor_, std::move(cursor));
    if (options.scan.partition >= 0) {
      absl::MutexLock lock(&stream->mu_);
      stream->partition_nodes_[options.scan.partition] =
          NodeIdText(stream->cursor_->connection()->node_id());
    }
  }
  if (schema.has_value()) {
    IGNITE_ASSIGN_OR_RETURN(*schema, SelectFields(*schema, options.fields));
    ApplyColumnOptions(options.decimals, options.timestamp_unit, &*schema);
    stream->builder_ = std::make_unique<BatchBuilder>(*schema, stream->types_, options.masks);
    stream->builder_->set_skip_mismatched(options.skip_mismatched);
    absl::MutexLock lock(&stream->mu_);
    stream->schema_ = std::move(schema);
    stream->schema_known_ = true;
  }
  stream->StartFetchers();
  stream->worker_ = std::thread([s = stream.get()] {
    NameThisThread("ignite-decode");
    s->Run();
  });
  return stream;
}

absl::Status BatchStream::PlanPartitions(Client& client, const std::string& cache) {
  const StreamOptions& o = options_;
  if (o.scan.partition >= 0 && !o.partitions.empty()) {
    return absl::InvalidArgumentError(
        "give either one partition or a list of partitions to read, not both");
  }
  if (o.scan.partition >= 0) return absl::OkStatus();  // one cursor, routed to the primary
  if (o.parallel_reads < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("parallel_reads must be 0 (one per node) or more, got ", o.parallel_reads));
  }
  // One node reached (one address): one reader unless asked for more, and no map to fetch.
  const int parallel_reads = o.parallel_reads == 0 && !client.Routes() ? 1 : o.parallel_reads;
  std::shared_ptr<const CacheAffinity> map;
  if (!o.partitions.empty()) {
    // Named partitions need the map: to check them, and to find their primaries.
    IGNITE_ASSIGN_OR_RETURN(map, client.UsableAffinity(cache));
    std::vector<bool> seen(static_cast<size_t>(map->partition_count), false);
    for (int32_t p : o.partitions) {
      if (p < 0 || p >= map->partition_count) {
        return absl::InvalidArgumentError(
            absl::StrCat("partition ", p, " is not a partition of cache '", cache, "', which has ",
                         map->partition_count, " (0 to ", map->partition_count - 1, ")"));
      }
      if (seen[static_cast<size_t>(p)]) {
        return absl::InvalidArgumentError(
            absl::StrCat("partition ", p, " is listed twice in the partitions to read"));
      }
      seen[static_cast<size_t>(p)] = true;
    }
  } else if (parallel_reads != 1 || o.deterministic || client.Routes()) {
    absl::StatusOr<std::shared_ptr<const CacheAffinity>> found = client.Affinity(cache);
    if (found.ok() && (*found)->applicable) {
      map = *std::move(found);
    } else if (!found.ok() && GetErrorKind(found.status()) != ErrorKind::kNoPartitionMap &&
               GetErrorKind(found.status()) != ErrorKind::kCacheNotFound) {
      return found.status();  // a network error
    }  // else: no usable map (or no such cache, which the scan reports): one cursor
  }
  if (map == nullptr) return absl::OkStatus();

  // The nodes holding primaries that the client reaches, each with its shared connection.
  std::shared_ptr<Connection> default_connection = client.connection();
  std::vector<NodeId> nodes;
  std::vector<std::shared_ptr<Connection>> connections;
  std::vector<PlannedPartition> plan;
  auto node_of = [&](int32_t partition) {
    const NodeId* primary = map->PrimaryOf(partition);
    if (primary == nullptr) return -1;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i] == *primary) return static_cast<int>(i);
    }
    std::shared_ptr<Connection> connection =
        client.Routes() || *primary == default_connection->node_id()
            ? client.topology()->ConnectionTo(*primary)
            : nullptr;
    if (connection == nullptr) return -1;  // not among the nodes reached: the default serves it
    nodes.push_back(*primary);
    connections.push_back(std::move(connection));
    return static_cast<int>(nodes.size() - 1);
  };
  if (!o.partitions.empty()) {
    for (int32_t p : o.partitions) plan.push_back(PlannedPartition{p, node_of(p)});
  } else {
    for (int32_t p = 0; p < map->partition_count; ++p) {
      if (map->PrimaryOf(p) != nullptr) plan.push_back(PlannedPartition{p, node_of(p)});
    }
  }
  const size_t reached = std::max<size_t>(nodes.size(), 1);
  size_t readers = parallel_reads > 0 ? static_cast<size_t>(parallel_reads) : reached;
  readers = std::min(readers, std::max<size_t>(plan.size(), 1));
  if (o.partitions.empty() && readers == 1 && nodes.size() <= 1 && !o.deterministic) {
    return absl::OkStatus();  // one node, one reader: one whole-cache cursor does it
  }
  // Fetchers spread over the nodes in turn: at most ceil(readers / nodes) on one. The first on
  // a node uses the client's connection to it, the others open their own.
  for (size_t f = 0; f < readers; ++f) {
    auto fetcher = std::make_unique<Fetcher>();
    fetcher->index = f;
    if (nodes.empty()) {
      fetcher->connection = f == 0 ? default_connection : nullptr;
      if (fetcher->connection == nullptr) {
        IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> own,
                                Connection::Open(client.options(), default_connection->address()),
                                "opening a connection for a parallel read");
        fetcher->connection = std::move(own);
      }
    } else {
      fetcher->home = static_cast<int>(f % nodes.size());
      if (f < nodes.size()) {
        fetcher->connection = connections[static_cast<size_t>(fetcher->home)];
      } else {
        IGNITE_ASSIGN_OR_RETURN(
            fetcher->connection,
            client.topology()->OpenConnection(nodes[static_cast<size_t>(fetcher->home)]),
            "opening a connection for a parallel read");
      }
    }
    fetcher_states_.push_back(std::move(fetcher));
  }
  // A read that can go on through a node's death: the cache lives on several nodes.
  failover_ = map->nodes.size() > 1;
  plan_map_ = map;
  {
    absl::MutexLock recovering(&recover_mu_);
    current_map_ = map;
  }
  absl::MutexLock lock(&mu_);
  nodes_ = std::move(nodes);
  node_connections_ = std::move(connections);
  plan_ = std::move(plan);
  return absl::OkStatus();
}

void BatchStream::StartFetchers() {
  num_fetchers_ = fetcher_states_.empty() ? 1 : fetcher_states_.size();
  absl::MutexLock lock(&mu_);
  queued_.assign(num_fetchers_, 0);
  if (fetcher_states_.empty()) {
    fetchers_running_ = 1;
    fetchers_.emplace_back([this] {
      NameThisThread("ignite-fetch");
      if (cursor_ != nullptr || sql_cursor_ != nullptr) {
        Fetch();
      } else {
        PutPage(std::optional<Page>());  // an empty list of partitions
      }
    });
    return;
  }
  fetchers_running_ = static_cast<int>(fetcher_states_.size());
  for (auto& fetcher : fetcher_states_) {
    fetchers_.emplace_back([this, f = fetcher.get()] {
      NameThisThread("ignite-fetch");
      FetchPartitions(f);
    });
  }
}

absl::StatusOr<std::unique_ptr<BatchStream>> BatchStream::OpenSql(Client& client,
                                                                  const SqlQuery& query,
                                                                  const StreamOptions& options) {
  std::unique_ptr<BatchStream> stream(new BatchStream());
  stream->types_ = client.types();
  stream->options_ = options;
  stream->source_ = "SQL query";
  IGNITE_ASSIGN_OR_RETURN(stream->sql_cursor_, client.Sql(query));
  IGNITE_ASSIGN_OR_RETURN(SqlSchemaLearner learner,
                          SqlSchemaLearner::Create(stream->sql_cursor_->columns(),
                                                   options.sql_column_types, stream->types_.get()));
  if (learner.complete()) {
    // Every column typed by the user: the schema needs no row (an empty result has it too).
    IGNITE_ASSIGN_OR_RETURN(RowSchema schema, learner.Finish(""));
    IGNITE_RETURN_IF_ERROR(stream->StartBuilder(schema));
  } else {
    stream->sql_learner_.emplace(std::move(learner));
  }
  stream->StartFetchers();
  stream->worker_ = std::thread([s = stream.get()] {
    NameThisThread("ignite-decode");
    s->Run();
  });
  return stream;
}

BatchStream::~BatchStream() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (worker_.joinable()) worker_.join();
  // Each fetcher stops after at most one reply (or its timeout); a partition fetcher closes its
  // partition's cursor as it leaves, the single cursor closes its server resource below.
  for (std::thread& fetcher : fetchers_) {
    if (fetcher.joinable()) fetcher.join();
  }
}

bool BatchStream::Push(absl::StatusOr<std::optional<Batch>> item) {
  absl::MutexLock lock(&mu_);
  const size_t limit = options_.prefetch_batches < 1 ? 1 : options_.prefetch_batches;
  auto has_room = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_ || queue_.size() < limit; };
  mu_.Await(absl::Condition(&has_room));
  if (stop_) return false;
  queue_.push_back(std::move(item));
  return true;
}

void BatchStream::Fetch() {
  while (true) {
    absl::StatusOr<std::optional<Page>> page =
        sql_cursor_ != nullptr ? sql_cursor_->NextPage() : cursor_->NextPage();
    const bool last = !page.ok() || !page->has_value();
    if (!page.ok() && cursor_ != nullptr && client_ != nullptr &&
        client_->options().addresses.size() == 1 && NodeDied(page.status())) {
      // One cursor through the one node given: nothing to go on through.
      page = WithEveryAddressHint(page.status());
    }
    if (!PutPage(std::move(page)) || last) return;
  }
}

std::optional<size_t> BatchStream::Claimable(int home, bool* left) const {
  // Deterministic reads keep within a window ahead of the partition being delivered, so that
  // the pages held stay bounded however slow that partition is.
  const size_t end = options_.deterministic
                         ? std::min(plan_.size(), next_delivered_ + 2 * num_fetchers_)
                         : plan_.size();
  std::optional<size_t> other;
  *left = false;
  for (size_t i = 0; i < plan_.size(); ++i) {
    if (plan_[i].claimed) continue;
    *left = true;
    if (i >= end) break;
    if (plan_[i].node == home) return i;
    if (!other.has_value()) other = i;
  }
  return other;  // its own node has none left: another node's (or an unmapped) partition
}

std::optional<size_t> BatchStream::ClaimPartition(int home) {
  absl::MutexLock lock(&mu_);
  auto claimable = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    bool left = false;
    return stop_ || fetch_done_ || Claimable(home, &left).has_value() || !left;
  };
  mu_.Await(absl::Condition(&claimable));
  if (stop_ || fetch_done_) return std::nullopt;
  bool left = false;
  const std::optional<size_t> claimed = Claimable(home, &left);
  if (claimed.has_value()) plan_[*claimed].claimed = true;
  return claimed;
}

void BatchStream::FetchPartitions(Fetcher* fetcher) {
  absl::flat_hash_set<std::string> delivered;  // failover: keys of the open partition sent on
  while (true) {
    const std::optional<size_t> seq = ClaimPartition(fetcher->home);
    if (!seq.has_value()) {
      PutPage(std::optional<Page>());
      return;
    }
    int32_t partition = 0;
    {
      absl::MutexLock lock(&mu_);
      partition = plan_[*seq].partition;
    }
    delivered.clear();
    while (true) {
      std::shared_ptr<Connection> connection = ConnectionFor(*seq, *fetcher);
      absl::Status status;
      if (failover_ && connection->broken()) {
        // Its primary's connection broke (another reader saw the node die): the partition
        // waits for its new primary, like a read that failed.
        status = ConnectionError(absl::StrCat("the connection to ", connection->peer(),
                                              ", partition ", partition, "'s primary, broke"));
      } else {
        bool stopped = false;
        status = ReadPartition(connection, *seq, partition, fetcher->index, &delivered, &stopped);
        if (stopped) return;  // the cursor closes as it goes
        if (status.ok()) break;
      }
      // A node died, or the server failed the scan while the cluster changed (a partition
      // without an owner for a moment): Recover tells, and waits for the new primaries.
      if (!failover_ || (!NodeDied(status) && GetErrorKind(status) != ErrorKind::kServer)) {
        PutPage(status);
        return;
      }
      status = Recover(connection, partition, status);
      if (!status.ok()) {
        PutPage(status);
        return;
      }
    }
    {
      absl::MutexLock lock(&mu_);
      plan_[*seq].done = true;
    }
    if (options_.deterministic) FinishPartition(*seq);
  }
}

std::shared_ptr<Connection> BatchStream::ConnectionFor(size_t seq, const Fetcher& fetcher) {
  // Every partition is read from its primary: through the fetcher's own connection on its
  // node, through the client's connection to another node for a partition taken from it, and
  // through the default connection when the primary is not reached (or its connection broke).
  auto live = [](const std::shared_ptr<Connection>& c) { return c != nullptr && !c->broken(); };
  {
    absl::MutexLock lock(&mu_);
    const int node = plan_[seq].node;
    if (node >= 0 && node == fetcher.home && live(fetcher.connection)) return fetcher.connection;
    if (node >= 0 && node_connections_[static_cast<size_t>(node)] != nullptr) {
      // Broken when the node died: with failover the caller waits for the new primary.
      const std::shared_ptr<Connection>& shared = node_connections_[static_cast<size_t>(node)];
      if (live(shared) || failover_) return shared;
    }
    if (node < 0 && fetcher.home < 0 && live(fetcher.connection)) return fetcher.connection;
  }
  return client_->connection();
}

absl::Status BatchStream::ReadPartition(const std::shared_ptr<Connection>& connection, size_t seq,
                                        int32_t partition, size_t owner,
                                        absl::flat_hash_set<std::string>* delivered,
                                        bool* stopped) {
  ScanOptions scan = options_.scan;
  scan.partition = partition;
  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<ScanCursor> cursor,
                          ScanCursor::Open(connection, cache_, scan),
                          absl::StrCat("scanning partition ", partition));
  {
    absl::MutexLock lock(&mu_);
    partition_nodes_[partition] = NodeIdText(connection->node_id());
  }
  while (true) {
    IGNITE_ASSIGN_OR_RETURN(std::optional<Page> page, cursor->NextPage());
    if (!page.has_value()) return absl::OkStatus();  // this partition is done
    if (failover_) IGNITE_RETURN_IF_ERROR(SkipDelivered(&*page, delivered));
    if (!PutPage(std::move(page), seq, owner)) {
      *stopped = true;
      return absl::OkStatus();
    }
  }
}

absl::Status BatchStream::SkipDelivered(Page* page, absl::flat_hash_set<std::string>* delivered) {
  const absl::Span<const uint8_t> bytes = page->bytes();
  std::vector<std::pair<size_t, size_t>> kept;  // the rows to keep, once one is dropped
  bool dropped = false;
  size_t pos = page->rows_begin;
  for (int32_t i = 0; i < page->row_count; ++i) {
    const size_t row = pos;
    IGNITE_ASSIGN_OR_RETURN(const size_t key_end, SkipValue(bytes, pos, "key"));
    IGNITE_ASSIGN_OR_RETURN(pos, SkipValue(bytes, key_end, "val"));
    const bool fresh =
        delivered->emplace(reinterpret_cast<const char*>(bytes.data() + row), key_end - row).second;
    if (!fresh && !dropped) {
      dropped = true;
      size_t start = page->rows_begin;  // the rows before this one, each kept
      for (int32_t j = 0; j < i; ++j) {
        IGNITE_ASSIGN_OR_RETURN(size_t end, SkipValue(bytes, start, "key"));
        IGNITE_ASSIGN_OR_RETURN(end, SkipValue(bytes, end, "val"));
        kept.emplace_back(start, end);
        start = end;
      }
    } else if (fresh && dropped) {
      kept.emplace_back(row, pos);
    }
  }
  if (!dropped) return absl::OkStatus();
  FrameBytes frame;
  for (const auto& [begin, end] : kept) {
    frame.insert(frame.end(), bytes.begin() + static_cast<ptrdiff_t>(begin),
                 bytes.begin() + static_cast<ptrdiff_t>(end));
  }
  page->row_count = static_cast<int32_t>(kept.size());
  page->rows_begin = 0;
  page->rows_end = frame.size();
  page->frame = std::move(frame);
  return absl::OkStatus();
}

absl::Status BatchStream::Recover(const std::shared_ptr<Connection>& connection, int32_t partition,
                                  const absl::Status& cause) {
  absl::MutexLock recovering(&recover_mu_);
  // Whether a node surely died (else a server error, which counts only when the cluster's
  // affinity changed since the map in use, seen within kChangeWait).
  bool certain = connection->broken() || NodeDied(cause);
  constexpr absl::Duration kChangeWait = absl::Seconds(3);
  const absl::Time started = absl::Now();
  // The node that died: the one the connection reached when it broke, else (the server said a
  // node left) the partition's primary.
  NodeId suspect = connection->node_id();
  if (!connection->broken()) {
    const NodeId* primary = current_map_->PrimaryOf(partition);
    if (primary != nullptr) suspect = *primary;
  }
  auto names = [](const CacheAffinity& map, const NodeId& id) {
    return std::find(map.nodes.begin(), map.nodes.end(), id) != map.nodes.end();
  };
  // Wait for the cluster to drop the node (a crash is noticed within a second or two; a host
  // gone silent within its failure detection timeout), at most the client's timeout.
  const absl::Duration settle = SettleTime(*client_);
  const absl::Time deadline = absl::Now() + settle;
  std::shared_ptr<const CacheAffinity> map;
  absl::Status last;
  while (true) {
    absl::StatusOr<std::shared_ptr<const CacheAffinity>> fresh =
        client_->Affinity(cache_, /*refresh=*/true);
    if (fresh.ok() && (*fresh)->applicable && !certain) {
      if (current_map_->version < (*fresh)->version) {
        certain = true;  // the cluster changed: a node left
      } else if (absl::Now() - started > kChangeWait) {
        return cause;  // an error of its own, not the cluster changing
      }
    }
    if (fresh.ok() && (*fresh)->applicable && certain) {
      // Settled once the map no longer names the node, or the node answers again (only the
      // connection was lost).
      if (!names(**fresh, suspect) || client_->topology()->ConnectionTo(suspect) != nullptr) {
        map = *std::move(fresh);
        break;
      }
    } else if (fresh.ok() && (*fresh)->applicable) {
      // not certain yet: look again
    } else if (!fresh.ok()) {
      last = fresh.status();
      const std::optional<ErrorKind> kind = GetErrorKind(last);
      if (kind != ErrorKind::kConnection && kind != ErrorKind::kTimeout) return last;
      // No node of the addresses given answers: nothing to go on through.
      if (client_->connection()->broken()) {
        return client_->options().addresses.size() == 1 ? WithEveryAddressHint(cause) : cause;
      }
    } else {
      return Annotate(cause, "the cache's partition map became unusable after a node left");
    }
    {
      absl::MutexLock lock(&mu_);
      if (stop_ || fetch_done_) return cause;  // closed, or another reader failed: no wait
    }
    if (absl::Now() > deadline) {
      return Annotate(
          cause, absl::StrCat("node ", NodeIdText(suspect), " stopped answering while partition ",
                              partition,
                              " was read from it, and the cluster still named it "
                              "the partition's primary after ",
                              absl::FormatDuration(settle),
                              last.ok() ? "" : absl::StrCat(" (", last.message(), ")")));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  for (const NodeId& node : plan_map_->nodes) {
    if (!names(*map, node) &&
        std::find(left_nodes_.begin(), left_nodes_.end(), node) == left_nodes_.end()) {
      left_nodes_.push_back(node);
    }
  }
  if (!backups_.has_value()) {
    IGNITE_ASSIGN_OR_RETURN(CacheSettings settings, client_->CacheConfiguration(cache_),
                            "finding how many backups the cache keeps, after a node left");
    backups_ = settings.backups.value_or(0);
  }
  if (static_cast<int64_t>(left_nodes_.size()) > *backups_) {
    // Their only copies were on the nodes that left: the cluster now serves those partitions
    // empty (Ignite's default loss policy), or refuses them. Either way the rows are gone.
    std::vector<int32_t> lost;
    {
      absl::MutexLock lock(&mu_);
      for (const PlannedPartition& planned : plan_) {
        const NodeId* primary = plan_map_->PrimaryOf(planned.partition);
        if (planned.done || primary == nullptr) continue;
        if (std::find(left_nodes_.begin(), left_nodes_.end(), *primary) != left_nodes_.end()) {
          lost.push_back(planned.partition);
        }
      }
    }
    std::sort(lost.begin(), lost.end());
    if (!lost.empty()) {
      std::vector<std::string> left;
      for (const NodeId& node : left_nodes_) {
        const std::optional<Address> address = client_->topology()->AddressOf(node);
        left.push_back(address.has_value()
                           ? absl::StrCat(NodeIdText(node), " (", address->ToString(), ")")
                           : NodeIdText(node));
      }
      constexpr size_t kNamed = 64;
      std::vector<int32_t> named(
          lost.begin(), lost.begin() + static_cast<ptrdiff_t>(std::min(kNamed, lost.size())));
      return MakeError(
          absl::StatusCode::kDataLoss, ErrorKind::kPartitionLost,
          absl::StrCat(left.size() == 1 ? "node " : "nodes ", absl::StrJoin(left, ", "),
                       " left the cluster during the read of ", source_, ", which keeps ",
                       *backups_, *backups_ == 1 ? " backup" : " backups", ": ", lost.size(),
                       lost.size() == 1 ? " partition" : " partitions",
                       " not read whole yet had no other copy and are lost (",
                       absl::StrJoin(named, ", "), lost.size() > named.size() ? ", ..." : "",
                       "); the rows delivered so far are the other partitions' (",
                       absl::StrCat("cause: ", cause.message()), ")"));
    }
  }
  // Point the partitions not read yet (and the ones being read again) at their new primaries.
  std::vector<std::pair<NodeId, std::shared_ptr<Connection>>> added;
  {
    std::vector<NodeId> known;
    {
      absl::MutexLock lock(&mu_);
      known = nodes_;
    }
    for (const NodeId& node : map->nodes) {
      if (std::find(known.begin(), known.end(), node) != known.end()) continue;
      std::shared_ptr<Connection> reached = client_->topology()->ConnectionTo(node);
      if (reached != nullptr) added.emplace_back(node, std::move(reached));
    }
  }
  current_map_ = map;
  absl::MutexLock lock(&mu_);
  for (auto& [node, reached] : added) {
    nodes_.push_back(node);
    node_connections_.push_back(std::move(reached));
  }
  for (PlannedPartition& planned : plan_) {
    if (planned.done) continue;
    planned.node = -1;
    const NodeId* primary = map->PrimaryOf(planned.partition);
    if (primary == nullptr) continue;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i] == *primary && node_connections_[i] != nullptr &&
          !node_connections_[i]->broken()) {
        planned.node = static_cast<int>(i);
      }
    }
  }
  return absl::OkStatus();
}

void BatchStream::FinishPartition(size_t seq) {
  absl::MutexLock lock(&mu_);
  held_[seq].done = true;
}

bool BatchStream::PutPage(absl::StatusOr<std::optional<Page>> page, size_t seq, size_t owner) {
  const size_t per_fetcher = options_.prefetch_pages < 1 ? 1 : options_.prefetch_pages;
  const bool in_order = options_.deterministic && !fetcher_states_.empty();
  absl::MutexLock lock(&mu_);
  if (page.ok() && page->has_value()) {
    // In order, each partition holds at most per_fetcher pages: the one being delivered can
    // always add its next page, so no wait depends on a partition further ahead.
    auto has_room = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      if (stop_ || fetch_done_) return true;
      if (in_order) {
        auto held = held_.find(seq);
        return held == held_.end() || held->second.pages.size() < per_fetcher;
      }
      // Each fetcher holds at most per_fetcher pages: they all go on at the consumer's pace,
      // none waits behind another's pages.
      return queued_[owner] < per_fetcher;
    };
    mu_.Await(absl::Condition(&has_room));
    if (stop_ || fetch_done_) return false;  // stopping, or another fetcher failed
    if (in_order) {
      held_[seq].pages.push_back(std::move(page->value()));
    } else {
      pages_.push_back(std::move(page->value()));
      page_owners_.push_back(owner);
      ++queued_[owner];
    }
    return true;
  }
  if (!page.ok()) {
    if (!fetch_done_) fetch_status_ = page.status();
    fetch_done_ = true;  // the other fetchers stop at their next page
  } else if (--fetchers_running_ == 0) {
    fetch_done_ = true;
  }
  return false;
}

absl::Status BatchStream::TakePage(std::optional<Page>* page) {
  page->reset();
  absl::MutexLock lock(&mu_);
  const bool in_order = options_.deterministic && !fetcher_states_.empty();
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (stop_ || (fetch_done_ && !fetch_status_.ok())) return true;
    if (!in_order) return fetch_done_ || !pages_.empty();
    // The partition being delivered: its next page or its end, or the end of every partition.
    auto held = held_.find(next_delivered_);
    if (held != held_.end()) return !held->second.pages.empty() || held->second.done;
    return next_delivered_ >= plan_.size();
  };
  while (true) {
    mu_.Await(absl::Condition(&ready));
    if (stop_) return absl::OkStatus();
    if (!fetch_status_.ok()) return fetch_status_;
    std::deque<Page>* source = &pages_;
    if (in_order) {
      auto held = held_.find(next_delivered_);
      if (held == held_.end()) return absl::OkStatus();  // every partition was delivered
      if (held->second.pages.empty()) {  // this partition is complete: on to the next one
        held_.erase(held);
        ++next_delivered_;
        continue;
      }
      source = &held->second.pages;
    }
    if (source->empty()) return absl::OkStatus();
    page->emplace(std::move(source->front()));
    source->pop_front();
    if (!in_order) {
      --queued_[page_owners_.front()];
      page_owners_.pop_front();
    }
    return absl::OkStatus();
  }
}

void BatchStream::Run() {
  absl::Status status = Produce();
  // Decoding errors name the field and row; say which cache too (network errors already do).
  if (!status.ok() && !absl::StrContains(status.message(), source_)) {
    status = Annotate(status, source_);
  }
  absl::MutexLock lock(&mu_);
  if (!schema_known_) {
    schema_known_ = true;
    schema_error_ = status;
  }
  if (!stop_) {
    if (status.ok()) {
      queue_.push_back(std::optional<Batch>());
    } else {
      queue_.push_back(status);
    }
  }
  finished_ = true;
}

absl::Status BatchStream::StartBuilder(const RowSchema& inferred) {
  IGNITE_ASSIGN_OR_RETURN(RowSchema schema, SelectFields(inferred, options_.fields));
  ApplyColumnOptions(options_.decimals, options_.timestamp_unit, &schema);
  builder_ = std::make_unique<BatchBuilder>(schema, types_, options_.masks);
  builder_->set_skip_mismatched(options_.skip_mismatched);
  builder_->set_view_min_bytes(static_cast<size_t>(std::max<int64_t>(options_.view_min_bytes, 0)));
  absl::MutexLock lock(&mu_);
  schema_ = std::move(schema);
  schema_known_ = true;
  return absl::OkStatus();
}

absl::Status BatchStream::LearnSqlSchema(const Page& first, std::deque<Page>* held) {
  SqlSchemaLearner& learner = *sql_learner_;
  const int64_t limit = options_.sql_type_lookahead_bytes;
  int64_t rows = 0;
  int64_t bytes = 0;
  bool more = true;
  const Page* page = &first;
  while (true) {
    IGNITE_ASSIGN_OR_RETURN(auto values, sql_cursor_->DecodeRows(*page));
    IGNITE_RETURN_IF_ERROR(learner.Add(values));
    rows += page->row_count;
    bytes += static_cast<int64_t>(page->frame.size());
    more = page->more;
    if (learner.complete() || !more || bytes >= limit) break;
    // A column is NULL in every row so far: look at the next page (fetched anyway), keeping it
    // to decode after the ones before it.
    std::optional<Page> next;
    IGNITE_RETURN_IF_ERROR(TakePage(&next));
    if (!next.has_value()) {
      absl::MutexLock lock(&mu_);
      if (stop_) return absl::OkStatus();
      more = false;
      break;
    }
    held->push_back(std::move(*next));
    page = &held->back();  // deque::push_back keeps references to elements valid
  }
  const std::string seen =
      more ? absl::StrCat("the first ", rows, " rows (", bytes,
                          " bytes of pages, the type look-ahead limit)")
           : absl::StrCat(rows == 1 ? "the only row" : absl::StrCat("all ", rows, " rows"),
                          " of the result");
  absl::StatusOr<RowSchema> schema = learner.Finish(seen);
  if (!schema.ok() && more) {
    return WithHint(schema.status(), OptionHint{"type_lookahead_bytes",
                                                OptionHint::ValueKind::kPlaceholder,
                                                absl::StrCat("<more than ", limit, ">"),
                                                {},
                                                ""});
  }
  if (!schema.ok()) return schema.status();
  sql_learner_.reset();
  return StartBuilder(*schema);
}

absl::Status BatchStream::Produce() {
  int64_t rows_seen = 0;
  int64_t batch_bytes = 0;  // bytes of the pages in the batch being built
  std::deque<Page> held;    // SQL pages taken while learning the column types, decoded first
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return absl::OkStatus();
    }
    std::optional<Page> page;
    if (!held.empty()) {
      page.emplace(std::move(held.front()));
      held.pop_front();
    } else {
      IGNITE_RETURN_IF_ERROR(TakePage(&page));
    }
    if (!page.has_value()) break;
    // The end comes from TakePage: in a parallel scan, one partition's last page is not the end.
    if (page->row_count == 0) continue;
    if (builder_ == nullptr && sql_cursor_ != nullptr) {
      IGNITE_RETURN_IF_ERROR(LearnSqlSchema(*page, &held));
      if (builder_ == nullptr) return absl::OkStatus();  // stopped while looking ahead
    }
    if (builder_ == nullptr) {
      // Learn the schema from the first row, as the original integration did.
      ValueDecoder decoder(types_.get());
      size_t pos = page->rows_begin;
      IGNITE_ASSIGN_OR_RETURN(Value key, decoder.Decode(page->bytes(), &pos, "key"));
      // Only the selected fields are decoded and typed: the others may hold what no column can.
      IGNITE_ASSIGN_OR_RETURN(Value value,
                              decoder.Decode(page->bytes(), &pos, "val", &options_.fields));
      IGNITE_ASSIGN_OR_RETURN(RowSchema inferred,
                              InferSchema(key, value, types_.get(), options_.fields));
      IGNITE_RETURN_IF_ERROR(StartBuilder(inferred));
    }
    if (sql_cursor_ != nullptr) {
      IGNITE_RETURN_IF_ERROR(builder_->AppendSqlRows(page->bytes(), page->rows_begin,
                                                     page->rows_end, page->row_count, rows_seen));
    } else {
      // Large arrays may stay in the frame, which the batches that view them keep.
      std::shared_ptr<const FrameBytes> frame;
      if (options_.view_min_bytes > 0) {
        frame = std::make_shared<const FrameBytes>(std::move(page->frame));
      }
      builder_->set_frame(frame);
      IGNITE_RETURN_IF_ERROR(
          builder_->AppendRows(frame != nullptr ? absl::MakeConstSpan(*frame) : page->bytes(),
                               page->rows_begin, page->rows_end, page->row_count, rows_seen));
      builder_->set_frame(nullptr);
      skipped_rows_.store(builder_->skipped_rows());
    }
    rows_seen += page->row_count;
    batch_bytes += static_cast<int64_t>(page->rows_end - page->rows_begin);
    if (builder_->num_rows() >= options_.min_batch_rows ||
        (options_.batch_bytes > 0 && batch_bytes >= options_.batch_bytes &&
         builder_->num_rows() > 0)) {
      batch_bytes = 0;
      if (!Push(std::optional<Batch>(builder_->Finish()))) return absl::OkStatus();
    }
  }
  if (builder_ != nullptr && builder_->num_rows() > 0) {
    Push(std::optional<Batch>(builder_->Finish()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Batch>> BatchStream::Next() {
  absl::MutexLock lock(&mu_);
  auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !queue_.empty(); };
  mu_.Await(absl::Condition(&ready));
  // The terminal item (end or error) stays queued, so later calls see it again.
  const absl::StatusOr<std::optional<Batch>>& front = queue_.front();
  if (!front.ok()) return front.status();
  if (!front->has_value()) return std::optional<Batch>();
  absl::StatusOr<std::optional<Batch>> item = std::move(queue_.front());
  queue_.pop_front();
  return item;
}

std::map<int32_t, std::string> BatchStream::partition_nodes() const {
  absl::MutexLock lock(&mu_);
  return partition_nodes_;
}

absl::StatusOr<std::optional<RowSchema>> BatchStream::Schema() {
  absl::MutexLock lock(&mu_);
  auto known = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return schema_known_; };
  mu_.Await(absl::Condition(&known));
  if (!schema_error_.ok()) return schema_error_;
  return schema_;
}

}  // namespace ignite_tf
