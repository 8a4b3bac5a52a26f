#include "core/client/sql_cursor.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/binary/decoder.h"
#include "core/binary/encoder.h"
#include "core/binary/ids.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"

namespace ignite_tf {
namespace {

std::string Describe(const std::string& sql) {
  constexpr size_t kMax = 120;
  return absl::StrCat("SQL query \"", sql.size() > kMax ? sql.substr(0, kMax) + "..." : sql, "\"");
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ReadSqlColumnNames(Reader& r) {
  std::vector<std::string> columns;
  IGNITE_ASSIGN_OR_RETURN(int32_t count, r.ReadLength(1, "column count"));
  columns.reserve(count);
  for (int32_t i = 0; i < count; ++i) {
    IGNITE_ASSIGN_OR_RETURN(uint8_t code, r.ReadUInt8());
    if (code != kString) return ProtocolError("SQL column name is not a string");
    IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(1, "column name"));
    IGNITE_ASSIGN_OR_RETURN(auto bytes, r.ReadBytes(n));
    columns.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  return columns;
}

absl::StatusOr<SqlFirstReply> ParseSqlFirstReply(FrameBytes frame, size_t body) {
  SqlFirstReply reply;
  Reader r(frame, body);
  IGNITE_ASSIGN_OR_RETURN(reply.cursor_id, r.ReadInt64());
  IGNITE_ASSIGN_OR_RETURN(reply.columns, ReadSqlColumnNames(r));
  const size_t rows_at = r.position();
  IGNITE_ASSIGN_OR_RETURN(reply.page, ParsePage(std::move(frame), rows_at, 0,
                                                std::max<size_t>(1, reply.columns.size())));
  return reply;
}

absl::StatusOr<std::vector<std::vector<Value>>> DecodeSqlRows(
    const Page& page, const std::vector<std::string>& columns, TypeResolver* types) {
  std::vector<std::vector<Value>> rows;
  rows.reserve(page.row_count);
  ValueDecoder decoder(types);
  size_t pos = page.rows_begin;
  absl::Span<const uint8_t> bytes = absl::MakeConstSpan(page.frame).subspan(0, page.rows_end);
  for (int32_t i = 0; i < page.row_count; ++i) {
    std::vector<Value> row;
    row.reserve(columns.size());
    for (const std::string& column : columns) {
      IGNITE_ASSIGN_OR_RETURN(Value v, decoder.Decode(bytes, &pos, column));
      row.push_back(std::move(v));
    }
    rows.push_back(std::move(row));
  }
  if (pos != page.rows_end) {
    return ProtocolError(absl::StrCat("SQL page has ", page.rows_end - pos,
                                      " unexpected bytes after its ", page.row_count, " rows"));
  }
  return rows;
}

absl::StatusOr<std::unique_ptr<SqlCursor>> SqlCursor::Open(std::shared_ptr<Connection> connection,
                                                           std::shared_ptr<TypeResolver> types,
                                                           const SqlQuery& query) {
  if (query.page_size <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be positive, got ", query.page_size));
  }
  // Encode the arguments first so a bad argument fails before anything is sent.
  Writer args;
  ValueEncoder encoder;
  for (size_t i = 0; i < query.args.size(); ++i) {
    IGNITE_RETURN_IF_ERROR(
        Annotate(encoder.Encode(query.args[i], args), absl::StrCat("SQL argument #", i + 1)));
  }
  if (!encoder.types().empty()) {
    return absl::InvalidArgumentError("SQL arguments must be scalars, strings or arrays");
  }
  std::unique_ptr<SqlCursor> cursor(new SqlCursor(connection, types, Describe(query.sql)));
  IGNITE_ASSIGN_OR_RETURN(
      Response response,
      connection->Call(
          OpCode::kQuerySqlFields,
          [&](Writer& w) {
            w.WriteInt32(query.cache_name.empty() ? 0 : JavaStringHash(query.cache_name));
            w.WriteUInt8(0);  // flags
            if (query.schema.empty()) {
              w.WriteNull();
            } else {
              w.WriteString(query.schema);
            }
            w.WriteInt32(query.page_size);
            w.WriteInt32(query.max_rows);
            w.WriteString(query.sql);
            w.WriteInt32(static_cast<int32_t>(query.args.size()));
            w.WriteBytes(args.buffer());
            w.WriteUInt8(0);  // statement type: any
            w.WriteBool(query.distributed_joins);
            w.WriteBool(query.local);
            w.WriteBool(false);  // replicated only
            w.WriteBool(false);  // enforce join order
            w.WriteBool(false);  // collocated
            w.WriteBool(query.lazy);
            w.WriteInt64(query.timeout_ms);
            w.WriteBool(true);  // include field names
          },
          Describe(query.sql)));
  IGNITE_ASSIGN_OR_RETURN(
      SqlFirstReply reply,
      connection->InContext(ParseSqlFirstReply(std::move(response.frame), response.body_offset),
                            Describe(query.sql)));
  cursor->columns_ = std::move(reply.columns);
  cursor->pages_.Start(reply.cursor_id, std::move(reply.page),
                       std::max<size_t>(1, cursor->columns_.size()));
  return cursor;
}

absl::StatusOr<std::vector<std::vector<Value>>> SqlCursor::DecodeRows(const Page& page) const {
  return DecodeSqlRows(page, columns_, types_.get());
}

absl::StatusOr<std::optional<std::vector<std::vector<Value>>>> SqlCursor::NextRows() {
  using Rows = std::vector<std::vector<Value>>;
  IGNITE_ASSIGN_OR_RETURN(std::optional<Page> page, NextPage());
  if (!page.has_value()) return std::optional<Rows>();
  absl::StatusOr<Rows> rows = connection_->InContext(DecodeRows(*page), description_);
  if (!rows.ok()) return rows.status();
  return std::optional<Rows>(std::move(*rows));
}

absl::StatusOr<SqlRows> SqlCursor::ReadAll(int32_t max_rows) {
  SqlRows result;
  result.columns = columns_;
  const size_t limit = max_rows > 0 ? static_cast<size_t>(max_rows) : SIZE_MAX;
  while (result.rows.size() < limit) {
    IGNITE_ASSIGN_OR_RETURN(std::optional<std::vector<std::vector<Value>>> page, NextRows());
    if (!page.has_value()) break;
    for (std::vector<Value>& row : *page) {
      if (result.rows.size() == limit) break;
      result.rows.push_back(std::move(row));
    }
  }
  return result;
}

}  // namespace ignite_tf
