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
  if (options.parallel_reads > 1 && options.scan.partition < 0) {
    absl::StatusOr<std::vector<int32_t>> partitions = client.Partitions(cache);
    if (partitions.ok()) {
      stream->partitions_ = *std::move(partitions);
    } else if (GetErrorKind(partitions.status()) != ErrorKind::kNoPartitionMap) {
      return partitions.status();  // a missing cache, a network error
    }  // else: no usable partition map; one connection reads the whole cache
  }
  const size_t readers = std::min(stream->partitions_.size(),
                                  static_cast<size_t>(std::max(options.parallel_reads, 1)));
  if (readers > 1) {
    for (size_t i = 1; i < readers; ++i) {
      IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<Client> extra, Client::Connect(client.options()));
      stream->extra_clients_.push_back(std::move(extra));
    }
  } else {
    stream->partitions_.clear();
    IGNITE_ASSIGN_OR_RETURN(stream->cursor_, client.Scan(cache, options.scan));
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
  if (stream->partitions_.empty()) {
    stream->StartFetchers({});
  } else {
    std::vector<Client*> clients = {&client};
    for (auto& extra : stream->extra_clients_) clients.push_back(extra.get());
    stream->StartFetchers(clients);
  }
  stream->worker_ = std::thread([s = stream.get()] {
    NameThisThread("ignite-decode");
    s->Run();
  });
  return stream;
}

void BatchStream::StartFetchers(const std::vector<Client*>& clients) {
  num_fetchers_ = clients.empty() ? 1 : clients.size();
  absl::MutexLock lock(&mu_);
  if (clients.empty()) {
    fetchers_running_ = 1;
    fetchers_.emplace_back([this] {
      NameThisThread("ignite-fetch");
      Fetch();
    });
    return;
  }
  fetchers_running_ = static_cast<int>(clients.size());
  for (Client* client : clients) {
    fetchers_.emplace_back([this, client] {
      NameThisThread("ignite-fetch");
      FetchPartitions(client);
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
  stream->StartFetchers({});
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
  // Each fetcher stops after at most one reply (or its timeout); a parallel fetcher closes its
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

void BatchStream::FetchPartitions(Client* client) {
  while (true) {
    const size_t index = next_partition_.fetch_add(1);
    if (index >= partitions_.size()) {
      PutPage(std::optional<Page>());
      return;
    }
    ScanOptions scan = options_.scan;
    scan.partition = partitions_[index];
    absl::StatusOr<std::unique_ptr<ScanCursor>> cursor = client->Scan(cache_, scan);
    if (!cursor.ok()) {
      PutPage(Annotate(cursor.status(), absl::StrCat("scanning partition ", scan.partition)));
      return;
    }
    while (true) {
      absl::StatusOr<std::optional<Page>> page = (*cursor)->NextPage();
      if (page.ok() && !page->has_value()) break;  // this partition is done
      if (!PutPage(std::move(page))) return;       // the cursor closes as it goes
    }
  }
}

bool BatchStream::PutPage(absl::StatusOr<std::optional<Page>> page) {
  const size_t per_fetcher = options_.prefetch_pages < 1 ? 1 : options_.prefetch_pages;
  const size_t limit = per_fetcher * num_fetchers_;
  absl::MutexLock lock(&mu_);
  if (page.ok() && page->has_value()) {
    auto has_room = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return stop_ || fetch_done_ || pages_.size() < limit;
    };
    mu_.Await(absl::Condition(&has_room));
    if (stop_ || fetch_done_) return false;  // stopping, or another fetcher failed
    pages_.push_back(std::move(page->value()));
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
  auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return stop_ || fetch_done_ || !pages_.empty();
  };
  mu_.Await(absl::Condition(&ready));
  if (!pages_.empty()) {
    page->emplace(std::move(pages_.front()));
    pages_.pop_front();
    return absl::OkStatus();
  }
  return stop_ ? absl::OkStatus() : fetch_status_;
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

absl::StatusOr<std::optional<RowSchema>> BatchStream::Schema() {
  absl::MutexLock lock(&mu_);
  auto known = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return schema_known_; };
  mu_.Await(absl::Condition(&known));
  if (!schema_error_.ok()) return schema_error_;
  return schema_;
}

}  // namespace ignite_tf
