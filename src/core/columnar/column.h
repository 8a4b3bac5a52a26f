// columnar/column.h: one column of a batch. Fixed-width values sit in `data`; strings and lists
// add `offsets` (int64, rows + 1); lists of strings add `string_offsets` per element.
#ifndef IGNITE_TF_CORE_COLUMNAR_COLUMN_H_
#define IGNITE_TF_CORE_COLUMNAR_COLUMN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/columnar/aligned_buffer.h"
#include "core/columnar/schema.h"

namespace ignite_tf {

struct Column {
  std::string path;
  ElementType element = ElementType::kInt64;
  bool is_list = false;
  int64_t length = 0;  // rows
  std::shared_ptr<AlignedBuffer> data = std::make_shared<AlignedBuffer>();
  std::shared_ptr<AlignedBuffer> offsets;         // lists and strings
  std::shared_ptr<AlignedBuffer> string_offsets;  // lists of strings
  // With masks on: one byte per row, 1 when the row had this value, 0 when it was null or absent
  // (and the column holds the default).
  std::shared_ptr<AlignedBuffer> valid;

  bool has_offsets() const { return is_list || element == ElementType::kString; }
  // Starts an empty column for `leaf`.
  static Column ForLeaf(const SchemaNode& leaf, const std::string& path);
};

struct Batch {
  int64_t num_rows = 0;
  std::vector<Column> columns;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_COLUMNAR_COLUMN_H_
