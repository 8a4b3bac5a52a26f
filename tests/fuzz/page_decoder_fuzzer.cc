// page_decoder_fuzzer: a scan page as the client receives it, through everything that reads it.
//
// Input: one options byte, then the page (`int32 rowCount | rows | bool more`).
//   bit 0: enforce a page size of 1024 rows in ParsePage (as a cursor does)
//   bit 1: decode without any type metadata (a registry that knows nothing)
//   bit 2: keep only the value's first field (field selection)
//   bit 3: a SQL fields page of 1 + (bits 4-6) columns
//   bit 7: decimals as exact text and timestamps in microseconds (ApplyColumnOptions)
// Then: ParsePage; ValueDecoder on the first row + InferSchema (+ SelectFields); BatchBuilder over
// every row, checking that the finished columns are consistent (what the Python layer trusts);
// and ValueDecoder::Decode / SkipValue over the raw bytes, which must agree on where a value ends.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "core/binary/decoder.h"
#include "core/client/scan_cursor.h"
#include "core/columnar/batch_builder.h"
#include "core/columnar/schema.h"
#include "fuzz_support.h"

namespace ignite_tf {
namespace {

std::shared_ptr<fuzz::StaticTypeResolver>& KnownTypes() {
  static auto* types = new std::shared_ptr<fuzz::StaticTypeResolver>();
  return *types;
}

[[noreturn]] void Fail(const Column& c, const char* what) {
  std::fprintf(stderr, "inconsistent column %s: %s\n", c.path.c_str(), what);
  std::abort();
}

// The invariants python/columns.cc relies on when it adopts the buffers.
void CheckColumn(const Column& c, int64_t rows) {
  const size_t width = ElementSize(c.element);
  auto offsets_ok = [](const AlignedBuffer& b, size_t count, int64_t last) {
    if (b.size() != count * sizeof(int64_t)) return false;
    const auto* o = reinterpret_cast<const int64_t*>(b.data());
    if (o[0] != 0) return false;
    for (size_t i = 1; i < count; ++i) {
      if (o[i] < o[i - 1]) return false;
    }
    return last < 0 || o[count - 1] == last;
  };
  const size_t n = static_cast<size_t>(rows);
  if (c.is_list != (c.list_depth > 0)) Fail(c, "is_list and list_depth disagree");
  if (c.inner_offsets.size() != static_cast<size_t>(c.list_depth > 1 ? c.list_depth - 1 : 0))
    Fail(c, "inner offsets per level");
  if (!c.is_list && c.element != ElementType::kString) {
    if (c.data->size() != n * width) Fail(c, "fixed-width data size");
    return;
  }
  if (c.offsets == nullptr) Fail(c, "no offsets");
  if (!c.is_list) {  // strings
    if (!offsets_ok(*c.offsets, n + 1, static_cast<int64_t>(c.data->size())))
      Fail(c, "string offsets");
    return;
  }
  // Each level's offsets: one more than the items of the level above, ending at the next
  // level's item count.
  size_t count = n + 1;
  for (int level = 0; level < c.list_depth; ++level) {
    const AlignedBuffer& b = level == 0 ? *c.offsets : *c.inner_offsets[level - 1];
    if (b.size() == 0 || !offsets_ok(b, count, -1)) Fail(c, "list offsets of a level");
    count = static_cast<size_t>(reinterpret_cast<const int64_t*>(b.data())[count - 1]) + 1;
  }
  const int64_t elements = static_cast<int64_t>(count) - 1;
  if (c.element == ElementType::kString) {
    if (c.string_offsets == nullptr) Fail(c, "no string offsets");
    if (!offsets_ok(*c.string_offsets, count, static_cast<int64_t>(c.data->size())))
      Fail(c, "element offsets");
    return;
  }
  if (c.data->size() != static_cast<size_t>(elements) * width) Fail(c, "list offsets");
}

// Decode and SkipValue must agree: a value that decodes has the same end when skipped.
void DecodeAndSkip(absl::Span<const uint8_t> bytes, size_t pos, TypeResolver* types) {
  ValueDecoder decoder(types);
  for (int i = 0; i < 64 && pos < bytes.size(); ++i) {
    size_t end = pos;
    absl::StatusOr<Value> value = decoder.Decode(bytes, &end, "fuzz");
    absl::StatusOr<size_t> skipped = SkipValue(bytes, pos, "fuzz");
    if (!value.ok()) return;
    if (!skipped.ok() || *skipped != end) {
      std::fprintf(
          stderr, "Decode ends at %zu but SkipValue says %s at position %zu\n", end,
          skipped.ok() ? std::to_string(*skipped).c_str() : skipped.status().ToString().c_str(),
          pos);
      std::abort();
    }
    if (end <= pos) return;
    pos = end;
  }
}

// A SQL page: the first page's rows as Values (as SqlCursor::DecodeRows does) to infer the schema,
// then the columnar builder over every row.
int DecodeSql(const Page& page, size_t column_count, const std::shared_ptr<TypeResolver>& types,
              bool exact) {
  std::vector<std::string> columns;
  for (size_t c = 0; c < column_count; ++c) columns.push_back("C" + std::to_string(c));
  ValueDecoder decoder(types.get());
  std::vector<std::vector<Value>> rows;
  size_t pos = page.rows_begin;
  for (int32_t r = 0; r < page.row_count && r < 64; ++r) {
    std::vector<Value> row;
    for (size_t c = 0; c < column_count; ++c) {
      absl::StatusOr<Value> v = decoder.Decode(page.bytes(), &pos, columns[c]);
      if (!v.ok()) return 0;
      row.push_back(std::move(*v));
    }
    rows.push_back(std::move(row));
  }
  absl::StatusOr<RowSchema> schema = InferSqlSchema(columns, rows, types.get());
  if (!schema.ok()) return 0;
  if (exact) ApplyColumnOptions(DecimalMode::kString, TimestampUnit::kMicroseconds, &*schema);
  BatchBuilder builder(*schema, types);
  absl::Status status = builder.AppendSqlRows(page.bytes(), page.rows_begin, page.rows_end,
                                              page.row_count, /*first_row=*/0);
  if (!status.ok()) return 0;
  Batch batch = builder.Finish();
  if (batch.num_rows != page.row_count) std::abort();
  for (const Column& c : batch.columns) CheckColumn(c, batch.num_rows);
  return 0;
}

}  // namespace
}  // namespace ignite_tf

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace ignite_tf;
  auto types = std::make_shared<fuzz::StaticTypeResolver>();
  for (BinaryType& t : fuzz::LoadTypes(fuzz::TypesPath())) types->Add(std::move(t));
  KnownTypes() = types;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ignite_tf;
  if (size < 1) return 0;
  const uint8_t options = data[0];
  const bool cap_rows = (options & 1) != 0;
  const bool no_metadata = (options & 2) != 0;
  const bool select_first = (options & 4) != 0;
  // bit 3: a SQL fields page of 1 + (bits 4-6) columns, through InferSqlSchema and AppendSqlRows
  const bool sql = (options & 8) != 0;
  const size_t sql_columns = 1 + ((options >> 4) & 7);
  const bool exact = (options & 0x80) != 0;
  std::shared_ptr<TypeResolver> types =
      no_metadata ? std::make_shared<fuzz::StaticTypeResolver>() : KnownTypes();

  std::vector<uint8_t> frame(data + 1, data + size);
  DecodeAndSkip(frame, 0, types.get());

  absl::StatusOr<Page> page = ParsePage(std::move(frame), 0, cap_rows ? 1024 : 0);
  if (!page.ok()) return 0;
  if (page->rows_begin > page->rows_end || page->rows_end > page->frame.size()) std::abort();
  DecodeAndSkip(page->bytes(), page->rows_begin, types.get());
  if (page->row_count == 0) return 0;
  if (sql) return DecodeSql(*page, sql_columns, types, exact);

  ValueDecoder decoder(types.get());
  size_t pos = page->rows_begin;
  absl::StatusOr<Value> key = decoder.Decode(page->bytes(), &pos, "key");
  if (!key.ok()) return 0;
  absl::StatusOr<Value> value = decoder.Decode(page->bytes(), &pos, "val");
  if (!value.ok()) return 0;
  absl::StatusOr<RowSchema> schema = InferSchema(*key, *value, types.get());
  if (!schema.ok()) return 0;
  if (select_first && !schema->value.children.empty()) {
    schema = SelectFields(*schema, {schema->value.children.front().name});
    if (!schema.ok()) return 0;
  }
  if (exact) ApplyColumnOptions(DecimalMode::kString, TimestampUnit::kMicroseconds, &*schema);

  BatchBuilder builder(*schema, types);
  absl::Status status = builder.AppendRows(page->bytes(), page->rows_begin, page->rows_end,
                                           page->row_count, /*first_row=*/0);
  if (!status.ok()) return 0;
  Batch batch = builder.Finish();
  if (batch.num_rows != page->row_count) std::abort();
  for (const Column& c : batch.columns) CheckColumn(c, batch.num_rows);
  return 0;
}
