// columnar/batch_stream.h: a scan turned into a stream of column batches. A background thread
// fetches and decodes the next pages while the caller consumes the current batch, so the network
// never waits for Python; the queue is bounded, so memory stays flat however large the cache.
#ifndef IGNITE_TF_CORE_COLUMNAR_BATCH_STREAM_H_
#define IGNITE_TF_CORE_COLUMNAR_BATCH_STREAM_H_

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/client/client.h"
#include "core/columnar/batch_builder.h"
#include "core/columnar/column.h"
#include "core/columnar/schema.h"

namespace ignite_tf {

struct StreamOptions {
  ScanOptions scan;
  // Batches hold at least this many rows (pages are merged), except the last one...
  int64_t min_batch_rows = 1024;
  // ...or fewer, once their pages hold this many bytes (0: rows alone decide).
  int64_t batch_bytes = 0;
  // Scans: pages of about this many bytes at most. Before the scan, one row read with a
  // one-row page gives the row size, and the page size becomes the budget divided by it (at
  // least 1 row, at most scan.page_size). 0: scan.page_size alone decides.
  int64_t page_bytes = 0;
  // Decoded batches waiting for the consumer.
  int prefetch_batches = 2;
  // Pages received and waiting to be decoded: the next page is requested as soon as one
  // arrives, so the server works on it while this one is decoded.
  int prefetch_pages = 2;
  // Scans: arrays of at least this many bytes, one per row (a byte[] field), are left in the
  // received frames rather than copied into their column (Column::views; 0: all are copied).
  int64_t view_min_bytes = 0;
  // Value fields to read ("NAME", "metadata.label"); empty = all. Others are never decoded.
  std::vector<std::string> fields;
  // Add a validity column per column (Column::valid): which rows had the value.
  bool masks = false;
  // Leave out (and count) rows whose structure does not fit instead of failing.
  bool skip_mismatched = false;
  // Decimal columns: float64 (nearest double) or the exact text.
  DecimalMode decimals = DecimalMode::kFloat64;
  // Timestamp columns: int64 in this unit since the epoch.
  TimestampUnit timestamp_unit = TimestampUnit::kNanoseconds;
  // SQL queries: column types the user gives (Ignite type codes by column name, as the server
  // reports it); they win over the types learnt from values.
  std::map<std::string, int32_t> sql_column_types;
  // SQL queries: while a column has no type yet (NULL in every row so far), the following pages
  // are taken and held, up to this many bytes in all, to find a non-null value.
  int64_t sql_type_lookahead_bytes = int64_t{64} << 20;
  // Fetchers reading a cache at once (scan.partition < 0 only), each with its connection to one
  // node: they are spread over the nodes holding primaries (at most ceil(parallel_reads / nodes)
  // on a node), each reads the next unread partition whose primary is its node, and takes
  // partitions of other nodes (read from their primaries too) only when its node has none
  // left. The pages held grow to prefetch_pages per fetcher (each fetcher its own share, so
  // all go on at the consumer's pace). 0: one per node when the cache's
  // primaries are on several nodes the client reaches, else 1. A cache without a partition
  // map the client can use (replicated, custom affinity) is read through one connection.
  // With several nodes reached and a usable map, even one fetcher reads partition by
  // partition, each from its primary.
  //
  // Failover: when the cache's primaries are on several nodes, a partition-wise read goes on
  // through the death of a node. A partition whose read fails because its node died (the
  // connection broke, or the server says a node left the topology) is read again from its new
  // primary once the cluster has moved it (within the client's timeout); rows of it already
  // delivered (tracked by key, for the open partition only) are left out, so each row arrives
  // once. Partitions already read stay read; the ones not started go to their new primaries.
  // When more nodes left during the read than the cache keeps backups, the partitions whose
  // primary was on them (and were not read whole yet) are lost: the read fails with a
  // partition-lost error naming them and the nodes, never a silently shorter result.
  int parallel_reads = 1;
  // The partitions to read (indices, each once); empty: the whole cache (or scan.partition).
  // Checked against the cache's partition count; needs a usable partition map.
  std::vector<int32_t> partitions;
  // Deliver partitions one after the other, each whole, in the order of `partitions` (index
  // order when reading the whole cache), holding at most a few partitions' pages ahead; else
  // rows come in the order pages arrive.
  bool deterministic = false;
};

class BatchStream {
 public:
  // Opens the scan now (so a missing cache fails here) and starts the worker. Without a
  // `schema`, it is inferred from the first row.
  static absl::StatusOr<std::unique_ptr<BatchStream>> Open(std::shared_ptr<Client> client,
                                                           const std::string& cache,
                                                           const StreamOptions& options,
                                                           std::optional<RowSchema> schema);
  // The same over the rows of a SQL fields query: one column per result column, its type from
  // options.sql_column_types or else from its first non-null value. When the first page leaves a
  // column without one, the next pages are held (up to options.sql_type_lookahead_bytes) until
  // every column has one, then decoded in order. With every column typed by the user, the
  // schema is known at once, even for an empty result. options.scan is unused.
  static absl::StatusOr<std::unique_ptr<BatchStream>> OpenSql(Client& client, const SqlQuery& query,
                                                              const StreamOptions& options);
  ~BatchStream();

  // The next batch, nullopt at the end, or the error that stopped the scan.
  absl::StatusOr<std::optional<Batch>> Next();

  // Rows left out so far because they did not fit (skip_mismatched).
  int64_t skipped_rows() const { return skipped_rows_.load(); }

  // SQL queries: the result's column names in query order (known when the query opened, before
  // any row); empty for cache scans.
  std::vector<std::string> sql_columns() const {
    return sql_cursor_ != nullptr ? sql_cursor_->columns() : std::vector<std::string>();
  }

  // The schema, once known (after the first row arrived or when given). Blocks until then.
  absl::StatusOr<std::optional<RowSchema>> Schema();

  // The node id (text) of the connection that served each partition read partition by
  // partition so far (a whole-cache scan through one cursor has none).
  std::map<int32_t, std::string> partition_nodes() const;

 private:
  BatchStream() = default;
  void Run();
  absl::Status Produce();
  bool Push(absl::StatusOr<std::optional<Batch>> item);  // false when stopping
  // A fetcher of a partition-wise read: the node it lives on (index in nodes_, -1: none) and
  // its connection there.
  struct Fetcher {
    size_t index = 0;  // its place among the fetchers (its share of the pages queued)
    int home = -1;
    std::shared_ptr<Connection> connection;
  };
  // A partition to read, in delivery order.
  struct PlannedPartition {
    int32_t partition = 0;
    int node = -1;  // its primary's index in nodes_; -1: unknown or not reachable
    bool claimed = false;
    bool done = false;  // read whole
  };
  // Deterministic reads: the pages of one partition, held until it is its turn.
  struct HeldPartition {
    std::deque<Page> pages;
    bool done = false;
  };
  // Plans a partition-wise read when one applies (see StreamOptions::parallel_reads): the
  // partitions, their primaries and the fetchers. Leaves plan_ empty for a single cursor.
  absl::Status PlanPartitions(Client& client, const std::string& cache);
  // The fetching thread: pages from the cursor into pages_, until the end or an error.
  void Fetch();
  // One of the fetching threads of a partition-wise read: reads the partitions it claims.
  void FetchPartitions(Fetcher* fetcher);
  // The next partition for a fetcher living on `home` (its plan index), or nullopt when none is
  // left or the read stops. Deterministic reads wait while every unclaimed partition is too far
  // ahead of the one being delivered.
  std::optional<size_t> ClaimPartition(int home);
  // The partition ClaimPartition would take now, if any; *left: whether any is unclaimed.
  std::optional<size_t> Claimable(int home, bool* left) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The connection to read plan entry `seq` through (its primary's, see FetchPartitions), a
  // live one when there is one.
  std::shared_ptr<Connection> ConnectionFor(size_t seq, const Fetcher& fetcher);
  // Reads plan entry `seq` (partition `partition`) through `connection` into the page queue.
  // With key tracking, the keys of the rows sent on are added to *delivered, and rows whose key
  // is in it already are left out. *stopped: the stream stops (or another fetcher failed).
  absl::Status ReadPartition(const std::shared_ptr<Connection>& connection, size_t seq,
                             int32_t partition, size_t owner,
                             absl::flat_hash_set<std::string>* delivered, bool* stopped);
  // Records the keys of `page`'s rows in *delivered and drops the rows whose key was there.
  static absl::Status SkipDelivered(Page* page, absl::flat_hash_set<std::string>* delivered);
  // After reading `partition` through `connection` failed with `cause` (a node died): waits
  // until the cluster's partition map no longer names the dead node, fails with the lost
  // partitions when more nodes left than the cache has backups, and else points the partitions
  // not read yet at their new primaries. Serialized: fetchers failing together wait their turn.
  absl::Status Recover(const std::shared_ptr<Connection>& connection, int32_t partition,
                       const absl::Status& cause);
  // Starts one Fetch thread, or one FetchPartitions thread per fetcher of the plan.
  void StartFetchers();
  // Queues a page from a fetcher (of plan entry `seq` in deterministic reads); false when the
  // fetcher should stop (stopping, or another fetcher failed). An error or the end of one
  // fetcher's pages is recorded here too.
  // `owner`: the fetcher's index; each holds at most prefetch_pages queued pages.
  bool PutPage(absl::StatusOr<std::optional<Page>> page, size_t seq = 0, size_t owner = 0);
  // Deterministic reads: the partition of plan entry `seq` is complete.
  void FinishPartition(size_t seq);
  // The next fetched page into *page (nullopt at the end or when stopping), or the fetch error.
  absl::Status TakePage(std::optional<Page>* page);
  // SQL: learns the column types from `first` and, while some are missing, from the next pages,
  // which it appends to *held (to be decoded after `first`, in order). Starts the builder.
  absl::Status LearnSqlSchema(const Page& first, std::deque<Page>* held);
  // Makes the builder for `schema` (after field selection) and publishes the schema.
  absl::Status StartBuilder(const RowSchema& schema);

  std::shared_ptr<TypeResolver> types_;
  std::string source_;  // "cache 'X' on host:port" or "SQL query on host:port", for errors
  std::unique_ptr<ScanCursor> cursor_;
  // Partition-wise reads: the cache, the nodes holding primaries that the client reaches (and
  // their shared connections), the plan, the fetchers; the default connection for the rest.
  std::string cache_;
  std::shared_ptr<Client> client_;
  std::vector<NodeId> nodes_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Connection>> node_connections_ ABSL_GUARDED_BY(mu_);
  // Failover (see StreamOptions::parallel_reads): whether it applies (the keys of the open
  // partitions are tracked then), the map the plan was made from, the current one, the nodes
  // seen to leave, and the cache's backups (asked for at the first failover).
  bool failover_ = false;
  std::shared_ptr<const CacheAffinity> plan_map_;
  absl::Mutex recover_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::shared_ptr<const CacheAffinity> current_map_ ABSL_GUARDED_BY(recover_mu_);
  std::vector<NodeId> left_nodes_ ABSL_GUARDED_BY(recover_mu_);
  std::optional<int32_t> backups_ ABSL_GUARDED_BY(recover_mu_);
  std::vector<PlannedPartition> plan_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Fetcher>> fetcher_states_;
  std::map<size_t, HeldPartition> held_ ABSL_GUARDED_BY(mu_);  // deterministic: by plan index
  size_t next_delivered_ ABSL_GUARDED_BY(mu_) = 0;             // deterministic: plan index
  std::map<int32_t, std::string> partition_nodes_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<SqlCursor> sql_cursor_;
  std::optional<SqlSchemaLearner> sql_learner_;  // SQL, until the types are known
  StreamOptions options_;
  std::unique_ptr<BatchBuilder> builder_;

  mutable absl::Mutex mu_;
  std::deque<absl::StatusOr<std::optional<Batch>>> queue_ ABSL_GUARDED_BY(mu_);
  std::deque<Page> pages_ ABSL_GUARDED_BY(mu_);
  std::deque<size_t> page_owners_ ABSL_GUARDED_BY(mu_);  // the fetcher of each page in pages_
  std::vector<size_t> queued_ ABSL_GUARDED_BY(mu_);      // pages in pages_, per fetcher
  bool fetch_done_ ABSL_GUARDED_BY(mu_) = false;         // every fetcher ended, or one failed
  int fetchers_running_ ABSL_GUARDED_BY(mu_) = 0;
  size_t num_fetchers_ = 1;  // set before the fetchers start
  absl::Status fetch_status_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // the end or an error was queued
  bool schema_known_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<RowSchema> schema_ ABSL_GUARDED_BY(mu_);
  absl::Status schema_error_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> skipped_rows_{0};
  std::vector<std::thread> fetchers_;  // network: cursor pages into pages_
  std::thread worker_;                 // decoding: pages_ into batches in queue_
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_COLUMNAR_BATCH_STREAM_H_
