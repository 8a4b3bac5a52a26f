#include "core/columnar/bulk_writer.h"

#include <algorithm>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "core/binary/type_codes.h"
#include "core/client/affinity.h"
#include "core/common/error.h"
#include "core/wire/reader.h"

namespace ignite_tf {

absl::StatusOr<std::unique_ptr<BulkWriter>> BulkWriter::Open(std::shared_ptr<Client> client,
                                                             std::string cache, RowEncoder encoder,
                                                             const WriteOptions& options) {
  if (options.batch_rows < 1 || options.batch_bytes < 1 || options.parallel < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("a writer's page rows, page bytes and requests in flight must be at least 1 "
                     "(got ",
                     options.batch_rows, ", ", options.batch_bytes, ", ", options.parallel, ")"));
  }
  for (const BinaryType& type : encoder.types()) {
    IGNITE_RETURN_IF_ERROR(client->types()->Register(type));
  }
  std::unique_ptr<BulkWriter> writer(
      new BulkWriter(std::move(client), std::move(cache), std::move(encoder), options));
  writer->affinity_ = writer->client_->RoutingAffinity(writer->cache_);
  return writer;
}

BulkWriter::~BulkWriter() { Cancel(); }

absl::StatusOr<BulkWriter::Destination*> BulkWriter::Start(const NodeId* node) {
  const NodeId id = node != nullptr ? *node : NodeId{};
  auto it = destinations_.find(id);
  if (it != destinations_.end()) return it->second.get();
  std::shared_ptr<Connection> first =
      node != nullptr ? client_->topology()->ConnectionTo(*node) : nullptr;
  if (first == nullptr) {
    // Not routing, or the primary cannot be reached: the default connection serves it (and
    // reports any error of its own).
    if (node != nullptr) return Start(nullptr);
    first = client_->connection();
  }
  std::vector<std::shared_ptr<Connection>> connections = {first};
  for (int i = 1; i < options_.parallel; ++i) {
    // Connections of the writer's own, so its requests do not queue behind each other. A
    // node that refuses more (a connection limit) is written with the ones it took.
    absl::StatusOr<std::unique_ptr<Connection>> more =
        Connection::Open(client_->options(), first->address());
    if (!more.ok()) break;
    connections.push_back(*std::move(more));
  }
  auto d = std::make_unique<Destination>();
  Destination* raw = d.get();
  destinations_.emplace(id, std::move(d));
  for (size_t i = 0; i < connections.size(); ++i) {
    raw->senders.emplace_back(
        [this, raw, connection = connections[i], own = i > 0] { Send(raw, connection, own); });
  }
  return raw;
}

absl::StatusOr<BulkWriter::Destination*> BulkWriter::Route(absl::Span<const uint8_t> key) {
  if (affinity_ == nullptr) return Start(nullptr);
  const std::optional<int32_t> partition = PartitionOfKey(*affinity_, key);
  if (!partition.has_value()) return Start(nullptr);
  return Start(affinity_->PrimaryOf(*partition));
}

void BulkWriter::Send(Destination* d, std::shared_ptr<Connection> connection, bool own) {
  while (true) {
    Page page;
    {
      absl::MutexLock lock(&mu_);
      while (d->queue.empty() && !finishing_ && !cancelled_ && failed_.ok()) changed_.Wait(&mu_);
      if (cancelled_ || !failed_.ok() || d->queue.empty()) break;
      page = std::move(d->queue.front());
      d->queue.pop_front();
      ++in_flight_;
      changed_.SignalAll();  // room in the queue
    }
    std::vector<int8_t> outcome;
    absl::Status status = SendPage(*connection, page, &outcome);
    if (!status.ok() && connection->broken()) {
      status = options_.overwrite ? Resend(page, std::move(status))
                                  : ResendIfAbsent(page, std::move(outcome), std::move(status));
    }
    absl::MutexLock lock(&mu_);
    --in_flight_;
    if (status.ok()) {
      page.entries.mutable_buffer().clear();
      free_pages_.push_back(std::move(page.entries));
    } else if (failed_.ok()) {
      failed_ = std::move(status);
    }
    changed_.SignalAll();
  }
  // The writer's own connections close with it; the client's stays.
  if (own) connection->Close();
}

absl::Status BulkWriter::SendPage(Connection& connection, const Page& page,
                                  std::vector<int8_t>* outcome) {
  if (options_.overwrite) {
    // The page's bytes, with the values it refers to in their places.
    const absl::Span<const uint8_t> bytes = page.entries.buffer();
    absl::InlinedVector<absl::Span<const uint8_t>, 8> pieces;
    size_t at = 0;
    for (const ExternalBytes& e : page.external) {
      pieces.push_back(bytes.subspan(at, e.offset - at));
      pieces.push_back(absl::MakeConstSpan(e.data, e.size));
      at = e.offset;
    }
    pieces.push_back(bytes.subspan(at));
    IGNITE_RETURN_IF_ERROR(client_->PutAllEncoded(connection, cache_, page.count, pieces));
    absl::MutexLock lock(&mu_);
    rows_written_ += page.count;
    bytes_written_ += page.payload;
    return absl::OkStatus();
  }
  std::vector<int8_t> answers;
  if (outcome == nullptr) outcome = &answers;
  absl::StatusOr<int64_t> added =
      client_->PutIfAbsentEncoded(connection, cache_, page.entries.buffer(), page.ends, outcome);
  // A refused entry fails the write, but the page's other entries were answered: count them.
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < outcome->size(); ++i) {
    if ((*outcome)[i] == Client::kPut) {
      ++rows_written_;
      bytes_written_ += page.payloads[i];
    } else if ((*outcome)[i] == Client::kPresent) {
      ++rows_present_;
    }
  }
  return added.status();
}

namespace {

// Whether `stored` (a value as a node returns it) is `ours` (as we encoded it): the same bytes,
// or an object the node wraps (type 27: length, the bytes holding it, its offset in them).
bool SameValue(absl::Span<const uint8_t> stored, absl::Span<const uint8_t> ours) {
  if (!stored.empty() && stored[0] == kWrappedObject) {
    Reader r(stored, 1);
    absl::StatusOr<absl::Span<const uint8_t>> bytes = r.ReadSized(1, "wrapped object");
    absl::StatusOr<int32_t> start = bytes.ok() ? r.ReadInt32() : bytes.status();
    if (!start.ok() || *start < 0 || static_cast<size_t>(*start) > bytes->size()) return false;
    stored = bytes->subspan(static_cast<size_t>(*start));
  }
  return std::equal(stored.begin(), stored.end(), ours.begin(), ours.end());
}

}  // namespace

absl::Duration BulkWriter::ResendPatience() const {
  return client_->options().timeout > absl::ZeroDuration() ? client_->options().timeout
                                                           : absl::Seconds(60);
}

absl::Status BulkWriter::ResendIfAbsent(const Page& page, std::vector<int8_t> outcome,
                                        absl::Status failure) {
  const absl::Duration patience = ResendPatience();
  const absl::Time deadline = absl::Now() + patience;
  const absl::Span<const uint8_t> bytes = page.entries.buffer();
  auto begin = [&](size_t i) { return i == 0 ? size_t{0} : page.ends[i - 1]; };
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (cancelled_ || !failed_.ok()) return failure;
    }
    std::vector<size_t> todo;
    for (size_t i = 0; i < static_cast<size_t>(page.count); ++i) {
      if (i >= outcome.size() || outcome[i] == Client::kNoReply) todo.push_back(i);
    }
    if (todo.empty()) return absl::OkStatus();  // every entry was answered before the break
    std::shared_ptr<Connection> other = client_->connection();
    if (other->broken()) {
      return Annotate(failure, "no other node answered to take the page");
    }
    Writer again;
    std::vector<size_t> ends;
    for (size_t i : todo) {
      again.WriteBytes(bytes.subspan(begin(i), page.ends[i] - begin(i)));
      ends.push_back(again.size());
    }
    std::vector<int8_t> answers;
    absl::StatusOr<int64_t> added =
        client_->PutIfAbsentEncoded(*other, cache_, again.buffer(), ends, &answers);
    for (size_t j = 0; j < answers.size(); ++j) {
      const size_t i = todo[j];
      if (answers[j] == Client::kPresent) {
        // Present now: put by the request the dead node took, or there before?
        const absl::Span<const uint8_t> key = bytes.subspan(begin(i), page.key_ends[i] - begin(i));
        const absl::Span<const uint8_t> value =
            bytes.subspan(page.key_ends[i], page.ends[i] - page.key_ends[i]);
        absl::StatusOr<std::vector<uint8_t>> stored = client_->GetEncoded(*other, cache_, key);
        if (!stored.ok()) continue;  // asked again on the next round
        answers[j] = SameValue(*stored, value) ? Client::kPut : Client::kPresent;
      }
      if (answers[j] == Client::kNoReply) continue;
      outcome[i] = answers[j];
      absl::MutexLock lock(&mu_);
      if (answers[j] == Client::kPut) {
        ++rows_written_;
        bytes_written_ += page.payloads[i];
      } else {
        ++rows_present_;
      }
    }
    if (!added.ok() && !other->broken()) return added.status();  // the server's refusal
    // The next round takes what is left: nothing, or entries whose node broke off or whose
    // value could not be read back.
    if (absl::Now() >= deadline) {
      return Annotate(
          added.ok() ? failure : added.status(),
          absl::StrCat("a page could not be sent again within ", absl::FormatDuration(patience)));
    }
  }
}

absl::Status BulkWriter::Resend(const Page& page, absl::Status failure) {
  const absl::Duration patience = ResendPatience();
  const absl::Time deadline = absl::Now() + patience;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (cancelled_ || !failed_.ok()) return failure;
    }
    // The default connection, or once it broke, another live node's.
    std::shared_ptr<Connection> other = client_->connection();
    if (other->broken()) {
      return Annotate(failure, "no other node answered to take the page");
    }
    absl::Status again = SendPage(*other, page);
    if (again.ok() || !other->broken()) return again;  // put, or the server's refusal
    if (absl::Now() >= deadline) {
      return Annotate(again, absl::StrCat("a page could not be sent again within ",
                                          absl::FormatDuration(patience)));
    }
  }
}

absl::Status BulkWriter::Failure() const {
  return Annotate(
      failed_,
      absl::StrCat("write into cache '", cache_, "' stopped after ", rows_written_, " of ",
                   rows_given_,
                   options_.overwrite
                       ? " rows were written (pages are acknowledged out of order: writing all "
                         "rows again is safe, a put overwrites)"
                       : " rows were written (pages are acknowledged out of order: writing all "
                         "rows again is safe, keys already present keep their values)"));
}

absl::Status BulkWriter::Enqueue(Destination& d) {
  absl::MutexLock lock(&mu_);
  // As many pages wait as the node has senders (the caller's thread alone adds senders).
  while (d.queue.size() >= d.senders.size() && failed_.ok() && !cancelled_) {
    changed_.Wait(&mu_);
  }
  if (!failed_.ok()) return Failure();
  if (cancelled_) return absl::CancelledError("the write was cancelled");
  d.queue.push_back(std::move(d.filling));
  d.filling = Page{};
  if (!free_pages_.empty()) {
    d.filling.entries = std::move(free_pages_.back());
    free_pages_.pop_back();
  }
  changed_.SignalAll();
  return absl::OkStatus();
}

absl::Status BulkWriter::Write(const RowSource& source, bool wait_for_references) {
  {
    absl::MutexLock lock(&mu_);
    if (!failed_.ok()) return Failure();
    if (finishing_ || cancelled_) {
      return absl::FailedPreconditionError("the writer was finished or cancelled");
    }
  }
  IGNITE_RETURN_IF_ERROR(encoder_.Validate(source));
  bool referenced = false;
  absl::Status status = Encode(source, &referenced);
  if (referenced && (wait_for_references || !status.ok())) {
    // Nothing may refer to the caller's buffers once this returns (nor after a failure, which
    // the caller answers by letting them go).
    absl::Status sent = SendReferenced();
    if (status.ok()) status = std::move(sent);
  }
  if (status.ok()) encoder_.Advance(source.rows);
  return status;
}

absl::Status BulkWriter::Encode(const RowSource& source, bool* referenced) {
  const size_t reserve = static_cast<size_t>(options_.batch_bytes) + (size_t{64} << 10);
  for (int64_t row = 0; row < source.rows; ++row) {
    key_.mutable_buffer().clear();
    encoder_.EncodeKey(source, row, key_);
    IGNITE_ASSIGN_OR_RETURN(Destination * d, Route(key_.buffer()));
    Page& page = d->filling;
    const size_t external_before = page.external.size();
    if (page.entries.buffer().capacity() < reserve && page.external.empty()) {
      page.entries.mutable_buffer().reserve(reserve);
    }
    page.entries.WriteBytes(key_.buffer());
    if (!options_.overwrite) page.key_ends.push_back(page.entries.size());
    encoder_.EncodeValue(source, row, page.entries, options_.overwrite ? &page.external : nullptr);
    for (size_t i = external_before; i < page.external.size(); ++i) {
      page.external_bytes += static_cast<int64_t>(page.external[i].size);
      *referenced = true;
    }
    ++page.count;
    const int64_t payload = encoder_.PayloadBytes(source, row, row + 1);
    page.payload += payload;
    if (!options_.overwrite) {
      page.ends.push_back(page.entries.size());
      page.payloads.push_back(payload);
    }
    ++rows_given_;
    if (page.count >= options_.batch_rows ||
        static_cast<int64_t>(page.entries.size()) + page.external_bytes >= options_.batch_bytes) {
      IGNITE_RETURN_IF_ERROR(Enqueue(*d));
    }
  }
  return absl::OkStatus();
}

absl::Status BulkWriter::SendReferenced() {
  absl::Status status;
  for (auto& [id, d] : destinations_) {
    if (d->filling.external.empty()) continue;
    if (absl::Status s = Enqueue(*d); !s.ok() && status.ok()) status = std::move(s);
  }
  absl::MutexLock lock(&mu_);
  auto settled = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (in_flight_ > 0) return false;
    // A stopped writer's senders take no more pages: the ones queued are never sent.
    if (!failed_.ok() || cancelled_) return true;
    for (const auto& [id, d] : destinations_) {
      if (!d->queue.empty()) return false;
    }
    return true;
  };
  mu_.Await(absl::Condition(&settled));
  if (!failed_.ok()) return Failure();
  return status;
}

void BulkWriter::StopSenders() {
  for (auto& [id, d] : destinations_) {
    for (std::thread& t : d->senders) {
      if (t.joinable()) t.join();
    }
  }
}

absl::Status BulkWriter::Finish() {
  for (auto& [id, d] : destinations_) {
    if (d->filling.count > 0) {
      if (absl::Status s = Enqueue(*d); !s.ok()) {
        Cancel();
        return s;
      }
    }
  }
  {
    absl::MutexLock lock(&mu_);
    finishing_ = true;
    changed_.SignalAll();
  }
  StopSenders();
  absl::MutexLock lock(&mu_);
  if (!failed_.ok()) return Failure();
  if (cancelled_) return absl::CancelledError("the write was cancelled");
  return absl::OkStatus();
}

void BulkWriter::Cancel() {
  {
    absl::MutexLock lock(&mu_);
    if (!finishing_) cancelled_ = true;
    finishing_ = true;
    for (auto& [id, d] : destinations_) d->queue.clear();
    changed_.SignalAll();
  }
  StopSenders();
}

int64_t BulkWriter::rows_present() const {
  absl::MutexLock lock(&mu_);
  return rows_present_;
}

int64_t BulkWriter::rows_written() const {
  absl::MutexLock lock(&mu_);
  return rows_written_;
}

int64_t BulkWriter::bytes_written() const {
  absl::MutexLock lock(&mu_);
  return bytes_written_;
}

int BulkWriter::connections() const {
  int n = 0;
  for (const auto& [id, d] : destinations_) n += static_cast<int>(d->senders.size());
  return n;
}

}  // namespace ignite_tf
