#include "core/columnar/row_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/binary/encoder.h"
#include "core/binary/ids.h"
#include "core/binary/java_sql_date.h"
#include "core/binary/object_layout.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"

namespace ignite_tf {
namespace {

bool IsInteger(SourceType t) {
  switch (t) {
    case SourceType::kInt8:
    case SourceType::kUInt8:
    case SourceType::kInt16:
    case SourceType::kUInt16:
    case SourceType::kInt32:
    case SourceType::kUInt32:
    case SourceType::kInt64:
    case SourceType::kUInt64:
      return true;
    default:
      return false;
  }
}

bool IsFloat(SourceType t) { return t == SourceType::kFloat32 || t == SourceType::kFloat64; }

bool IsArray(const ColumnView& c) {
  return c.width > 0 || (c.offsets != nullptr && c.source != SourceType::kUtf8);
}

// The code that keeps a column's values exactly; 0 when nothing does.
int32_t NaturalCode(const ColumnView& c) {
  if (IsArray(c)) {
    switch (c.source) {
      case SourceType::kInt8:
      case SourceType::kUInt8:
        return kByteArray;
      case SourceType::kInt16:
        return kShortArray;
      case SourceType::kUInt16:
        return kCharArray;
      case SourceType::kInt32:
        return kIntArray;
      case SourceType::kInt64:
        return kLongArray;
      case SourceType::kFloat32:
        return kFloatArray;
      case SourceType::kFloat64:
        return kDoubleArray;
      case SourceType::kBool:
        return kBoolArray;
      default:
        return 0;
    }
  }
  switch (c.source) {
    case SourceType::kInt8:
    case SourceType::kUInt8:
      return kByte;
    case SourceType::kInt16:
      return kShort;
    case SourceType::kUInt16:
      return kChar;
    case SourceType::kInt32:
      return kInt;
    case SourceType::kUInt32:
    case SourceType::kInt64:
    case SourceType::kUInt64:
      return kLong;
    case SourceType::kFloat32:
      return kFloat;
    case SourceType::kFloat64:
      return kDouble;
    case SourceType::kBool:
      return kBool;
    case SourceType::kUtf8:
      return kString;
    case SourceType::kDatetime64:
      return kTimestamp;
  }
  return 0;
}

bool ConversionAllowed(const ColumnView& c, int32_t target) {
  if (target == NaturalCode(c)) return true;
  if (IsArray(c)) return false;
  switch (target) {
    case kByte:
    case kShort:
    case kInt:
    case kLong:
    case kChar:
      return IsInteger(c.source);
    case kFloat:
    case kDouble:
      return IsInteger(c.source) || IsFloat(c.source);
    case kDate:
    case kOptimized:  // a SQL DATE column's java.sql.Date
      return c.source == SourceType::kDatetime64;
    default:
      return false;
  }
}

// The range of an integer target, for the values that must fit it.
std::pair<int64_t, int64_t> RangeOf(int32_t code) {
  switch (code) {
    case kByte:
      return {std::numeric_limits<int8_t>::min(), std::numeric_limits<int8_t>::max()};
    case kShort:
      return {std::numeric_limits<int16_t>::min(), std::numeric_limits<int16_t>::max()};
    case kChar:
      return {0, std::numeric_limits<uint16_t>::max()};
    case kInt:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
    default:
      return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
}

template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// An integer element as int64; uint64 values above INT64_MAX come back negative, and
// `*too_large` says so.
int64_t LoadInteger(SourceType t, const uint8_t* p, bool* too_large = nullptr) {
  switch (t) {
    case SourceType::kInt8:
      return Load<int8_t>(p);
    case SourceType::kUInt8:
      return Load<uint8_t>(p);
    case SourceType::kInt16:
      return Load<int16_t>(p);
    case SourceType::kUInt16:
      return Load<uint16_t>(p);
    case SourceType::kInt32:
      return Load<int32_t>(p);
    case SourceType::kUInt32:
      return Load<uint32_t>(p);
    case SourceType::kInt64:
    case SourceType::kDatetime64:
      return Load<int64_t>(p);
    case SourceType::kUInt64: {
      const uint64_t v = Load<uint64_t>(p);
      if (too_large != nullptr) *too_large = v > uint64_t{std::numeric_limits<int64_t>::max()};
      return static_cast<int64_t>(v);
    }
    case SourceType::kBool:
      return Load<uint8_t>(p) != 0;
    default:
      return 0;
  }
}

double LoadReal(SourceType t, const uint8_t* p) {
  if (t == SourceType::kFloat32) return Load<float>(p);
  if (t == SourceType::kFloat64) return Load<double>(p);
  if (t == SourceType::kUInt64) return static_cast<double>(Load<uint64_t>(p));
  return static_cast<double>(LoadInteger(t, p));
}

// A datetime64 value as milliseconds and the nanoseconds within that millisecond (floor
// division: before 1970 the millisecond is the one below).
std::pair<int64_t, int32_t> SplitMillis(int64_t value, int64_t unit_ns) {
  const int64_t per_ms = 1000000 / unit_ns;  // units per millisecond (ns: 10^6, us: 10^3, ms: 1)
  if (per_ms <= 1) {
    // Units of a millisecond or longer (ms, s, ...).
    return {value * (unit_ns / 1000000), 0};
  }
  int64_t ms = value / per_ms;
  int64_t rest = value % per_ms;
  if (rest < 0) {
    rest += per_ms;
    --ms;
  }
  return {ms, static_cast<int32_t>(rest * unit_ns)};
}

const uint8_t* RowPointer(const ColumnView& c, int64_t row) { return c.data + row * c.row_stride; }

bool IsNull(const ColumnView& c, int64_t row) {
  if (c.valid != nullptr && c.valid[row] == 0) return true;
  if (c.source == SourceType::kDatetime64 && !IsArray(c)) {
    return Load<int64_t>(RowPointer(c, row)) == std::numeric_limits<int64_t>::min();
  }
  return false;
}

}  // namespace

const char* SourceTypeName(SourceType type) {
  switch (type) {
    case SourceType::kInt8:
      return "int8";
    case SourceType::kUInt8:
      return "uint8";
    case SourceType::kInt16:
      return "int16";
    case SourceType::kUInt16:
      return "uint16";
    case SourceType::kInt32:
      return "int32";
    case SourceType::kUInt32:
      return "uint32";
    case SourceType::kInt64:
      return "int64";
    case SourceType::kUInt64:
      return "uint64";
    case SourceType::kFloat32:
      return "float32";
    case SourceType::kFloat64:
      return "float64";
    case SourceType::kBool:
      return "bool";
    case SourceType::kUtf8:
      return "string";
    case SourceType::kDatetime64:
      return "datetime64";
  }
  return "?";
}

size_t SourceSize(SourceType type) {
  switch (type) {
    case SourceType::kInt8:
    case SourceType::kUInt8:
    case SourceType::kBool:
    case SourceType::kUtf8:
      return 1;
    case SourceType::kInt16:
    case SourceType::kUInt16:
      return 2;
    case SourceType::kInt32:
    case SourceType::kUInt32:
    case SourceType::kFloat32:
      return 4;
    case SourceType::kInt64:
    case SourceType::kUInt64:
    case SourceType::kFloat64:
    case SourceType::kDatetime64:
      return 8;
  }
  return 1;
}

absl::StatusOr<RowEncoder> RowEncoder::Plan(const std::vector<ColumnView>& columns,
                                            const RowLayout& layout) {
  RowEncoder e;
  e.key_columns_ = layout.key_columns;
  e.next_key_ = layout.first_key;
  for (int k : layout.key_columns) {
    if (k < 0 || k >= static_cast<int>(columns.size())) {
      return absl::InvalidArgumentError("a key column is not among the columns");
    }
  }
  if (layout.key_columns.size() > 1 && layout.key_type_name.empty()) {
    return absl::InvalidArgumentError("a key of several columns is an object: name its type");
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    const ColumnView& c = columns[i];
    const std::string what = e.IsKey(static_cast<int>(i))
                                 ? absl::StrCat("key column '", c.name, "'")
                                 : absl::StrCat("column '", c.name, "'");
    if (c.width > 0 && c.offsets != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(what, " is both fixed-width and ragged"));
    }
    const int32_t natural = NaturalCode(c);
    if (natural == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": ", IsArray(c) ? "arrays of " : "", SourceTypeName(c.source),
                       " values cannot be written", IsArray(c) ? " (one value per row only)" : ""));
    }
    const int32_t code = c.target == 0 ? natural : c.target;
    if (!ConversionAllowed(c, code)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": ", IsArray(c) ? "arrays of " : "", SourceTypeName(c.source),
                       " values cannot be written as ", TypeCodeName(code), "; as ",
                       TypeCodeName(natural), " they can"));
    }
    if (e.IsKey(static_cast<int>(i)) && IsArray(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " holds arrays: a key must be one value per row"));
    }
    e.codes_.push_back(code);
  }

  std::vector<int> value_columns;
  for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
    if (!e.IsKey(i)) value_columns.push_back(i);
  }
  // A key object: its own type, the key columns as its fields (plain names).
  auto plan_key_object = [&]() -> absl::Status {
    if (layout.key_type_name.empty()) return absl::OkStatus();
    Object key{layout.key_type_name, BinaryNameId(layout.key_type_name), 0, {}};
    for (int col : layout.key_columns) {
      const std::string& name = columns[static_cast<size_t>(col)].name;
      const int32_t id = BinaryNameId(name);
      for (const Field& f : key.fields) {
        if (f.id == id) {
          return absl::InvalidArgumentError(
              absl::StrCat("key column '", name, "' is given twice (names are case-insensitive)"));
        }
      }
      key.fields.push_back(Field{name, id, col, -1});
    }
    e.key_object_ = static_cast<int>(e.objects_.size());
    e.objects_.push_back(std::move(key));
    return absl::OkStatus();
  };
  if (layout.type_name.empty()) {
    if (value_columns.size() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "values without a type name are one column's values, but ", value_columns.size(),
          " columns are left besides the key: name a type to write them as objects"));
    }
    e.value_column_ = value_columns[0];
    IGNITE_RETURN_IF_ERROR(plan_key_object());
    e.RegisterTypes();
    return e;
  }

  // Objects: the root, then one per distinct dotted prefix, fields in first-seen order.
  e.objects_.push_back(Object{layout.type_name, BinaryNameId(layout.type_name), 0, {}});
  auto type_name_of = [&](const std::string& path) {
    for (const auto& [p, name] : layout.nested_type_names) {
      if (p == path) return name;
    }
    return absl::StrCat(layout.type_name, ".", path);
  };
  for (int col : value_columns) {
    const std::vector<std::string> parts = absl::StrSplit(columns[col].name, '.');
    std::string path;
    int object = 0;
    for (size_t k = 0; k < parts.size(); ++k) {
      const std::string& part = parts[k];
      if (part.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("column name '", columns[col].name, "' has an empty part"));
      }
      const bool leaf = k + 1 == parts.size();
      const int32_t id = BinaryNameId(part);
      const std::string child_path = path.empty() ? part : absl::StrCat(path, ".", part);
      Field* existing = nullptr;
      for (Field& f : e.objects_[object].fields) {
        if (f.id == id) existing = &f;
      }
      if (existing != nullptr) {
        if (leaf || existing->object < 0) {
          return absl::InvalidArgumentError(absl::StrCat(
              "column '", columns[col].name, "' clashes with another column: '", child_path,
              "' would be written twice (field names are case-insensitive in Ignite)"));
        }
        object = existing->object;
      } else if (leaf) {
        e.objects_[object].fields.push_back(Field{part, id, col, -1});
      } else {
        const int child = static_cast<int>(e.objects_.size());
        const std::string name = type_name_of(child_path);
        e.objects_.push_back(Object{name, BinaryNameId(name), 0, {}});
        e.objects_[object].fields.push_back(Field{part, id, -1, child});
        object = child;
      }
      path = child_path;
    }
  }
  IGNITE_RETURN_IF_ERROR(plan_key_object());
  e.RegisterTypes();
  return e;
}

bool RowEncoder::IsKey(int column) const {
  return std::find(key_columns_.begin(), key_columns_.end(), column) != key_columns_.end();
}

void RowEncoder::RegisterTypes() {
  for (Object& o : objects_) {
    BinaryType type;
    type.type_name = o.type_name;
    type.type_id = o.type_id;
    std::vector<int32_t> ids;
    for (const Field& f : o.fields) {
      ids.push_back(f.id);
      // A java.sql.Date is registered as Ignite's own writers register it: a plain object.
      const int32_t code = f.column >= 0 ? codes_[f.column] : kComplexObject;
      type.fields.push_back(BinaryField{f.name, code == kOptimized ? kComplexObject : code, f.id});
    }
    o.schema_id = SchemaIdOf(ids);
    type.schemas[o.schema_id] = ids;
    types_.push_back(std::move(type));
  }
}

absl::Status RowEncoder::Validate(const RowSource& source) const {
  if (source.columns.size() != codes_.size()) {
    return absl::InvalidArgumentError(absl::StrCat("a chunk has ", source.columns.size(),
                                                   " columns, the writer ", codes_.size()));
  }
  for (size_t i = 0; i < source.columns.size(); ++i) {
    const ColumnView& c = source.columns[i];
    const bool is_key = IsKey(static_cast<int>(i));
    const std::string what =
        is_key ? absl::StrCat("key column '", c.name, "'") : absl::StrCat("column '", c.name, "'");
    if (c.rows != source.rows) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " has ", c.rows, " rows, the others ", source.rows));
    }
    if (c.offsets != nullptr) {
      if (c.offsets[0] < 0) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": its offsets start below 0"));
      }
      for (int64_t r = 0; r < c.rows; ++r) {
        if (c.offsets[r + 1] < c.offsets[r]) {
          return absl::InvalidArgumentError(absl::StrCat(what, ": row ", r,
                                                         "'s offsets go backwards (", c.offsets[r],
                                                         " then ", c.offsets[r + 1], ")"));
        }
      }
      if (c.offsets[c.rows] > c.data_elements) {
        return absl::InvalidArgumentError(absl::StrCat(what, ": its offsets reach element ",
                                                       c.offsets[c.rows], " of ", c.data_elements,
                                                       " it holds"));
      }
    }
    const bool plain_value = static_cast<int>(i) == value_column_;
    if (is_key || plain_value) {
      for (int64_t r = 0; r < c.rows; ++r) {
        if (IsNull(c, r)) {
          return absl::InvalidArgumentError(absl::StrCat(what, ": row ", r,
                                                         " is null, and Ignite stores no null ",
                                                         is_key ? "keys" : "values"));
        }
      }
    }
    if (is_key && IsFloat(c.source)) {
      for (int64_t r = 0; r < c.rows; ++r) {
        if (std::isnan(LoadReal(c.source, RowPointer(c, r)))) {
          return absl::InvalidArgumentError(
              absl::StrCat(what, ": row ", r, " is NaN, which cannot be a key"));
        }
      }
    }
    const int32_t code = codes_[i];
    if (IsInteger(c.source) &&
        (code == kByte || code == kShort || code == kChar || code == kInt || code == kLong)) {
      if (code == NaturalCode(c) && c.source != SourceType::kUInt64) continue;  // always fits
      const auto [lo, hi] = RangeOf(code);
      for (int64_t r = 0; r < c.rows; ++r) {
        if (c.valid != nullptr && c.valid[r] == 0) continue;
        bool too_large = false;
        const int64_t v = LoadInteger(c.source, RowPointer(c, r), &too_large);
        if (too_large || v < lo || v > hi) {
          return absl::InvalidArgumentError(
              absl::StrCat(what, ": row ", r, " holds ",
                           too_large ? absl::StrCat(static_cast<uint64_t>(v)) : absl::StrCat(v),
                           ", outside the range of ", TypeCodeName(code), ": ", lo, " to ", hi));
        }
      }
    }
  }
  return absl::OkStatus();
}

void RowEncoder::EncodeColumnValue(const ColumnView& c, int column_index, int64_t row, Writer& w,
                                   std::vector<ExternalBytes>* external) const {
  if (IsNull(c, row)) {
    w.WriteNull();
    return;
  }
  const int32_t code = codes_[column_index];
  const uint8_t* p = RowPointer(c, row);
  switch (code) {
    case kByte:
      w.WriteUInt8(kByte);
      w.WriteInt8(static_cast<int8_t>(LoadInteger(c.source, p)));
      return;
    case kShort:
      w.WriteUInt8(kShort);
      w.WriteInt16(static_cast<int16_t>(LoadInteger(c.source, p)));
      return;
    case kChar:
      w.WriteUInt8(kChar);
      w.WriteUInt16(static_cast<uint16_t>(LoadInteger(c.source, p)));
      return;
    case kInt:
      w.WriteUInt8(kInt);
      w.WriteInt32(static_cast<int32_t>(LoadInteger(c.source, p)));
      return;
    case kLong:
      w.WriteUInt8(kLong);
      w.WriteInt64(LoadInteger(c.source, p));
      return;
    case kFloat:
      w.WriteUInt8(kFloat);
      w.WriteFloat(static_cast<float>(LoadReal(c.source, p)));
      return;
    case kDouble:
      w.WriteUInt8(kDouble);
      w.WriteDouble(LoadReal(c.source, p));
      return;
    case kBool:
      w.WriteUInt8(kBool);
      w.WriteBool(Load<uint8_t>(p) != 0);
      return;
    case kString: {
      const int64_t begin = c.offsets[row], end = c.offsets[row + 1];
      w.WriteUInt8(kString);
      w.WriteInt32(static_cast<int32_t>(end - begin));
      w.WriteRaw(c.data + begin, static_cast<size_t>(end - begin));
      return;
    }
    case kTimestamp: {
      const auto [ms, ns] = SplitMillis(Load<int64_t>(p), c.datetime_unit_ns);
      w.WriteUInt8(kTimestamp);
      w.WriteInt64(ms);
      w.WriteInt32(ns);
      return;
    }
    case kDate: {
      w.WriteUInt8(kDate);
      w.WriteInt64(SplitMillis(Load<int64_t>(p), c.datetime_unit_ns).first);
      return;
    }
    case kOptimized:  // a SQL DATE column's java.sql.Date, as the node stores it
      EncodeJavaSqlDate(SplitMillis(Load<int64_t>(p), c.datetime_unit_ns).first, w);
      return;
    default: {
      // A primitive array per row: the elements are contiguous, little-endian like Java's.
      const size_t size = SourceSize(c.source);
      const uint8_t* first = p;
      int64_t count = c.width;
      if (c.offsets != nullptr) {
        first = c.data + c.offsets[row] * static_cast<int64_t>(size);
        count = c.offsets[row + 1] - c.offsets[row];
      }
      const size_t bytes = static_cast<size_t>(count) * size;
      w.WriteUInt8(static_cast<uint8_t>(code));
      w.WriteInt32(static_cast<int32_t>(count));
      if (external != nullptr && bytes >= kExternalMinBytes) {
        external->push_back(ExternalBytes{w.size(), first, bytes});
      } else {
        w.WriteRaw(first, bytes);
      }
      return;
    }
  }
}

void RowEncoder::EncodeObject(const RowSource& source, int object, int64_t row, Writer& w) const {
  const Object& o = objects_[static_cast<size_t>(object)];
  const size_t start = StartObject(w, o.type_id, o.schema_id);
  absl::InlinedVector<uint32_t, 16> offsets;
  for (const Field& f : o.fields) {
    offsets.push_back(static_cast<uint32_t>(w.size() - start));
    if (f.column >= 0) {
      EncodeColumnValue(source.columns[static_cast<size_t>(f.column)], f.column, row, w);
    } else {
      EncodeObject(source, f.object, row, w);
    }
  }
  FinishObject(w, start, offsets);
}

void RowEncoder::EncodeKey(const RowSource& source, int64_t row, Writer& w) const {
  if (key_object_ >= 0) {
    EncodeObject(source, key_object_, row, w);
  } else if (!key_columns_.empty()) {
    const int k = key_columns_[0];
    EncodeColumnValue(source.columns[static_cast<size_t>(k)], k, row, w);
  } else {
    w.WriteUInt8(kLong);
    w.WriteInt64(next_key_ + row);
  }
}

void RowEncoder::EncodeValue(const RowSource& source, int64_t row, Writer& w,
                             std::vector<ExternalBytes>* external) const {
  if (value_column_ >= 0) {
    // Only a plain value: inside an object, the fields after an array are found by offsets
    // counted in the bytes written.
    EncodeColumnValue(source.columns[static_cast<size_t>(value_column_)], value_column_, row, w,
                      external);
    return;
  }
  EncodeObject(source, 0, row, w);
}

int64_t RowEncoder::PayloadBytes(const RowSource& source, int64_t begin, int64_t end) const {
  int64_t bytes = key_columns_.empty() ? 8 * (end - begin) : 0;
  for (const ColumnView& c : source.columns) {
    const int64_t size = static_cast<int64_t>(SourceSize(c.source));
    if (c.offsets != nullptr) {
      bytes += (c.offsets[end] - c.offsets[begin]) * size;
    } else {
      bytes += (end - begin) * size * (c.width > 0 ? c.width : 1);
    }
  }
  return bytes;
}

}  // namespace ignite_tf
