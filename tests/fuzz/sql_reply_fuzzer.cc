// sql_reply_fuzzer: the reply that opens a SQL fields query, through the production code that
// reads it (SqlCursor::Open, then BatchStream::OpenSql's schema learning and decoding).
//
// Input: the read options (batch_checks.h: no metadata, masks, decimals, timestamp unit, fields,
// given column types), then the reply body as the server sends it:
// `int64 cursorId | int32 columnCount | column names | int32 rowCount | rows | bool more`.
// Then: ParseSqlFirstReply (ReadSqlColumnNames, ParsePage); SqlSchemaLearner::Create with the
// given types; DecodeSqlRows + SqlSchemaLearner::Add when a column has no given type; Finish;
// SelectFields, ApplyColumnOptions; BatchBuilder::AppendSqlRows over the page.
// Invariants (a violation aborts):
//   - DecodeSqlRows returns rowCount rows of one value per column;
//   - the finished columns are consistent (batch_checks.h), one row per SQL row;
//   - the columnar decoder and the Value decoder agree: for every integer, boolean, double and
//     string column, each row's column value (and mask) is the value DecodeSqlRows read.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "batch_checks.h"
#include "core/binary/type_codes.h"
#include "core/client/sql_cursor.h"
#include "core/columnar/batch_builder.h"
#include "core/columnar/schema.h"
#include "fuzz_support.h"

namespace ignite_tf {
namespace {

template <typename T>
T At(const Column& c, size_t row) {
  T v;
  std::memcpy(&v, c.data->data() + row * sizeof(T), sizeof(T));
  return v;
}

// Column `c` (of leaf `leaf`, a SQL column read whole) against the Values of its query column.
void CompareWithValues(const Column& c, const SchemaNode& leaf,
                       const std::vector<std::vector<Value>>& rows, size_t column) {
  if (leaf.kind != NodeKind::kLeaf || leaf.list_depth != 0) return;
  for (size_t r = 0; r < rows.size(); ++r) {
    const Value& v = rows[r][column];
    if (c.valid != nullptr && c.valid->data()[r] != (v.is_null() ? 0 : 1)) {
      fuzz::Fail(c.path, "mask differs from the value's nullness");
    }
    if (!v.is_null() && v.code != leaf.type_code) continue;  // converted or refused: not compared
    const bool null = v.is_null();
    bool same = true;
    switch (leaf.type_code) {
      case kByte:
        same = At<uint8_t>(c, r) == (null ? 0 : static_cast<uint8_t>(v.integer));
        break;
      case kShort:
        same = At<int16_t>(c, r) == (null ? 0 : static_cast<int16_t>(v.integer));
        break;
      case kInt:
        same = At<int32_t>(c, r) == (null ? 0 : static_cast<int32_t>(v.integer));
        break;
      case kLong:
        same = At<int64_t>(c, r) == (null ? 0 : v.integer);
        break;
      case kBool:
        same = At<uint8_t>(c, r) == (null ? 0 : (v.integer != 0 ? 1 : 0));
        break;
      case kDouble: {
        const double d = At<double>(c, r);
        same = null ? d == 0 : (std::isnan(v.real) ? std::isnan(d) : d == v.real);
        break;
      }
      case kString: {
        const auto* o = reinterpret_cast<const int64_t*>(c.offsets->data());
        const std::string text(reinterpret_cast<const char*>(c.data->data()) + o[r],
                               static_cast<size_t>(o[r + 1] - o[r]));
        same = text == (null ? std::string() : v.text);
        break;
      }
      default:
        return;
    }
    if (!same) fuzz::Fail(c.path, "column value differs from the decoded Value");
  }
}

int ReadReply(const uint8_t* data, size_t size) {
  fuzz::StageReport stage;
  fuzz::ReadOptions options;
  size_t at = 0;
  if (!fuzz::ParseReadOptions(data, size, &at, &options)) return 0;
  stage.set_fields(options.fields.size());
  stage.Reach("options-read");
  std::shared_ptr<TypeResolver> types =
      options.no_metadata ? std::make_shared<fuzz::StaticTypeResolver>() : fuzz::KnownTypes();

  // SqlCursor::Open
  absl::StatusOr<SqlFirstReply> reply = ParseSqlFirstReply(FrameBytes(data + at, data + size), 0);
  if (!reply.ok()) return 0;
  const Page& page = reply->page;
  if (page.rows_begin > page.rows_end || page.rows_end > page.frame.size()) {
    fuzz::Fail("reply", "page bounds outside the frame");
  }
  stage.Reach("reply-parsed");

  // BatchStream::OpenSql, LearnSqlSchema
  absl::StatusOr<SqlSchemaLearner> learner =
      SqlSchemaLearner::Create(reply->columns, options.column_types, types.get());
  if (!learner.ok()) return 0;
  absl::StatusOr<std::vector<std::vector<Value>>> rows =
      DecodeSqlRows(page, reply->columns, types.get());
  if (rows.ok()) {
    if (rows->size() != static_cast<size_t>(page.row_count)) fuzz::Fail("rows", "row count");
    for (const auto& row : *rows) {
      if (row.size() != reply->columns.size()) fuzz::Fail("rows", "values per row");
    }
    stage.Reach("rows-decoded");
  }
  if (page.row_count == 0) return 0;  // BatchStream::Produce passes over empty pages
  if (!learner->complete()) {
    if (!rows.ok()) return 0;
    if (!learner->Add(*rows).ok()) return 0;
  }
  absl::StatusOr<RowSchema> learnt = learner->Finish("the fuzzer's page");
  if (!learnt.ok()) return 0;
  stage.Reach("schema-learnt");

  // BatchStream::StartBuilder, Produce
  absl::StatusOr<RowSchema> schema = SelectFields(*learnt, options.fields);
  if (!schema.ok()) return 0;
  if (!options.fields.empty()) stage.Reach("fields-selected");
  ApplyColumnOptions(options.decimals, options.timestamp_unit, &*schema);
  BatchBuilder builder(*schema, types, options.masks);
  builder.set_skip_mismatched(options.skip_mismatched);
  absl::Status status = builder.AppendSqlRows(page.bytes(), page.rows_begin, page.rows_end,
                                              page.row_count, /*first_row=*/0);
  if (!status.ok()) return 0;
  stage.Reach("rows-appended");
  Batch batch = builder.Finish();
  if (batch.num_rows != page.row_count) fuzz::Fail("batch", "rows are not the page's rows");
  fuzz::CheckBatch(batch, builder.schema(), options.masks);
  if (rows.ok()) {
    for (size_t i = 0; i < batch.columns.size(); ++i) {
      const SchemaNode& leaf = *builder.schema().leaves[i];
      for (size_t c = 0; c < reply->columns.size(); ++c) {
        if (reply->columns[c] == leaf.path) CompareWithValues(batch.columns[i], leaf, *rows, c);
      }
    }
  }
  stage.Reach("columns-checked");
  return 0;
}

}  // namespace
}  // namespace ignite_tf

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ignite_tf::fuzz::LoadKnownTypes();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ignite_tf::ReadReply(data, size);
}
