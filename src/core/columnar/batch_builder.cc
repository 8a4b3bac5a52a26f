#include "core/columnar/batch_builder.h"

#include "absl/strings/str_cat.h"
#include "core/binary/decoder.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"
#include "core/wire/reader.h"

namespace ignite_tf {
namespace {

absl::Status Truncated(const SchemaNode& node, size_t pos) {
  return ProtocolError(
      absl::StrCat(node.path, ": value at offset ", pos, " runs past the end of the message"));
}

}  // namespace

BatchBuilder::BatchBuilder(RowSchema schema, std::shared_ptr<TypeResolver> types)
    : schema_(std::move(schema)), types_(std::move(types)) {
  ResetColumns();
}

void BatchBuilder::ResetColumns() {
  columns_.clear();
  columns_.reserve(schema_.leaves.size());
  for (size_t i = 0; i < schema_.leaves.size(); ++i) {
    columns_.push_back(Column::ForLeaf(*schema_.leaves[i], schema_.column_paths[i]));
  }
  num_rows_ = 0;
}

Batch BatchBuilder::Finish() {
  Batch batch;
  batch.num_rows = num_rows_;
  for (Column& c : columns_) c.length = num_rows_;
  batch.columns = std::move(columns_);
  ResetColumns();
  return batch;
}

absl::Status BatchBuilder::AppendRows(absl::Span<const uint8_t> buffer, size_t begin, size_t end,
                                      int32_t rows, int64_t first_row) {
  absl::Span<const uint8_t> page = buffer.subspan(0, end);
  size_t pos = begin;
  for (int32_t i = 0; i < rows; ++i) {
    current_row_ = first_row + i;
    auto row_error = [&](const absl::Status& s) {
      return Annotate(s, absl::StrCat("row ", current_row_));
    };
    if (absl::Status s = DecodeNode(schema_.key, page, pos, 0); !s.ok()) return row_error(s);
    absl::StatusOr<size_t> key_end = SkipValue(page, pos, "key");
    if (!key_end.ok()) return row_error(key_end.status());
    pos = *key_end;
    if (absl::Status s = DecodeNode(schema_.value, page, pos, 0); !s.ok()) return row_error(s);
    absl::StatusOr<size_t> value_end = SkipValue(page, pos, "val");
    if (!value_end.ok()) return row_error(value_end.status());
    pos = *value_end;
    ++num_rows_;
  }
  if (pos != end) {
    return ProtocolError(
        absl::StrCat("page has ", end - pos, " unexpected bytes after its ", rows, " rows"));
  }
  return absl::OkStatus();
}

absl::Status BatchBuilder::Mismatch(const SchemaNode& node, absl::string_view what) const {
  return SchemaError(absl::StrCat(
      node.path, " holds ", what, " but held ",
      node.is_struct ? std::string("an object") : absl::StrCat("a ", TypeCodeName(node.type_code)),
      " in the first row; every row of the cache must share one structure"));
}

absl::Status BatchBuilder::DecodeNode(const SchemaNode& node, absl::Span<const uint8_t> buffer,
                                      size_t pos, int depth) {
  if (depth > kMaxNestingDepth) {
    return ProtocolError(absl::StrCat(node.path, ": nesting deeper than ", kMaxNestingDepth,
                                      " levels (or a cycle of handles)"));
  }
  if (pos >= buffer.size()) return Truncated(node, pos);
  const uint8_t code = buffer[pos];
  switch (code) {
    case kNull:
      AppendDefault(node);
      return absl::OkStatus();
    case kHandle: {
      if (buffer.size() - pos < 5) return Truncated(node, pos);
      int32_t offset = LoadUnaligned<int32_t>(buffer.data() + pos + 1);
      if (offset <= 0 || static_cast<size_t>(offset) > pos) {
        return ProtocolError(absl::StrCat(node.path, ": handle offset ", offset, " at offset ", pos,
                                          " points outside the enclosing object"));
      }
      return DecodeNode(node, buffer, pos - offset, depth + 1);
    }
    case kWrappedObject: {
      Reader r(buffer, pos + 1);
      absl::StatusOr<int32_t> n = r.ReadLength(1, "wrapped object");
      if (!n.ok()) return Annotate(n.status(), node.path);
      size_t inner_begin = r.position();
      if (absl::Status s = r.Skip(*n); !s.ok()) return Annotate(s, node.path);
      absl::StatusOr<int32_t> start = r.ReadInt32();
      if (!start.ok()) return Annotate(start.status(), node.path);
      if (*start < 0 || *start >= *n) {
        return ProtocolError(absl::StrCat(node.path, ": wrapped object start ", *start,
                                          " lies outside its ", *n, "-byte payload"));
      }
      return DecodeNode(node, buffer.subspan(inner_begin, *n), static_cast<size_t>(*start),
                        depth + 1);
    }
    case kComplexObject:
      if (!node.is_struct) return Mismatch(node, "an object");
      return DecodeStruct(node, buffer, pos, depth);
    default:
      if (node.is_struct) return Mismatch(node, TypeCodeName(code));
      return DecodeLeaf(node, buffer, pos, code);
  }
}

absl::StatusOr<const BatchBuilder::Plan*> BatchBuilder::PlanFor(const SchemaNode& node,
                                                                absl::Span<const uint8_t> buffer,
                                                                const ObjectLayout& layout,
                                                                Plan* scratch) {
  const bool cacheable = layout.compact();
  if (cacheable) {
    auto it = plans_.find(std::make_tuple(&node, layout.type_id, layout.schema_id));
    if (it != plans_.end()) {
      if (it->second.field_count != layout.field_count) {
        return ProtocolError(absl::StrCat("object of type id ", layout.type_id, " claims schema ",
                                          layout.schema_id, " (", it->second.field_count,
                                          " fields) but its footer has ", layout.field_count));
      }
      return &it->second;
    }
  }
  std::shared_ptr<const BinaryType> type;
  if (layout.field_count > 0) {
    IGNITE_ASSIGN_OR_RETURN(type, types_->Resolve(layout.type_id, layout.schema_id));
  }
  IGNITE_ASSIGN_OR_RETURN(std::vector<int32_t> ids, FooterFieldIds(buffer, layout, type.get()));
  Plan plan;
  plan.field_count = ids.size();
  plan.footer_index.assign(node.children.size(), -1);
  for (size_t f = 0; f < ids.size(); ++f) {
    const BinaryField* field = type == nullptr ? nullptr : type->FieldById(ids[f]);
    if (field == nullptr) continue;
    for (size_t c = 0; c < node.children.size(); ++c) {
      if (node.children[c].name == field->name) plan.footer_index[c] = static_cast<int>(f);
    }
  }
  if (!cacheable) {
    *scratch = std::move(plan);
    return scratch;
  }
  auto [it, inserted] =
      plans_.emplace(std::make_tuple(&node, layout.type_id, layout.schema_id), std::move(plan));
  return &it->second;
}

absl::Status BatchBuilder::DecodeStruct(const SchemaNode& node, absl::Span<const uint8_t> buffer,
                                        size_t pos, int depth) {
  absl::StatusOr<ObjectLayout> layout = ParseObjectLayout(buffer, pos);
  if (!layout.ok()) return Annotate(layout.status(), node.path);
  Plan scratch;
  absl::StatusOr<const Plan*> plan = PlanFor(node, buffer, *layout, &scratch);
  if (!plan.ok()) return Annotate(plan.status(), node.path);
  absl::Span<const uint8_t> fields = buffer.subspan(0, layout->data_end);
  for (size_t c = 0; c < node.children.size(); ++c) {
    int index = (*plan)->footer_index[c];
    if (index < 0) {
      AppendDefault(node.children[c]);
      continue;
    }
    IGNITE_RETURN_IF_ERROR(DecodeNode(node.children[c], fields,
                                      layout->FieldPosition(buffer.data(), index), depth + 1));
  }
  return absl::OkStatus();
}

absl::Status BatchBuilder::DecodeLeaf(const SchemaNode& node, absl::Span<const uint8_t> buffer,
                                      size_t pos, uint8_t code) {
  if (code != node.type_code) return Mismatch(node, TypeCodeName(code));
  Column& column = columns_[node.column];
  const uint8_t* p = buffer.data() + pos + 1;
  const size_t left = buffer.size() - pos - 1;
  if (!node.is_list) {
    if (node.element == ElementType::kString) {
      if (left < 4) return Truncated(node, pos);
      int32_t n = LoadUnaligned<int32_t>(p);
      if (n < 0 || static_cast<size_t>(n) > left - 4) return Truncated(node, pos);
      column.data->Append(p + 4, n);
      column.offsets->Push<int64_t>(static_cast<int64_t>(column.data->size()));
      return absl::OkStatus();
    }
    const size_t size = ElementSize(node.element);
    if (left < size) return Truncated(node, pos);
    if (node.element == ElementType::kBool) {
      column.data->Push<uint8_t>(*p != 0 ? 1 : 0);
    } else {
      column.data->Append(p, size);
    }
    return absl::OkStatus();
  }
  if (left < 4) return Truncated(node, pos);
  int32_t n = LoadUnaligned<int32_t>(p);
  if (n < 0) return Truncated(node, pos);
  p += 4;
  if (node.element != ElementType::kString) {
    const size_t size = ElementSize(node.element);
    if (static_cast<uint64_t>(n) * size > left - 4) return Truncated(node, pos);
    column.data->Append(p, static_cast<size_t>(n) * size);
    column.offsets->Push<int64_t>(static_cast<int64_t>(column.data->size() / size));
    return absl::OkStatus();
  }
  // string[]: each element is a typed string or null.
  size_t remaining = left - 4;
  for (int32_t i = 0; i < n; ++i) {
    if (remaining < 1) return Truncated(node, pos);
    if (*p == kNull) {
      ++p;
      --remaining;
    } else if (*p == kString) {
      if (remaining < 5) return Truncated(node, pos);
      int32_t len = LoadUnaligned<int32_t>(p + 1);
      if (len < 0 || static_cast<size_t>(len) > remaining - 5) return Truncated(node, pos);
      column.data->Append(p + 5, len);
      p += 5 + len;
      remaining -= 5 + len;
    } else {
      return ProtocolError(
          absl::StrCat(node.path, "[", i, "] is ", TypeCodeName(*p), " inside a string[]"));
    }
    column.string_offsets->Push<int64_t>(static_cast<int64_t>(column.data->size()));
  }
  column.offsets->Push<int64_t>(static_cast<int64_t>(column.string_offsets->size() / 8 - 1));
  return absl::OkStatus();
}

void BatchBuilder::AppendDefault(const SchemaNode& node) {
  if (node.is_struct) {
    for (const SchemaNode& child : node.children) AppendDefault(child);
    return;
  }
  Column& column = columns_[node.column];
  if (column.has_offsets()) {
    int64_t last;
    std::memcpy(&last, column.offsets->data() + column.offsets->size() - 8, 8);
    column.offsets->Push<int64_t>(last);
    return;
  }
  std::memset(column.data->Extend(ElementSize(node.element)), 0, ElementSize(node.element));
}

}  // namespace ignite_tf
