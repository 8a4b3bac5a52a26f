// columnar/batch_builder.h: decodes pages of (key, value) rows straight from the received bytes
// into the columns of a RowSchema; no per-row objects. Fields are found through each object's
// footer with a per-(type, schema) plan computed once.
#ifndef IGNITE_TF_CORE_COLUMNAR_BATCH_BUILDER_H_
#define IGNITE_TF_CORE_COLUMNAR_BATCH_BUILDER_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/binary/binary_type.h"
#include "core/binary/object_layout.h"
#include "core/columnar/column.h"
#include "core/columnar/schema.h"

namespace ignite_tf {

class BatchBuilder {
 public:
  // `masks`: give every column a validity buffer (Column::valid).
  BatchBuilder(RowSchema schema, std::shared_ptr<TypeResolver> types, bool masks = false);

  // Appends `rows` (key, value) pairs that start at `begin` in `buffer`, stopping at `end`.
  // `first_row` numbers rows in errors. On error the batch is left unusable.
  absl::Status AppendRows(absl::Span<const uint8_t> buffer, size_t begin, size_t end, int32_t rows,
                          int64_t first_row);

  // Appends SQL result rows: one value per column of schema().sql_columns, in query order.
  absl::Status AppendSqlRows(absl::Span<const uint8_t> buffer, size_t begin, size_t end,
                             int32_t rows, int64_t first_row);

  // Arrays of at least `bytes` (0: none) in columns of one array per row are not copied while
  // the rows are appended from `frame` (set_frame): the column keeps the frame and where each
  // lies in it (Column::views), and copies them only when asked (Column::FillViews).
  void set_view_min_bytes(size_t bytes) { view_min_bytes_ = bytes; }
  // The frame the next AppendRows reads from (null: copy every array).
  void set_frame(std::shared_ptr<const FrameBytes> frame) { frame_ = std::move(frame); }

  // Rows whose structure does not fit the schema are left out (and counted) instead of failing.
  void set_skip_mismatched(bool skip) { skip_mismatched_ = skip; }
  int64_t skipped_rows() const { return skipped_rows_; }

  int64_t num_rows() const { return num_rows_; }
  // Hands out the columns built so far and starts a new batch.
  Batch Finish();
  const RowSchema& schema() const { return schema_; }

 private:
  static constexpr int kRawSection = -2;
  struct Plan {
    // Per child of the struct node: footer entry, -1 (not in this schema) or kRawSection.
    std::vector<int> footer_index;
    size_t field_count = 0;  // footer entries the schema promises
  };

  // `level`: how many lists the value sits in (0: a whole row's value); from node.outer_lists
  // (the node's whole value: a container when it opens lists of its own) to node.list_depth (one
  // element of its innermost list).
  absl::Status DecodeNode(const SchemaNode& node, absl::Span<const uint8_t> buffer, size_t pos,
                          int depth, int level = 0);
  absl::Status DecodeStruct(const SchemaNode& node, absl::Span<const uint8_t> buffer, size_t pos,
                            int depth, int level);
  // A value that opens list `level` of `node`: an object array, collection, map or enum array
  // whose elements are decoded at level + 1, or a typed array (DecodeArray).
  absl::Status DecodeList(const SchemaNode& node, absl::Span<const uint8_t> buffer, size_t pos,
                          int depth, int level, uint8_t code);
  absl::Status DecodeArray(const SchemaNode& node, absl::Span<const uint8_t> buffer, size_t pos,
                           int depth, int level, uint8_t code);
  absl::Status DecodeEnum(const SchemaNode& node, absl::Span<const uint8_t> buffer, size_t pos);
  // Appends the value at `pos` when `node` stores it as sent (SchemaNode::copy_size) and it has
  // the node's type code and fits in `buffer`; false, having appended nothing, otherwise.
  bool AppendCopy(const SchemaNode& node, absl::Span<const uint8_t> buffer, size_t pos);
  absl::Status DecodeScalar(const SchemaNode& node, absl::Span<const uint8_t> buffer, size_t pos,
                            uint8_t code);
  std::string_view EnumName(int32_t type_id, int32_t ordinal);
  void AppendString(const SchemaNode& leaf, std::string_view text);
  void AdvanceString(const SchemaNode& leaf, Column& column);
  void AppendFixed(const SchemaNode& leaf, const void* value);
  // A null or absent value of `node` at `level`: lists it would open are empty, elements 0 or "";
  // at level 0 the masks say it was missing.
  void AppendDefault(const SchemaNode& node, int level);
  void AppendEmpty(const SchemaNode& node, int level);
  // Ends the current item of list `level` in `leaf`'s column: pushes the count of items of the
  // next level so far.
  void PushListOffset(const SchemaNode& leaf, Column& column, int level);
  // Closes the current list of level `level` of every leaf under `node`.
  void CloseLists(const SchemaNode& node, int level);
  absl::StatusOr<const Plan*> PlanFor(const SchemaNode& node, absl::Span<const uint8_t> buffer,
                                      const ObjectLayout& layout, Plan* scratch);
  absl::Status Mismatch(const SchemaNode& node, absl::string_view what) const;
  void ResetColumns();
  void MarkAbsent(const SchemaNode& node);
  void FinishRowMasks();
  // Sizes of every buffer of every column, to undo a partly appended row.
  std::vector<size_t> Snapshot() const;
  void Restore(const std::vector<size_t>& sizes);
  std::string DescribeKey(absl::Span<const uint8_t> page, size_t pos) const;

  RowSchema schema_;
  std::vector<const SchemaNode*> sql_columns_;  // by query column index
  std::shared_ptr<TypeResolver> types_;
  std::vector<Column> columns_;
  int64_t num_rows_ = 0;
  bool masks_ = false;
  bool skip_mismatched_ = false;
  size_t view_min_bytes_ = 0;
  std::shared_ptr<const FrameBytes> frame_;
  int64_t skipped_rows_ = 0;
  int64_t current_row_ = 0;
  // (struct node, type id, schema id) -> plan, for compact footers. A node map: DecodeStruct keeps
  // a pointer to its plan while nested objects add theirs, so plans must not move on rehash.
  absl::node_hash_map<std::tuple<const SchemaNode*, int32_t, int32_t>, Plan> plans_;
  // Per struct node (SchemaNode::struct_index): the plan its last object used, which the next
  // object of the same type and schema takes without a lookup in plans_.
  struct LastPlan {
    int32_t type_id = 0;
    int32_t schema_id = 0;
    const Plan* plan = nullptr;  // into plans_
  };
  std::vector<LastPlan> last_plans_;
  // enum type id -> ordinal -> constant name
  absl::flat_hash_map<int32_t, absl::flat_hash_map<int32_t, std::string>> enum_names_;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_COLUMNAR_BATCH_BUILDER_H_
