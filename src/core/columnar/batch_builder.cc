#include "core/columnar/batch_builder.h"

#include <cstdlib>
#include <cstring>

#include "absl/base/attributes.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/binary/decimal.h"
#include "core/binary/decoder.h"
#include "core/binary/java_sql_date.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"
#include "core/wire/reader.h"

namespace ignite_tf {
namespace {

// Whether the value at `pos` (type code `code`) is an array, object array, collection or map
// with no elements. Such a row is an empty list whatever element type its writer chose (a Python
// `[]` has none and is written as an empty String[]), so it fits a list column of any type.
bool IsEmptyContainer(absl::Span<const uint8_t> buffer, size_t pos, uint8_t code) {
  Reader r(buffer, pos + 1);
  if (code == kObjectArray || code == kEnumArray) {
    absl::StatusOr<int32_t> component = r.ReadInt32();
    if (!component.ok()) return false;
    if (*component == 0) {  // unregistered component type: its class name follows
      absl::StatusOr<size_t> after = SkipValue(buffer, r.position(), "");
      if (!after.ok() || !r.Seek(*after).ok()) return false;
    }
  } else if (code != kCollection && code != kMap && TypedArrayElementCode(code) == 0) {
    return false;
  }
  absl::StatusOr<int32_t> n = r.ReadInt32();
  return n.ok() && *n == 0;
}

absl::Status Truncated(const SchemaNode& node, size_t pos) {
  return ProtocolError(
      absl::StrCat(node.path, ": value at offset ", pos, " runs past the end of the message"));
}

// Java's UUID.toString(): 8-4-4-4-12 lower-case hex digits.
void FormatUuid(uint64_t most, uint64_t least, char* out) {
  static const char kHex[] = "0123456789abcdef";
  int at = 0;
  auto emit = [&](uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i) out[at++] = kHex[(v >> (i * 4)) & 0xF];
  };
  emit(most >> 32, 8);
  out[at++] = '-';
  emit((most >> 16) & 0xFFFF, 4);
  out[at++] = '-';
  emit(most & 0xFFFF, 4);
  out[at++] = '-';
  emit(least >> 48, 4);
  out[at++] = '-';
  emit(least & 0xFFFFFFFFFFFFULL, 12);
  out[at] = '\0';
}

// "9999-12-31T23:59:59.999000001Z" for milliseconds since the epoch and nanoseconds within the
// millisecond (proleptic Gregorian calendar, as java.time prints it; any int64 of milliseconds).
std::string FormatTimestamp(int64_t ms, int32_t nanos) {
  int64_t days = ms / 86400000;
  int64_t ms_of_day = ms % 86400000;
  if (ms_of_day < 0) {
    ms_of_day += 86400000;
    --days;
  }
  // Days to civil date (H. Hinnant's algorithm).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const int64_t fraction = (ms_of_day % 1000) * 1000000 + nanos;
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", year, month, day,
                         ms_of_day / 3600000, ms_of_day / 60000 % 60, ms_of_day / 1000 % 60,
                         fraction);
}

absl::Status TimestampOutOfRange(const SchemaNode& node, int64_t ms, int32_t nanos) {
  const char* unit =
      node.timestamp_unit == TimestampUnit::kNanoseconds ? "nanoseconds" : "microseconds";
  const char* range = node.timestamp_unit == TimestampUnit::kNanoseconds
                          ? "years 1677 to 2262"
                          : "about 292,000 years either side of 1970";
  const bool ns = node.timestamp_unit == TimestampUnit::kNanoseconds;
  return WithHint(absl::InvalidArgumentError(absl::StrCat(
                      node.path, ": timestamp ", FormatTimestamp(ms, nanos), " does not fit int64 ",
                      unit, " since the epoch (", range, "); read it in a coarser unit")),
                  OptionHint{"timestamp_unit",
                             OptionHint::ValueKind::kString,
                             ns ? "us" : "ms",
                             {},
                             ns ? "(or \"ms\")" : ""});
}

}  // namespace

BatchBuilder::BatchBuilder(RowSchema schema, std::shared_ptr<TypeResolver> types, bool masks)
    : schema_(std::move(schema)), types_(std::move(types)), masks_(masks) {
  for (const std::string& name : schema_.sql_columns) {
    sql_columns_.push_back(schema_.value.Child(name));
  }
  last_plans_.resize(static_cast<size_t>(schema_.struct_count));
  ResetColumns();
}

absl::Status BatchBuilder::AppendSqlRows(absl::Span<const uint8_t> buffer, size_t begin, size_t end,
                                         int32_t rows, int64_t first_row) {
  absl::Span<const uint8_t> page = buffer.subspan(0, end);
  size_t pos = begin;
  for (int32_t i = 0; i < rows; ++i) {
    current_row_ = first_row + i;
    for (size_t c = 0; c < sql_columns_.size(); ++c) {
      const SchemaNode* column = sql_columns_[c];
      auto row_error = [&](const absl::Status& s) {
        return Annotate(s, absl::StrCat("row ", current_row_));
      };
      if (column != nullptr && AppendCopy(*column, page, pos)) {
        pos += 1 + column->copy_size;  // the type code and the value
        continue;
      }
      if (column != nullptr) {
        if (absl::Status s = DecodeNode(*column, page, pos, 0); !s.ok()) return row_error(s);
      }
      absl::StatusOr<size_t> next = SkipValue(page, pos, schema_.sql_columns[c]);
      if (!next.ok()) return row_error(next.status());
      pos = *next;
    }
    FinishRowMasks();
    ++num_rows_;
  }
  if (pos != end) {
    return ProtocolError(
        absl::StrCat("SQL page has ", end - pos, " unexpected bytes after its ", rows, " rows"));
  }
  return absl::OkStatus();
}

void BatchBuilder::ResetColumns() {
  columns_.clear();
  columns_.reserve(schema_.leaves.size());
  for (size_t i = 0; i < schema_.leaves.size(); ++i) {
    columns_.push_back(Column::ForLeaf(*schema_.leaves[i], schema_.column_paths[i]));
    if (masks_) columns_.back().valid = std::make_shared<AlignedBuffer>();
  }
  num_rows_ = 0;
}

Batch BatchBuilder::Finish() {
  Batch batch;
  batch.num_rows = num_rows_;
  for (Column& c : columns_) c.length = num_rows_;
  // The next batch most likely takes as much room as this one: reserve it now rather than grow
  // each buffer by doubling (and copying) up to it.
  const std::vector<size_t> sizes = Snapshot();
  batch.columns = std::move(columns_);
  ResetColumns();
  size_t at = 0;
  for (Column& c : columns_) {
    c.data->Reserve(sizes[at++]);
    if (c.offsets) c.offsets->Reserve(sizes[at]);
    ++at;
    if (c.string_offsets) c.string_offsets->Reserve(sizes[at]);
    ++at;
    if (c.valid) c.valid->Reserve(sizes[at]);
    ++at;
    for (auto& inner : c.inner_offsets) inner->Reserve(sizes[at++]);
  }
  return batch;
}

// Per column: data, offsets, string_offsets and valid sizes (0 when absent), then each of
// inner_offsets.
std::vector<size_t> BatchBuilder::Snapshot() const {
  std::vector<size_t> sizes;
  sizes.reserve(columns_.size() * 4);
  for (const Column& c : columns_) {
    sizes.push_back(c.data->size());
    sizes.push_back(c.offsets ? c.offsets->size() : 0);
    sizes.push_back(c.string_offsets ? c.string_offsets->size() : 0);
    sizes.push_back(c.valid ? c.valid->size() : 0);
    for (const auto& inner : c.inner_offsets) sizes.push_back(inner->size());
  }
  return sizes;
}

void BatchBuilder::Restore(const std::vector<size_t>& sizes) {
  size_t at = 0;
  for (Column& c : columns_) {
    c.data->Truncate(sizes[at++]);
    if (c.offsets) c.offsets->Truncate(sizes[at]);
    ++at;
    if (c.string_offsets) c.string_offsets->Truncate(sizes[at]);
    ++at;
    if (c.valid) c.valid->Truncate(sizes[at]);
    ++at;
    for (auto& inner : c.inner_offsets) inner->Truncate(sizes[at++]);
    while (!c.views.empty() && c.views.back().offset >= c.data->size()) c.views.pop_back();
  }
}

std::string BatchBuilder::DescribeKey(absl::Span<const uint8_t> page, size_t pos) const {
  ValueDecoder decoder(types_.get());
  absl::StatusOr<Value> key = decoder.Decode(page, &pos, "key");
  return key.ok() ? DescribeValue(*key) : std::string("(undecodable)");
}

absl::Status BatchBuilder::AppendRows(absl::Span<const uint8_t> buffer, size_t begin, size_t end,
                                      int32_t rows, int64_t first_row) {
  absl::Span<const uint8_t> page = buffer.subspan(0, end);
  size_t pos = begin;
  std::vector<size_t> before;
  for (int32_t i = 0; i < rows; ++i) {
    current_row_ = first_row + i;
    const size_t row_begin = pos;
    auto row_error = [&](const absl::Status& s) {
      std::string where = absl::StrCat("row ", current_row_);
      // Schema errors, and values that do not fit their column (InvalidArgument without a kind).
      if (s.code() == absl::StatusCode::kInvalidArgument) {
        absl::StrAppend(&where, " (key ", DescribeKey(page, row_begin), ")");
      }
      return Annotate(s, where);
    };
    absl::StatusOr<size_t> key_end = SkipValue(page, pos, "key");
    if (!key_end.ok()) return row_error(key_end.status());
    absl::StatusOr<size_t> value_end = SkipValue(page, *key_end, "val");
    if (!value_end.ok()) return row_error(value_end.status());
    if (skip_mismatched_) before = Snapshot();
    absl::Status s = DecodeNode(schema_.key, page, pos, 0);
    if (s.ok()) s = DecodeNode(schema_.value, page, *key_end, 0);
    pos = *value_end;
    if (!s.ok()) {
      if (skip_mismatched_ && GetErrorKind(s) == ErrorKind::kSchema) {
        Restore(before);
        ++skipped_rows_;
        continue;
      }
      return row_error(s);
    }
    FinishRowMasks();
    ++num_rows_;
  }
  if (pos != end) {
    return ProtocolError(
        absl::StrCat("page has ", end - pos, " unexpected bytes after its ", rows, " rows"));
  }
  return absl::OkStatus();
}

absl::Status BatchBuilder::Mismatch(const SchemaNode& node, absl::string_view what) const {
  std::string expected;
  switch (node.kind) {
    case NodeKind::kStruct:
      expected = node.repeated ? "objects in a list" : "an object";
      break;
    case NodeKind::kEnum:
      expected = "an enum";
      break;
    case NodeKind::kMap:
      expected = "a map";
      break;
    case NodeKind::kLeaf:
      expected = absl::StrCat(
          "a ", TypeCodeName(node.own_lists > 0 && node.container_code != 0 ? node.container_code
                                                                            : node.type_code));
      if (node.own_lists > 1) {
        expected = absl::StrCat("an object array or collection of ", expected.substr(2));
      }
      break;
  }
  if (!schema_.sql_columns.empty()) {
    // A SQL column: its type was given, or came from its first non-null value.
    if (node.given) {
      return SchemaError(absl::StrCat("column ", node.path, " holds ", what,
                                      " but its given column type is ", expected));
    }
    return WithHint(
        SchemaError(absl::StrCat("column ", node.path, " holds ", what, " but held ", expected,
                                 " in its first non-null value; to read it as one type, give "
                                 "its type")),
        OptionHint{"column_types",
                   OptionHint::ValueKind::kNameMap,
                   "",
                   {node.path},
                   "or CAST it in the query"});
  }
  return SchemaError(absl::StrCat(node.path, " holds ", what, " but held ", expected,
                                  " in the first row; every row of the cache must share one "
                                  "structure"));
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool BatchBuilder::AppendCopy(const SchemaNode& node,
                                                                  absl::Span<const uint8_t> buffer,
                                                                  size_t pos) {
  const size_t size = node.copy_size;
  if (size == 0 || pos >= buffer.size() || buffer[pos] != node.type_code ||
      buffer.size() - pos - 1 < size) {
    return false;
  }
  const uint8_t* p = buffer.data() + pos + 1;
  AlignedBuffer& data = *columns_[node.column].data;
  switch (size) {
    case 1:
      data.Push<uint8_t>(*p);
      break;
    case 2:
      data.Push<uint16_t>(LoadUnaligned<uint16_t>(p));
      break;
    case 4:
      data.Push<uint32_t>(LoadUnaligned<uint32_t>(p));
      break;
    default:
      data.Push<uint64_t>(LoadUnaligned<uint64_t>(p));
      break;
  }
  return true;
}

absl::Status BatchBuilder::DecodeNode(const SchemaNode& node, absl::Span<const uint8_t> buffer,
                                      size_t pos, int depth, int level) {
  if (depth > kMaxNestingDepth) {
    return ProtocolError(absl::StrCat(node.path, ": nesting deeper than ", kMaxNestingDepth,
                                      " levels (or a cycle of handles)"));
  }
  if (AppendCopy(node, buffer, pos)) return absl::OkStatus();
  if (pos >= buffer.size()) return Truncated(node, pos);
  const uint8_t code = buffer[pos];
  switch (code) {
    case kNull:
      AppendDefault(node, level);
      return absl::OkStatus();
    case kHandle: {
      if (buffer.size() - pos < 5) return Truncated(node, pos);
      int32_t offset = LoadUnaligned<int32_t>(buffer.data() + pos + 1);
      if (offset <= 0 || static_cast<size_t>(offset) > pos) {
        return ProtocolError(absl::StrCat(node.path, ": handle offset ", offset, " at offset ", pos,
                                          " points outside the enclosing object"));
      }
      return DecodeNode(node, buffer, pos - offset, depth + 1, level);
    }
    case kWrappedObject: {
      Reader r(buffer, pos + 1);
      IGNITE_ASSIGN_OR_RETURN(absl::Span<const uint8_t> inner, r.ReadSized(1, "wrapped object"),
                              node.path);
      IGNITE_ASSIGN_OR_RETURN(int32_t start, r.ReadInt32(), node.path);
      if (start < 0 || static_cast<size_t>(start) >= inner.size()) {
        return ProtocolError(absl::StrCat(node.path, ": wrapped object start ", start,
                                          " lies outside its ", inner.size(), "-byte payload"));
      }
      return DecodeNode(node, inner, static_cast<size_t>(start), depth + 1, level);
    }
    default:
      break;
  }
  if (code == kOptimized && node.kind == NodeKind::kLeaf && node.type_code == kDate &&
      level == node.list_depth) {
    // A SQL DATE column: java.sql.Date, written by the optimized marshaller.
    Reader r(buffer, pos + 1);
    IGNITE_ASSIGN_OR_RETURN(absl::Span<const uint8_t> payload,
                            r.ReadSized(1, "optimized-marshaller object"), node.path);
    absl::optional<int64_t> ms = DecodeJavaSqlDate(payload);
    if (!ms.has_value()) return Mismatch(node, "a Java-serialized object");
    columns_[node.column].data->Push<int64_t>(*ms);
    return absl::OkStatus();
  }
  if (code == kComplexObject && node.kind != NodeKind::kStruct) {
    return Mismatch(node, "an object");
  }
  // A container (or array) whose elements fill the lists under `node`.
  if (level < node.list_depth) {
    if (level + 1 == node.list_depth && node.kind == NodeKind::kLeaf &&
        TypedArrayElementCode(node.container_code) != 0) {
      return DecodeArray(node, buffer, pos, depth, level, code);
    }
    return DecodeList(node, buffer, pos, depth, level, code);
  }
  switch (node.kind) {
    case NodeKind::kStruct:
      if (code != kComplexObject) return Mismatch(node, TypeCodeName(code));
      return DecodeStruct(node, buffer, pos, depth, level);
    case NodeKind::kEnum:
      if (code != kEnum && code != kBinaryEnum) return Mismatch(node, TypeCodeName(code));
      return DecodeEnum(node, buffer, pos);
    case NodeKind::kMap:
      return Mismatch(node, TypeCodeName(code));
    case NodeKind::kLeaf:
      break;
  }
  return DecodeScalar(node, buffer, pos, code);
}

absl::Status BatchBuilder::DecodeList(const SchemaNode& node, absl::Span<const uint8_t> buffer,
                                      size_t pos, int depth, int level, uint8_t code) {
  // The node's innermost list comes from its container_code (typed arrays go to DecodeArray);
  // lists around it (an Object[] of int[]) from object arrays or collections.
  const bool innermost = level + 1 == node.list_depth;
  const bool is_map = innermost && node.kind == NodeKind::kMap;
  const bool accepts = is_map ? code == kMap
                              : (innermost && node.container_code == kEnumArray
                                     ? code == kEnumArray
                                     : (code == kObjectArray || code == kCollection));
  if (!accepts) {
    if (!IsEmptyContainer(buffer, pos, code)) return Mismatch(node, TypeCodeName(code));
    CloseLists(node, level);
    return absl::OkStatus();
  }
  Reader r(buffer, pos + 1);
  if (code == kObjectArray || code == kEnumArray) {
    IGNITE_ASSIGN_OR_RETURN(int32_t component, r.ReadInt32(), node.path);
    if (component == 0) {  // unregistered component type: its class name follows
      IGNITE_ASSIGN_OR_RETURN(size_t after, SkipValue(buffer, r.position(), node.path));
      IGNITE_RETURN_IF_ERROR(Annotate(r.Seek(after), node.path));
    }
  }
  IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(1, TypeCodeName(code)), node.path);
  if (code == kCollection || code == kMap) {
    IGNITE_RETURN_IF_ERROR(Annotate(r.Skip(1), node.path));
  }
  const int64_t items = is_map ? int64_t{n} * 2 : n;
  if (static_cast<uint64_t>(items) > r.remaining()) return Truncated(node, pos);
  size_t at = r.position();
  for (int64_t i = 0; i < items; ++i) {
    const SchemaNode& target = is_map ? node.children[i % 2] : node;
    IGNITE_RETURN_IF_ERROR(DecodeNode(target, buffer, at, depth + 1, level + 1));
    IGNITE_ASSIGN_OR_RETURN(at, SkipValue(buffer, at, node.path));
  }
  CloseLists(node, level);
  return absl::OkStatus();
}

absl::Status BatchBuilder::DecodeArray(const SchemaNode& node, absl::Span<const uint8_t> buffer,
                                       size_t pos, int depth, int level, uint8_t code) {
  if (code != node.container_code) {
    if (!IsEmptyContainer(buffer, pos, code)) return Mismatch(node, TypeCodeName(code));
    CloseLists(node, level);
    return absl::OkStatus();
  }
  Column& column = columns_[node.column];
  const uint8_t* p = buffer.data() + pos + 1;
  const size_t left = buffer.size() - pos - 1;
  if (left < 4) return Truncated(node, pos);
  int32_t n = LoadUnaligned<int32_t>(p);
  if (n < 0) return Truncated(node, pos);
  p += 4;
  if (code >= kByteArray && code <= kBoolArray) {
    const size_t size = ElementSize(node.element);
    if (static_cast<uint64_t>(n) * size > left - 4) return Truncated(node, pos);
    const size_t bytes = static_cast<size_t>(n) * size;
    if (view_min_bytes_ > 0 && bytes >= view_min_bytes_ && level == 0 && node.list_depth == 1 &&
        frame_ != nullptr && p >= frame_->data() && p + bytes <= frame_->data() + frame_->size()) {
      // Left where it arrived: room in data, written only if someone asks for the values.
      column.views.push_back({p, column.data->size(), bytes});
      column.data->Extend(bytes);
      if (column.frames.empty() || column.frames.back() != frame_) column.frames.push_back(frame_);
    } else {
      column.data->Append(p, bytes);
    }
    column.ListOffsets(level).Push<int64_t>(static_cast<int64_t>(column.data->size() / size));
    return absl::OkStatus();
  }
  // string[], UUID[], Date[], Timestamp[], Time[], Decimal[]: typed elements or nulls.
  if (static_cast<uint64_t>(n) > left - 4) return Truncated(node, pos);
  size_t at = pos + 5;
  for (int32_t i = 0; i < n; ++i) {
    if (at >= buffer.size()) return Truncated(node, pos);
    if (buffer[at] != node.type_code && buffer[at] != kNull) {
      return ProtocolError(absl::StrCat(node.path, "[", i, "] is ", TypeCodeName(buffer[at]),
                                        " inside a ", TypeCodeName(code)));
    }
    IGNITE_RETURN_IF_ERROR(DecodeNode(node, buffer, at, depth + 1, level + 1));
    IGNITE_ASSIGN_OR_RETURN(at, SkipValue(buffer, at, node.path));
  }
  CloseLists(node, level);
  return absl::OkStatus();
}

absl::StatusOr<const BatchBuilder::Plan*> BatchBuilder::PlanFor(const SchemaNode& node,
                                                                absl::Span<const uint8_t> buffer,
                                                                const ObjectLayout& layout,
                                                                Plan* scratch) {
  const bool cacheable = layout.compact();
  LastPlan* last = nullptr;
  if (cacheable && node.struct_index >= 0 &&
      static_cast<size_t>(node.struct_index) < last_plans_.size()) {
    last = &last_plans_[node.struct_index];
  }
  if (cacheable) {
    const Plan* cached = nullptr;
    if (last != nullptr && last->plan != nullptr && last->type_id == layout.type_id &&
        last->schema_id == layout.schema_id) {
      cached = last->plan;
    } else if (auto it = plans_.find(std::make_tuple(&node, layout.type_id, layout.schema_id));
               it != plans_.end()) {
      cached = &it->second;
    }
    if (cached != nullptr) {
      if (cached->field_count != layout.field_count) {
        return ProtocolError(absl::StrCat("object of type id ", layout.type_id, " claims schema ",
                                          layout.schema_id, " (", cached->field_count,
                                          " fields) but its footer has ", layout.field_count));
      }
      if (last != nullptr) *last = LastPlan{layout.type_id, layout.schema_id, cached};
      return cached;
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
      if (node.children[c].name == field->name && !node.children[c].raw) {
        plan.footer_index[c] = static_cast<int>(f);
      }
    }
  }
  for (size_t c = 0; c < node.children.size(); ++c) {
    if (node.children[c].raw) plan.footer_index[c] = kRawSection;
  }
  if (!cacheable) {
    *scratch = std::move(plan);
    return scratch;
  }
  auto [it, inserted] =
      plans_.emplace(std::make_tuple(&node, layout.type_id, layout.schema_id), std::move(plan));
  if (last != nullptr) *last = LastPlan{layout.type_id, layout.schema_id, &it->second};
  return &it->second;
}

absl::Status BatchBuilder::DecodeStruct(const SchemaNode& node, absl::Span<const uint8_t> buffer,
                                        size_t pos, int depth, int level) {
  IGNITE_ASSIGN_OR_RETURN(const ObjectLayout layout, ParseObjectLayout(buffer, pos), node.path);
  Plan scratch;
  IGNITE_ASSIGN_OR_RETURN(const Plan* plan, PlanFor(node, buffer, layout, &scratch), node.path);
  absl::Span<const uint8_t> fields = buffer.subspan(0, layout.data_end);
  for (size_t c = 0; c < node.children.size(); ++c) {
    int index = plan->footer_index[c];
    if (index < 0) {
      if (index == kRawSection && layout.has_raw) {
        AppendString(
            node.children[c],
            std::string_view(reinterpret_cast<const char*>(buffer.data()) + layout.raw_begin,
                             layout.raw_end - layout.raw_begin));
      } else {
        AppendDefault(node.children[c], level);
      }
      continue;
    }
    const size_t at = layout.FieldPosition(buffer.data(), index);
    // A fixed-width field needs none of DecodeNode's checks (but the depth one, kept in order).
    if (depth < kMaxNestingDepth && AppendCopy(node.children[c], fields, at)) continue;
    IGNITE_RETURN_IF_ERROR(DecodeNode(node.children[c], fields, at, depth + 1, level));
  }
  return absl::OkStatus();
}

absl::Status BatchBuilder::DecodeEnum(const SchemaNode& node, absl::Span<const uint8_t> buffer,
                                      size_t pos) {
  Reader r(buffer, pos + 1);
  IGNITE_ASSIGN_OR_RETURN(int32_t type_id, r.ReadInt32(), node.path);
  if (type_id == 0) {
    IGNITE_ASSIGN_OR_RETURN(size_t after, SkipValue(buffer, r.position(), node.path));
    IGNITE_RETURN_IF_ERROR(Annotate(r.Seek(after), node.path));
  }
  IGNITE_ASSIGN_OR_RETURN(int32_t ordinal, r.ReadInt32(), node.path);
  std::string_view name = EnumName(type_id, ordinal);
  AppendString(node.children[0], name);
  AppendFixed(node.children[1], &ordinal);
  return absl::OkStatus();
}

std::string_view BatchBuilder::EnumName(int32_t type_id, int32_t ordinal) {
  auto it = enum_names_.find(type_id);
  if (it == enum_names_.end()) {
    absl::flat_hash_map<int32_t, std::string> names;
    if (type_id != 0) {
      absl::StatusOr<std::shared_ptr<const BinaryType>> type = types_->ResolveType(type_id);
      if (type.ok()) {
        for (const auto& [name, value] : (*type)->enum_values) names[value] = name;
      }
    }
    it = enum_names_.emplace(type_id, std::move(names)).first;
  }
  auto name = it->second.find(ordinal);
  return name == it->second.end() ? std::string_view() : std::string_view(name->second);
}

void BatchBuilder::AppendString(const SchemaNode& leaf, std::string_view text) {
  Column& column = columns_[leaf.column];
  column.data->Append(text.data(), text.size());
  AdvanceString(leaf, column);
}

void BatchBuilder::AdvanceString(const SchemaNode& leaf, Column& column) {
  // A row value advances the row offsets; a list element advances the element offsets.
  (leaf.is_list ? column.string_offsets : column.offsets)
      ->Push<int64_t>(static_cast<int64_t>(column.data->size()));
}

void BatchBuilder::AppendFixed(const SchemaNode& leaf, const void* value) {
  columns_[leaf.column].data->Append(value, ElementSize(leaf.element));
}

absl::Status BatchBuilder::DecodeScalar(const SchemaNode& node, absl::Span<const uint8_t> buffer,
                                        size_t pos, uint8_t code) {
  if (code != node.type_code) return Mismatch(node, TypeCodeName(code));
  Column& column = columns_[node.column];
  const uint8_t* p = buffer.data() + pos + 1;
  const size_t left = buffer.size() - pos - 1;
  switch (code) {
    case kString: {
      if (left < 4) return Truncated(node, pos);
      int32_t n = LoadUnaligned<int32_t>(p);
      if (n < 0 || static_cast<size_t>(n) > left - 4) return Truncated(node, pos);
      column.data->Append(p + 4, n);
      AdvanceString(node, column);
      return absl::OkStatus();
    }
    case kUuid: {
      if (left < 16) return Truncated(node, pos);
      char text[37];
      FormatUuid(LoadUnaligned<uint64_t>(p), LoadUnaligned<uint64_t>(p + 8), text);
      column.data->Append(text, 36);
      AdvanceString(node, column);
      return absl::OkStatus();
    }
    case kTimestamp: {
      if (left < 12) return Truncated(node, pos);
      const int64_t ms = LoadUnaligned<int64_t>(p);
      const int32_t nanos = LoadUnaligned<int32_t>(p + 8);  // within the millisecond
      int64_t value = ms;
      bool overflow = false;
      switch (node.timestamp_unit) {
        case TimestampUnit::kNanoseconds:
          overflow = __builtin_mul_overflow(ms, int64_t{1000000}, &value) ||
                     __builtin_add_overflow(value, int64_t{nanos}, &value);
          break;
        case TimestampUnit::kMicroseconds:
          overflow = __builtin_mul_overflow(ms, int64_t{1000}, &value) ||
                     __builtin_add_overflow(value, int64_t{nanos / 1000}, &value);
          break;
        case TimestampUnit::kMilliseconds:
          break;
      }
      if (overflow) return TimestampOutOfRange(node, ms, nanos);
      column.data->Push<int64_t>(value);
      return absl::OkStatus();
    }
    case kDecimal: {
      Reader r(buffer, pos + 1);
      IGNITE_ASSIGN_OR_RETURN(int32_t scale, r.ReadInt32(), node.path);
      IGNITE_ASSIGN_OR_RETURN(absl::Span<const uint8_t> bytes, r.ReadSized(1, "decimal"),
                              node.path);
      if (node.element == ElementType::kString) {
        const std::string text = DecimalToJavaString(scale, bytes);
        column.data->Append(text.data(), text.size());
        AdvanceString(node, column);
      } else {
        column.data->Push<double>(DecimalToDouble(scale, bytes));
      }
      return absl::OkStatus();
    }
    case kBool:
      if (left < 1) return Truncated(node, pos);
      column.data->Push<uint8_t>(*p != 0 ? 1 : 0);
      return absl::OkStatus();
    default: {
      const size_t size = ElementSize(node.element);
      if (left < size) return Truncated(node, pos);
      column.data->Append(p, size);
      return absl::OkStatus();
    }
  }
}

void BatchBuilder::MarkAbsent(const SchemaNode& node) {
  if (node.kind != NodeKind::kLeaf) {
    for (const SchemaNode& child : node.children) MarkAbsent(child);
    return;
  }
  Column& column = columns_[node.column];
  if (column.valid != nullptr &&
      column.valid->size() == static_cast<size_t>(num_rows_)) {  // not yet set for this row
    column.valid->Push<uint8_t>(0);
  }
}

void BatchBuilder::FinishRowMasks() {
  if (!masks_) return;
  for (Column& column : columns_) {
    if (column.valid->size() == static_cast<size_t>(num_rows_)) column.valid->Push<uint8_t>(1);
  }
}

void BatchBuilder::AppendDefault(const SchemaNode& node, int level) {
  if (masks_ && level == 0) MarkAbsent(node);
  AppendEmpty(node, level);
}

void BatchBuilder::AppendEmpty(const SchemaNode& node, int level) {
  if (node.is_struct) {
    for (const SchemaNode& child : node.children) AppendEmpty(child, level);
    return;
  }
  Column& column = columns_[node.column];
  if (level < node.list_depth) {
    PushListOffset(node, column, level);  // an empty list
    return;
  }
  if (node.element == ElementType::kString) {
    AdvanceString(node, column);
    return;
  }
  std::memset(column.data->Extend(ElementSize(node.element)), 0, ElementSize(node.element));
}

void BatchBuilder::PushListOffset(const SchemaNode& leaf, Column& column, int level) {
  const int next = level + 1;
  int64_t items;
  if (next < leaf.list_depth) {
    items = static_cast<int64_t>(column.ListOffsets(next).size() / sizeof(int64_t) - 1);
  } else if (leaf.element == ElementType::kString) {
    items = static_cast<int64_t>(column.string_offsets->size() / sizeof(int64_t) - 1);
  } else {
    items = static_cast<int64_t>(column.data->size() / ElementSize(leaf.element));
  }
  column.ListOffsets(level).Push<int64_t>(items);
}

void BatchBuilder::CloseLists(const SchemaNode& node, int level) {
  if (node.kind == NodeKind::kLeaf) {
    PushListOffset(node, columns_[node.column], level);
    return;
  }
  for (const SchemaNode& child : node.children) CloseLists(child, level);
}

}  // namespace ignite_tf
