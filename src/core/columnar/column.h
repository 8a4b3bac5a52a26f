// columnar/column.h: one column of a batch. Fixed-width values sit in `data`; strings and lists
// add `offsets` (int64, rows + 1); lists of strings add `string_offsets` per element; lists of
// lists add `inner_offsets`, one buffer per further level (an Object[] of int[]: rows -> arrays in
// `offsets`, arrays -> ints in inner_offsets[0]).
//
// Large arrays of one-array-per-row columns may stay where they arrived (BatchBuilder's
// set_view_min_bytes): `views` say where each lies in a received frame (kept alive by `frames`)
// and where it belongs in `data`, whose bytes there are not written until FillViews.
#ifndef IGNITE_TF_CORE_COLUMNAR_COLUMN_H_
#define IGNITE_TF_CORE_COLUMNAR_COLUMN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/columnar/aligned_buffer.h"
#include "core/columnar/schema.h"
#include "core/common/blocks.h"

namespace ignite_tf {

struct Column {
  std::string path;
  ElementType element = ElementType::kInt64;
  bool is_list = false;
  int list_depth =
      0;  // levels of offsets: 0 for one value per row, 1 for lists, 2 for lists of lists
  int64_t length = 0;  // rows
  std::shared_ptr<AlignedBuffer> data = std::make_shared<AlignedBuffer>();
  std::shared_ptr<AlignedBuffer> offsets;         // lists and strings
  std::shared_ptr<AlignedBuffer> string_offsets;  // lists of strings
  // Lists of lists: inner_offsets[k - 1] maps the items of level k (k = 1 .. list_depth - 1) to
  // the items of level k + 1 (the values, or the strings, at the last level); each starts at 0
  // and has one more entry than its level has items.
  std::vector<std::shared_ptr<AlignedBuffer>> inner_offsets;
  // With masks on: one byte per row, 1 when the row had this value, 0 when it was null or absent
  // (and the column holds the default).
  std::shared_ptr<AlignedBuffer> valid;
  // Arrays left in the frames they arrived in, in row order: `data` has room for them at
  // `offset` but holds their bytes only after FillViews.
  struct FrameView {
    const uint8_t* bytes = nullptr;
    size_t offset = 0;  // in data, bytes
    size_t size = 0;    // bytes
  };
  std::vector<FrameView> views;
  std::vector<std::shared_ptr<const FrameBytes>> frames;  // what `views` point into

  // Copies the viewed arrays into `data` and lets the frames go.
  void FillViews();

  bool has_offsets() const { return is_list || element == ElementType::kString; }
  // The offsets of list level `level` (0: rows); only for level < list_depth.
  AlignedBuffer& ListOffsets(int level) {
    return level == 0 ? *offsets : *inner_offsets[static_cast<size_t>(level - 1)];
  }
  // Starts an empty column for `leaf`.
  static Column ForLeaf(const SchemaNode& leaf, const std::string& path);
};

struct Batch {
  int64_t num_rows = 0;
  std::vector<Column> columns;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_COLUMNAR_COLUMN_H_
