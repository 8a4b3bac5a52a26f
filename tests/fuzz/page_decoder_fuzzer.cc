// page_decoder_fuzzer: a scan page as the client receives it, through everything that reads it.
//
// Input: the read options (batch_checks.h: page size cap, no metadata, masks, skip_mismatched,
// decimals, timestamp unit, fields), then the page (`int32 rowCount | rows | bool more`).
// Then what BatchStream does with a scan's first page: ParsePage; ValueDecoder on the first row
// (the value decoded for the selected fields only) + InferSchema with the fields; SelectFields
// and ApplyColumnOptions; BatchBuilder (masks, skip_mismatched) over every row.
// Invariants (a violation aborts):
//   - the finished columns are consistent (batch_checks.h), one per schema leaf, with masks
//     exactly when asked, and rows kept + rows skipped = the page's rows;
//   - reading only some fields gives, for those fields, the same columns byte for byte as
//     reading every field (when both reads succeed and skip nothing);
//   - ValueDecoder::Decode and SkipValue agree on where every value ends.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "batch_checks.h"
#include "core/binary/decoder.h"
#include "core/client/scan_cursor.h"
#include "core/columnar/batch_builder.h"
#include "core/columnar/schema.h"
#include "fuzz_support.h"

namespace ignite_tf {
namespace {

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

struct Read {
  RowSchema schema;
  Batch batch;
  int64_t skipped = 0;
};

// BatchStream::Produce and StartBuilder on a scan's first page, without a given schema.
std::optional<Read> ReadPage(const Page& page, const fuzz::ReadOptions& options,
                             const std::shared_ptr<TypeResolver>& types, fuzz::StageReport* stage) {
  ValueDecoder decoder(types.get());
  size_t pos = page.rows_begin;
  absl::StatusOr<Value> key = decoder.Decode(page.bytes(), &pos, "key");
  if (!key.ok()) return std::nullopt;
  absl::StatusOr<Value> value = decoder.Decode(page.bytes(), &pos, "val", &options.fields);
  if (!value.ok()) return std::nullopt;
  stage->Reach("first-row-decoded");
  absl::StatusOr<RowSchema> inferred = InferSchema(*key, *value, types.get(), options.fields);
  if (!inferred.ok()) return std::nullopt;
  stage->Reach("schema-inferred");
  absl::StatusOr<RowSchema> schema = SelectFields(*inferred, options.fields);
  if (!schema.ok()) return std::nullopt;
  if (!options.fields.empty()) stage->Reach("fields-selected");
  ApplyColumnOptions(options.decimals, options.timestamp_unit, &*schema);
  BatchBuilder builder(*schema, types, options.masks);
  builder.set_skip_mismatched(options.skip_mismatched);
  absl::Status status = builder.AppendRows(page.bytes(), page.rows_begin, page.rows_end,
                                           page.row_count, /*first_row=*/0);
  if (!status.ok()) return std::nullopt;
  stage->Reach("rows-appended");
  Read read;
  read.skipped = builder.skipped_rows();
  read.batch = builder.Finish();
  if (!options.skip_mismatched && read.skipped != 0) fuzz::Fail("page", "rows skipped unasked");
  if (read.batch.num_rows + read.skipped != page.row_count) {
    fuzz::Fail("page", "rows kept + rows skipped is not the page's row count");
  }
  fuzz::CheckBatch(read.batch, builder.schema(), options.masks);
  read.schema = builder.schema();
  stage->Reach("columns-checked");
  return read;
}

// The selected fields' columns equal the same columns of a read of every field.
void CompareWithWholeRead(const Page& page, const fuzz::ReadOptions& options, const Read& selected,
                          const std::shared_ptr<TypeResolver>& types) {
  if (selected.skipped != 0) return;
  fuzz::ReadOptions all = options;
  all.fields.clear();
  fuzz::StageReport quiet_stage(/*report=*/false);  // not this input's stage
  std::optional<Read> whole = ReadPage(page, all, types, &quiet_stage);
  if (!whole.has_value() || whole->skipped != 0) return;
  for (const Column& c : selected.batch.columns) {
    const Column* same = nullptr;
    for (const Column& w : whole->batch.columns) {
      if (w.path == c.path) same = &w;
    }
    if (same == nullptr) fuzz::Fail(c.path, "a selected column the whole read does not have");
    if (!fuzz::SameColumn(c, *same)) fuzz::Fail(c.path, "selected column differs from whole read");
  }
}

}  // namespace
}  // namespace ignite_tf

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ignite_tf::fuzz::LoadKnownTypes();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ignite_tf;
  fuzz::StageReport stage;
  fuzz::ReadOptions options;
  size_t at = 0;
  if (!fuzz::ParseReadOptions(data, size, &at, &options)) return 0;
  stage.set_fields(options.fields.size());
  stage.Reach("options-read");
  std::shared_ptr<TypeResolver> types =
      options.no_metadata ? std::make_shared<fuzz::StaticTypeResolver>() : fuzz::KnownTypes();

  std::vector<uint8_t> frame(data + at, data + size);
  DecodeAndSkip(frame, 0, types.get());

  absl::StatusOr<Page> page = ParsePage(std::move(frame), 0, options.cap_rows ? 1024 : 0);
  if (!page.ok()) return 0;
  if (page->rows_begin > page->rows_end || page->rows_end > page->frame.size()) std::abort();
  DecodeAndSkip(page->bytes(), page->rows_begin, types.get());
  stage.Reach("page-parsed");
  if (page->row_count == 0) return 0;

  std::optional<Read> read = ReadPage(*page, options, types, &stage);
  if (read.has_value() && !options.fields.empty()) {
    CompareWithWholeRead(*page, options, *read, types);
  }
  return 0;
}
