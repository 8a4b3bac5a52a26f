#include "core/columnar/batch_stream.h"

#include <pthread.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

}  // namespace

absl::StatusOr<std::unique_ptr<BatchStream>> BatchStream::Open(Client& client,
                                                               const std::string& cache,
                                                               const StreamOptions& options,
                                                               std::optional<RowSchema> schema) {
  std::unique_ptr<BatchStream> stream(new BatchStream());
  stream->types_ = client.types();
  stream->options_ = options;
  stream->source_ = absl::StrCat("cache '", cache, "'");
  stream->cache_ = cache;
  IGNITE_RETURN_IF_ERROR(stream->PlanPartitions(client, cache));
  bool planned = false;
  {
    absl::MutexLock lock(&stream->mu_);
    planned = !stream->plan_.empty() || !options.partitions.empty();
  }
  if (!planned) {
    IGNITE_ASSIGN_OR_RETURN(stream->cursor_, client.Scan(cache, options.scan));
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
  default_connection_ = client.connection();
  std::vector<PlannedPartition> plan;
  auto node_of = [&](int32_t partition) {
    const NodeId* primary = map->PrimaryOf(partition);
    if (primary == nullptr) return -1;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i] == *primary) return static_cast<int>(i);
    }
    std::shared_ptr<Connection> connection =
        client.Routes() || *primary == client.connection()->node_id()
            ? client.topology()->ConnectionTo(*primary)
            : nullptr;
    if (connection == nullptr) return -1;  // not among the nodes reached: the default serves it
    nodes_.push_back(*primary);
    node_connections_.push_back(std::move(connection));
    return static_cast<int>(nodes_.size() - 1);
  };
  if (!o.partitions.empty()) {
    for (int32_t p : o.partitions) plan.push_back(PlannedPartition{p, node_of(p)});
  } else {
    for (int32_t p = 0; p < map->partition_count; ++p) {
      if (map->PrimaryOf(p) != nullptr) plan.push_back(PlannedPartition{p, node_of(p)});
    }
  }
  const size_t nodes = std::max<size_t>(nodes_.size(), 1);
  size_t readers = parallel_reads > 0 ? static_cast<size_t>(parallel_reads) : nodes;
  readers = std::min(readers, std::max<size_t>(plan.size(), 1));
  if (o.partitions.empty() && readers == 1 && nodes_.size() <= 1 && !o.deterministic) {
    return absl::OkStatus();  // one node, one reader: one whole-cache cursor does it
  }
  // Fetchers spread over the nodes in turn: at most ceil(readers / nodes) on one. The first on
  // a node uses the client's connection to it, the others open their own.
  for (size_t f = 0; f < readers; ++f) {
    auto fetcher = std::make_unique<Fetcher>();
    if (nodes_.empty()) {
      fetcher->connection = f == 0 ? default_connection_ : nullptr;
      if (fetcher->connection == nullptr) {
        IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<Connection> own,
                                Connection::Open(client.options(), default_connection_->address()),
                                "opening a connection for a parallel read");
        fetcher->connection = std::move(own);
      }
    } else {
      fetcher->home = static_cast<int>(f % nodes_.size());
      if (f < nodes_.size()) {
        fetcher->connection = node_connections_[static_cast<size_t>(fetcher->home)];
      } else {
        IGNITE_ASSIGN_OR_RETURN(
            fetcher->connection,
            client.topology()->OpenConnection(nodes_[static_cast<size_t>(fetcher->home)]),
            "opening a connection for a parallel read");
      }
    }
    fetcher_states_.push_back(std::move(fetcher));
  }
  absl::MutexLock lock(&mu_);
  plan_ = std::move(plan);
  return absl::OkStatus();
}

void BatchStream::StartFetchers() {
  num_fetchers_ = fetcher_states_.empty() ? 1 : fetcher_states_.size();
  absl::MutexLock lock(&mu_);
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
  while (true) {
    const std::optional<size_t> seq = ClaimPartition(fetcher->home);
    if (!seq.has_value()) {
      PutPage(std::optional<Page>());
      return;
    }
    int32_t partition = 0;
    int node = -1;
    {
      absl::MutexLock lock(&mu_);
      partition = plan_[*seq].partition;
      node = plan_[*seq].node;
    }
    // Every partition is read from its primary: through this fetcher's own connection on its
    // node, through the client's connection to another node for a partition taken from it, and
    // through the default connection when the primary is not reached.
    std::shared_ptr<Connection> connection =
        node == fetcher->home && node >= 0 ? fetcher->connection
        : node >= 0                        ? node_connections_[static_cast<size_t>(node)]
        : fetcher->home < 0                ? fetcher->connection
                                           : default_connection_;
    ScanOptions scan = options_.scan;
    scan.partition = partition;
    absl::StatusOr<std::unique_ptr<ScanCursor>> cursor = ScanCursor::Open(connection, cache_, scan);
    if (!cursor.ok()) {
      PutPage(Annotate(cursor.status(), absl::StrCat("scanning partition ", partition)));
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      partition_nodes_[partition] = NodeIdText(connection->node_id());
    }
    while (true) {
      absl::StatusOr<std::optional<Page>> page = (*cursor)->NextPage();
      if (page.ok() && !page->has_value()) break;   // this partition is done
      if (!PutPage(std::move(page), *seq)) return;  // the cursor closes as it goes
    }
    if (options_.deterministic) FinishPartition(*seq);
  }
}

void BatchStream::FinishPartition(size_t seq) {
  absl::MutexLock lock(&mu_);
  held_[seq].done = true;
}

bool BatchStream::PutPage(absl::StatusOr<std::optional<Page>> page, size_t seq) {
  const size_t per_fetcher = options_.prefetch_pages < 1 ? 1 : options_.prefetch_pages;
  const size_t limit = per_fetcher * num_fetchers_;
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
      return pages_.size() < limit;
    };
    mu_.Await(absl::Condition(&has_room));
    if (stop_ || fetch_done_) return false;  // stopping, or another fetcher failed
    if (in_order) {
      held_[seq].pages.push_back(std::move(page->value()));
    } else {
      pages_.push_back(std::move(page->value()));
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
  std::deque<Page> held;  // SQL pages taken while learning the column types, decoded first
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
      IGNITE_RETURN_IF_ERROR(builder_->AppendRows(page->bytes(), page->rows_begin, page->rows_end,
                                                  page->row_count, rows_seen));
      skipped_rows_.store(builder_->skipped_rows());
    }
    rows_seen += page->row_count;
    if (builder_->num_rows() >= options_.min_batch_rows) {
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
