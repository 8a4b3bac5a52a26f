// columnar/bulk_writer.h: the write path's second half: encoded rows gathered into put_all
// pages sized by bytes (and capped in rows), each page sent to the primary node of its keys when
// the client routes (the same partition function Ignite uses), several requests in flight per
// node over connections of the writer's own. The caller's thread encodes; sender threads wait
// for the replies; the pages held are bounded, so memory stays flat however much is written. A
// page whose node dies under it is sent again through a live node (Resend), so a load into a
// cache with backups goes on through a node failure.
#ifndef IGNITE_TF_CORE_COLUMNAR_BULK_WRITER_H_
#define IGNITE_TF_CORE_COLUMNAR_BULK_WRITER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/client/client.h"
#include "core/columnar/row_encoder.h"

namespace ignite_tf {

struct WriteOptions {
  // A page holds at most this many entries...
  int64_t batch_rows = 1024;
  // ...and is sent once its encoded entries reach this many bytes (a larger row is a page of
  // its own).
  int64_t batch_bytes = int64_t{4} << 20;
  // Requests in flight per node, each on a connection of its own.
  int parallel = 2;
  // false: an entry whose key is present keeps its value (one put-if-absent request per entry,
  // a page's requests sent in one write), and rows_present() counts them.
  bool overwrite = true;
};

class BulkWriter {
 public:
  // Registers the encoder's object types, reads the cache's partition map when the client
  // routes, and starts the senders of the first node.
  static absl::StatusOr<std::unique_ptr<BulkWriter>> Open(std::shared_ptr<Client> client,
                                                          std::string cache, RowEncoder encoder,
                                                          const WriteOptions& options);
  ~BulkWriter();

  // Validates every row of `source`, then encodes and queues them (waiting while a node's
  // pages in flight are at the limit). The first failure of any page stops the writer: this
  // and every later call return it, with how many rows were written. With overwrite, plain
  // array values of RowEncoder::kExternalMinBytes or more are sent from `source`'s buffers
  // without a copy: the caller keeps them unchanged until Finish() or Cancel() returns, or,
  // with `wait_for_references`, until this call returns (it then waits until every page
  // referring to them was answered).
  absl::Status Write(const RowSource& source, bool wait_for_references = true);
  // Sends the partial pages and waits for every reply.
  absl::Status Finish();
  // Stops: pages not sent yet are dropped; waits for the requests in flight.
  void Cancel();

  // Rows (and their payload bytes) the server acknowledged putting.
  int64_t rows_written() const;
  int64_t bytes_written() const;
  // Without overwrite: rows left out because their key was present.
  int64_t rows_present() const;
  // Rows given to Write() so far.
  int64_t rows_given() const { return rows_given_; }
  // Connections the writer sends on (its nodes times `parallel`, fewer when a node refused
  // more), for tests.
  int connections() const;
  const RowEncoder& encoder() const { return encoder_; }

 private:
  struct Page {
    Writer entries;
    int32_t count = 0;
    int64_t payload = 0;
    // Without overwrite, each entry's end in `entries`, where its key ends, and its payload
    // bytes.
    std::vector<size_t> ends;
    std::vector<size_t> key_ends;
    std::vector<int64_t> payloads;
    // Values sent from the caller's columns, in order, and their bytes.
    std::vector<ExternalBytes> external;
    int64_t external_bytes = 0;
  };
  struct Destination {
    std::deque<Page> queue;  // full pages waiting for a sender
    Page filling;
    std::vector<std::thread> senders;  // one per connection
  };

  BulkWriter(std::shared_ptr<Client> client, std::string cache, RowEncoder encoder,
             const WriteOptions& options)
      : client_(std::move(client)),
        cache_(std::move(cache)),
        encoder_(std::move(encoder)),
        options_(options) {}

  // The destination of a row whose encoded key is `key`: its primary node's, or the default
  // connection's. Starts its senders the first time.
  absl::StatusOr<Destination*> Route(absl::Span<const uint8_t> key);
  absl::StatusOr<Destination*> Start(const NodeId* node);
  // Hands `d`'s filling page to its senders, waiting while `parallel` pages already wait.
  absl::Status Enqueue(Destination& d);
  // A sender: sends `d`'s pages over `connection` (closed at the end when `own`).
  void Send(Destination* d, std::shared_ptr<Connection> connection, bool own);
  // One page's request(s); adds what the server put to the counters. Without overwrite,
  // `outcome` gets each entry's answer (Client::PutOutcome).
  absl::Status SendPage(Connection& connection, const Page& page,
                        std::vector<int8_t>* outcome = nullptr);
  // Encodes and queues the rows of `source`; `referenced` turns true once a page refers to its
  // buffers.
  absl::Status Encode(const RowSource& source, bool* referenced);
  // Queues the pages still filling that refer to the caller's buffers and waits until no page
  // does: every page answered, or the writer stopped and its requests in flight returned.
  absl::Status SendReferenced();
  // A page whose connection broke under it (its node died or hung, not a refusal): puts are
  // idempotent, so it goes again, whole, through a live node, which hands each entry to its
  // partition's current primary (a backup, once the cluster has seen the death). Until that
  // works, the server refuses (partitions lost without backups: that error is returned), or no
  // node answers within the client's timeout.
  absl::Status Resend(const Page& page, absl::Status failure);
  // The same without overwrite: the entries the broken connection left without an answer go
  // again as put-if-absent requests. One that now finds its key present may have been put by
  // the first request before the node died: it counts as written when the node holds this
  // entry's value, else as present.
  absl::Status ResendIfAbsent(const Page& page, std::vector<int8_t> outcome, absl::Status failure);
  // How long a page is tried again: the client's timeout, else a minute.
  absl::Duration ResendPatience() const;
  // The error the writer stopped with, in the words a user needs ("N of M rows written").
  absl::Status Failure() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void StopSenders();

  std::shared_ptr<Client> client_;
  std::string cache_;
  RowEncoder encoder_;
  WriteOptions options_;
  std::shared_ptr<const CacheAffinity> affinity_;  // nullptr: not routing
  // Destinations by node id (all zero: the default connection's); pointers stay valid.
  absl::flat_hash_map<NodeId, std::unique_ptr<Destination>> destinations_;
  Writer key_;  // scratch for routing
  int64_t rows_given_ = 0;

  mutable absl::Mutex mu_;
  absl::CondVar changed_;  // a page was queued, sent or failed; the writer stopped
  std::vector<Writer> free_pages_ ABSL_GUARDED_BY(mu_);  // sent pages' buffers, for reuse
  int64_t rows_written_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t bytes_written_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t rows_present_ ABSL_GUARDED_BY(mu_) = 0;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;  // no more pages: senders stop when idle
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_COLUMNAR_BULK_WRITER_H_
