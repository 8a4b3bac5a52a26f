// client/scan_cursor.h: a scan query (OP_QUERY_SCAN) and its pages (OP_QUERY_SCAN_CURSOR_GET_PAGE).
// A cursor abandoned before its last page releases the server resource on destruction.
#ifndef IGNITE_TF_CORE_CLIENT_SCAN_CURSOR_H_
#define IGNITE_TF_CORE_CLIENT_SCAN_CURSOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/client/connection.h"
#include "core/common/blocks.h"

namespace ignite_tf {

struct ScanOptions {
  int32_t page_size = 1024;  // rows per page, > 0
  int32_t partition = -1;    // partition index; negative = whole cache
  bool local = false;        // only the entries of the node the connection reaches
};

// One page of rows as received: `row_count` (key, value) pairs in frame[rows_begin, rows_end).
struct Page {
  FrameBytes frame;
  size_t rows_begin = 0;
  size_t rows_end = 0;
  int32_t row_count = 0;
  bool more = false;
  absl::Span<const uint8_t> bytes() const { return frame; }
};

// Parses `int32 rowCount | rows | bool more` starting at `offset` of a reply frame. A row takes at
// least `min_row_bytes` (a scan row is a key and a value: 2; a SQL row one byte per column).
absl::StatusOr<Page> ParsePage(FrameBytes frame, size_t offset, int32_t max_rows,
                               size_t min_row_bytes = 2);
// The same over a copy of `bytes` (tests, benchmarks, fuzzers).
absl::StatusOr<Page> ParsePage(absl::Span<const uint8_t> bytes, size_t offset, int32_t max_rows,
                               size_t min_row_bytes = 2);

// The paging scan and SQL cursors share: the first page comes with the reply that opened the
// cursor, later ones from `get_page_op`; a cursor abandoned with pages left is closed on the
// server when this is destroyed.
class PageCursor {
 public:
  // `operation` names page requests in errors ("reading the next page of ..."), `context` names
  // malformed replies; pages hold at most `max_rows` rows (0: any number).
  PageCursor(std::shared_ptr<Connection> connection, OpCode get_page_op, std::string operation,
             std::string context, int32_t max_rows);
  ~PageCursor();

  // Rows of later pages take at least `min_row_bytes` bytes (see ParsePage).
  void Start(int64_t cursor_id, Page first_page, size_t min_row_bytes);
  // The next page, or nullopt after the last one.
  absl::StatusOr<std::optional<Page>> Next();
  const std::shared_ptr<Connection>& connection() const { return connection_; }

 private:
  std::shared_ptr<Connection> connection_;
  OpCode get_page_op_;
  std::string operation_;
  std::string context_;
  int32_t max_rows_;
  size_t min_row_bytes_ = 2;
  int64_t cursor_id_ = 0;
  std::optional<Page> first_page_;
  bool more_ = false;  // the server holds a cursor with pages left
  bool done_ = false;
};

class ScanCursor {
 public:
  static absl::StatusOr<std::unique_ptr<ScanCursor>> Open(std::shared_ptr<Connection> connection,
                                                          const std::string& cache_name,
                                                          const ScanOptions& options);

  // The next page, or nullopt after the last one.
  absl::StatusOr<std::optional<Page>> NextPage() { return pages_.Next(); }

  const std::string& cache_name() const { return cache_name_; }
  // The connection (and so the node) serving the scan.
  const std::shared_ptr<Connection>& connection() const { return pages_.connection(); }

 private:
  ScanCursor(std::shared_ptr<Connection> connection, std::string cache_name, int32_t page_size)
      : cache_name_(std::move(cache_name)),
        pages_(std::move(connection), OpCode::kQueryScanCursorGetPage,
               "reading the next page of the scan of cache '" + cache_name_ + "'",
               "next page of the scan of cache '" + cache_name_ + "'", page_size) {}

  std::string cache_name_;
  PageCursor pages_;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_CLIENT_SCAN_CURSOR_H_
