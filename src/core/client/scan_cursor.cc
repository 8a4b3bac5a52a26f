#include "core/client/scan_cursor.h"

#include "absl/strings/str_cat.h"
#include "core/binary/ids.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"

namespace ignite_tf {

absl::StatusOr<Page> ParsePage(absl::Span<const uint8_t> bytes, size_t offset, int32_t max_rows,
                               size_t min_row_bytes) {
  return ParsePage(FrameBytes(bytes.begin(), bytes.end()), offset, max_rows, min_row_bytes);
}

absl::StatusOr<Page> ParsePage(FrameBytes frame, size_t offset, int32_t max_rows,
                               size_t min_row_bytes) {
  Reader r(frame, offset);
  IGNITE_ASSIGN_OR_RETURN(int32_t rows, r.ReadInt32());
  // The trailing `more` flag takes one more byte.
  if (rows < 0 || (max_rows > 0 && rows > max_rows) ||
      static_cast<uint64_t>(rows) * min_row_bytes + 1 > r.remaining()) {
    return ProtocolError(
        absl::StrCat("page claims ", rows, " rows in ", r.remaining(), " bytes",
                     max_rows > 0 ? absl::StrCat(" (page size ", max_rows, ")") : std::string()));
  }
  Page page;
  page.rows_begin = r.position();
  page.rows_end = frame.size() - 1;
  page.row_count = rows;
  page.more = frame.back() != 0;
  page.frame = std::move(frame);
  return page;
}

absl::StatusOr<std::unique_ptr<ScanCursor>> ScanCursor::Open(std::shared_ptr<Connection> connection,
                                                             const std::string& cache_name,
                                                             const ScanOptions& options) {
  if (options.page_size <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be positive, got ", options.page_size));
  }
  std::unique_ptr<ScanCursor> cursor(new ScanCursor(connection, cache_name, options.page_size));
  IGNITE_ASSIGN_OR_RETURN(Response response, connection->Call(
                                                 OpCode::kQueryScan,
                                                 [&](Writer& w) {
                                                   w.WriteInt32(JavaStringHash(cache_name));
                                                   w.WriteUInt8(0x01);  // keep binary
                                                   w.WriteNull();       // no filter
                                                   w.WriteInt32(options.page_size);
                                                   w.WriteInt32(options.partition);
                                                   w.WriteBool(options.local);
                                                 },
                                                 absl::StrCat("scan of cache '", cache_name, "'")));
  Reader r = response.body();
  const std::string operation = absl::StrCat("scan of cache '", cache_name, "'");
  IGNITE_ASSIGN_OR_RETURN(int64_t cursor_id, connection->InContext(r.ReadInt64(), operation));
  IGNITE_ASSIGN_OR_RETURN(
      Page page,
      connection->InContext(ParsePage(std::move(response.frame), r.position(), options.page_size),
                            operation));
  cursor->pages_.Start(cursor_id, std::move(page), 2);
  return cursor;
}

PageCursor::PageCursor(std::shared_ptr<Connection> connection, OpCode get_page_op,
                       std::string operation, std::string context, int32_t max_rows)
    : connection_(std::move(connection)),
      get_page_op_(get_page_op),
      operation_(std::move(operation)),
      context_(std::move(context)),
      max_rows_(max_rows) {}

void PageCursor::Start(int64_t cursor_id, Page first_page, size_t min_row_bytes) {
  cursor_id_ = cursor_id;
  min_row_bytes_ = min_row_bytes;
  more_ = first_page.more;
  first_page_ = std::move(first_page);
}

absl::StatusOr<std::optional<Page>> PageCursor::Next() {
  if (first_page_.has_value()) {
    std::optional<Page> page = std::move(first_page_);
    first_page_.reset();
    return page;
  }
  if (done_ || !more_) {
    done_ = true;
    return std::optional<Page>();
  }
  absl::StatusOr<Response> response = connection_->Call(
      get_page_op_, [&](Writer& w) { w.WriteInt64(cursor_id_); }, operation_);
  absl::StatusOr<Page> page =
      response.ok()
          ? connection_->InContext(ParsePage(std::move(response->frame), response->body_offset,
                                             max_rows_, min_row_bytes_),
                                   context_)
          : absl::StatusOr<Page>(response.status());
  if (!page.ok()) {
    done_ = true;
    more_ = false;
    return page.status();
  }
  more_ = page->more;
  return std::optional<Page>(std::move(*page));
}

PageCursor::~PageCursor() {
  if (more_ && !connection_->broken()) {
    // Abandoned early: free the server-side cursor so it does not count against the limit.
    (void)connection_->Call(
        OpCode::kResourceClose, [&](Writer& w) { w.WriteInt64(cursor_id_); }, "closing a cursor");
  }
}

}  // namespace ignite_tf
