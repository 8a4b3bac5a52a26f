#include "core/binary/decoder.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/binary/decimal.h"
#include "core/binary/java_sql_date.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"
#include "core/wire/reader.h"

namespace ignite_tf {
namespace {

std::string At(absl::string_view path, size_t pos) {
  return absl::StrCat(path.empty() ? "value" : path, " (offset ", pos, ")");
}

// Bytes a value of each type code takes when its size follows from the code alone (the code byte
// included); 0 for codes whose size is read from the value.
constexpr std::array<uint8_t, 256> MakeFixedValueSizes() {
  std::array<uint8_t, 256> sizes{};
  sizes[kNull] = 1;
  sizes[kByte] = 2;
  sizes[kShort] = 3;
  sizes[kInt] = 5;
  sizes[kLong] = 9;
  sizes[kFloat] = 5;
  sizes[kDouble] = 9;
  sizes[kChar] = 3;
  sizes[kBool] = 2;
  sizes[kUuid] = 17;
  sizes[kDate] = 9;
  sizes[kTimestamp] = 13;
  sizes[kTime] = 9;
  sizes[kHandle] = 5;
  return sizes;
}
constexpr std::array<uint8_t, 256> kFixedValueSizes = MakeFixedValueSizes();

// Fills `v` from the bytes of a fixed-size value of type `code` (kFixedValueSizes[code] - 1 of
// them at `p`, checked by the caller).
void LoadFixed(uint8_t code, const uint8_t* p, Value* v) {
  if (code == kFloat || code == kDouble) {
    v->real = code == kFloat ? LoadUnaligned<float>(p) : LoadUnaligned<double>(p);
    return;
  }
  if (code == kBool || code == kChar) {
    v->integer = code == kBool ? (*p != 0 ? 1 : 0) : LoadUnaligned<uint16_t>(p);
    return;
  }
  // Signed integers of 1, 2, 4 or 8 bytes (dates and times are longs); a UUID's most
  // significant long and a timestamp's milliseconds come first, their second part after.
  const size_t size = std::min<size_t>(kFixedValueSizes[code] - 1, 8);
  uint64_t bits = 0;
  std::memcpy(&bits, p, size);
  const int unused = static_cast<int>(64 - 8 * size);
  v->integer = static_cast<int64_t>(bits << unused) >> unused;  // sign-extended
  if (code == kUuid) v->integer2 = LoadUnaligned<int64_t>(p + 8);
  if (code == kTimestamp) v->integer2 = LoadUnaligned<int32_t>(p + 8);  // nanoseconds
}

absl::StatusOr<size_t> SkipAt(absl::Span<const uint8_t> buffer, size_t pos, absl::string_view path,
                              int depth);

// Skips `count` typed values starting at the reader's position.
absl::Status SkipItems(Reader& r, absl::Span<const uint8_t> buffer, int64_t count,
                       absl::string_view path, int depth) {
  if (static_cast<uint64_t>(count) > r.remaining()) {
    return ProtocolError(absl::StrCat(At(path, r.position()), ": ", count,
                                      " elements cannot fit in ", r.remaining(), " bytes"));
  }
  size_t at = r.position();
  for (int64_t i = 0; i < count; ++i) {
    IGNITE_ASSIGN_OR_RETURN(at, SkipAt(buffer, at, path, depth + 1));
  }
  return r.Seek(at);
}

// Reads a type id (of an enum, or an array's component type); an unregistered type's id is 0
// and its class name, a string, follows: it is stepped over.
absl::StatusOr<int32_t> ReadTypeId(Reader& r, absl::Span<const uint8_t> buffer,
                                   absl::string_view path, int depth) {
  IGNITE_ASSIGN_OR_RETURN(int32_t type_id, r.ReadInt32());
  if (type_id != 0) return type_id;
  const size_t at = r.position();
  if (at < buffer.size() && buffer[at] != kString && buffer[at] != kNull) {
    return ProtocolError(absl::StrCat(At(path, at), ": class name is not a string"));
  }
  IGNITE_RETURN_IF_ERROR(SkipItems(r, buffer, 1, path, depth));
  return type_id;
}

// Arrays of non-primitive values, collections and maps: their elements are typed values.
bool IsContainerCode(uint8_t code) {
  switch (code) {
    case kUuidArray:
    case kDateArray:
    case kTimestampArray:
    case kTimeArray:
    case kDecimalArray:
    case kEnumArray:
    case kObjectArray:
    case kCollection:
    case kMap:
      return true;
    default:
      return false;
  }
}

// What precedes the elements of an array, collection or map whose code byte was read.
struct ContainerHeader {
  int32_t component_type = 0;  // object and enum arrays
  int8_t kind = 0;             // collections and maps (ArrayList, HashMap, ...)
  int32_t count = 0;           // elements, or map entries
  int64_t items = 0;           // values that follow: two per map entry
};

absl::StatusOr<ContainerHeader> ReadContainerHeader(Reader& r, absl::Span<const uint8_t> buffer,
                                                    uint8_t code, absl::string_view path,
                                                    int depth) {
  ContainerHeader header;
  if (code == kEnumArray || code == kObjectArray) {
    IGNITE_ASSIGN_OR_RETURN(header.component_type, ReadTypeId(r, buffer, path, depth));
  }
  IGNITE_ASSIGN_OR_RETURN(header.count, r.ReadLength(1, TypeCodeName(code)));
  if (code == kCollection || code == kMap) {
    IGNITE_ASSIGN_OR_RETURN(header.kind, r.ReadInt8());
  }
  header.items = code == kMap ? int64_t{header.count} * 2 : header.count;
  if (static_cast<uint64_t>(header.items) > r.remaining()) {
    return ProtocolError(absl::StrCat(TypeCodeName(code), " of ", header.count,
                                      " elements cannot fit in ", r.remaining(), " bytes"));
  }
  return header;
}
}  // namespace

absl::StatusOr<std::vector<int32_t>> FooterFieldIds(absl::Span<const uint8_t> buffer,
                                                    const ObjectLayout& layout,
                                                    const BinaryType* type) {
  std::vector<int32_t> ids;
  if (layout.field_count == 0) return ids;  // Java writes field-less objects with no schema
  ids.reserve(layout.field_count);
  if (!layout.compact()) {
    for (size_t i = 0; i < layout.field_count; ++i) ids.push_back(layout.FieldId(buffer.data(), i));
    return ids;
  }
  const std::vector<int32_t>* schema = type == nullptr ? nullptr : type->Schema(layout.schema_id);
  if (schema == nullptr) {
    return ProtocolError(absl::StrCat("the server has no schema ", layout.schema_id,
                                      " for binary type ", layout.type_id,
                                      ", so the object's compact footer cannot be read"));
  }
  if (schema->size() != layout.field_count) {
    return ProtocolError(absl::StrCat("schema ", layout.schema_id, " of binary type ",
                                      layout.type_id, " lists ", schema->size(),
                                      " fields but the object's footer has ", layout.field_count));
  }
  return *schema;
}

void ValueDecoder::DescribeEnum(int32_t type_id, int32_t ordinal, Value* v) {
  if (types_ == nullptr || type_id == 0) return;
  absl::StatusOr<std::shared_ptr<const BinaryType>> type = types_->ResolveType(type_id);
  if (!type.ok()) return;
  v->type_name = (*type)->type_name;
  for (const auto& [name, value] : (*type)->enum_values) {
    if (value == ordinal) v->text = name;
  }
}

FieldSelection SelectionOf(absl::string_view name, const std::vector<std::string>& selected) {
  FieldSelection out;
  for (const std::string& path : selected) {
    if (path == name) {
      out.whole = true;
    } else if (path.size() > name.size() && absl::StartsWith(path, name) &&
               path[name.size()] == '.') {
      out.below.push_back(path.substr(name.size() + 1));
    }
  }
  return out;
}

absl::StatusOr<Value> ValueDecoder::Decode(absl::Span<const uint8_t> buffer, size_t* pos,
                                           absl::string_view path,
                                           const std::vector<std::string>* fields) {
  return DecodeAt(buffer, pos, path, 0, fields != nullptr && !fields->empty() ? fields : nullptr);
}

absl::StatusOr<Value> ValueDecoder::DecodeAt(absl::Span<const uint8_t> buffer, size_t* pos,
                                             absl::string_view path, int depth,
                                             const std::vector<std::string>* selected) {
  if (depth > kMaxNestingDepth) {
    return ProtocolError(absl::StrCat(At(path, *pos), " nests deeper than ", kMaxNestingDepth,
                                      " levels (or its handles form a cycle)"));
  }
  const size_t start = *pos;
  Reader r(buffer, start);
  // Context for errors of the reads below, built only when one fails.
  auto where = [&] { return absl::StrCat("decoding ", At(path, start)); };
  IGNITE_ASSIGN_OR_RETURN(const uint8_t code, r.ReadUInt8(), where());
  Value v;
  v.code = static_cast<TypeCode>(code);
  switch (code) {
    case kNull:
      break;
    case kByte:
    case kShort:
    case kInt:
    case kLong:
    case kFloat:
    case kDouble:
    case kChar:
    case kBool:
    case kDate:
    case kTime:
    case kUuid:
    case kTimestamp: {
      IGNITE_ASSIGN_OR_RETURN(absl::Span<const uint8_t> bytes,
                              r.ReadBytes(kFixedValueSizes[code] - 1), where());
      LoadFixed(code, bytes.data(), &v);
      break;
    }
    case kString: {
      IGNITE_ASSIGN_OR_RETURN(absl::Span<const uint8_t> bytes, r.ReadSized(1, "string"), where());
      v.text.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      break;
    }
    case kByteArray:
    case kShortArray:
    case kIntArray:
    case kLongArray:
    case kFloatArray:
    case kDoubleArray:
    case kCharArray:
    case kBoolArray: {
      IGNITE_ASSIGN_OR_RETURN(absl::Span<const uint8_t> bytes,
                              r.ReadSized(PrimitiveSize(code), TypeCodeName(code)), where());
      v.elements.assign(bytes.begin(), bytes.end());
      break;
    }
    case kStringArray: {
      IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(1, "string[]"), where());
      v.strings.reserve(n);
      size_t at = r.position();
      for (int32_t i = 0; i < n; ++i) {
        std::string item_path = absl::StrCat(path, "[", i, "]");
        const size_t item_start = at;
        IGNITE_ASSIGN_OR_RETURN(Value item, DecodeAt(buffer, &at, item_path, depth + 1));
        if (item.code == kNull) {
          v.strings.emplace_back(std::nullopt);
        } else if (item.code == kString) {
          v.strings.emplace_back(std::move(item.text));
        } else {
          return ProtocolError(absl::StrCat(At(item_path, item_start), " is ",
                                            TypeCodeName(item.code), " inside a string[]"));
        }
      }
      if (absl::Status s = r.Seek(at); !s.ok()) return Annotate(s, where());
      break;
    }
    case kDecimal: {
      IGNITE_ASSIGN_OR_RETURN(int32_t scale, r.ReadInt32(), where());
      IGNITE_ASSIGN_OR_RETURN(absl::Span<const uint8_t> bytes, r.ReadSized(1, "decimal"), where());
      v.text = DecimalToJavaString(scale, bytes);
      v.real = DecimalToDouble(scale, bytes);
      break;
    }
    case kEnum:
    case kBinaryEnum: {
      IGNITE_ASSIGN_OR_RETURN(int32_t type_id, ReadTypeId(r, buffer, path, depth), where());
      IGNITE_ASSIGN_OR_RETURN(int32_t ordinal, r.ReadInt32(), where());
      v.integer = ordinal;
      v.integer2 = type_id;
      DescribeEnum(type_id, ordinal, &v);
      break;
    }
    case kOptimized: {
      IGNITE_ASSIGN_OR_RETURN(absl::Span<const uint8_t> payload,
                              r.ReadSized(1, "optimized-marshaller object"), where());
      absl::optional<int64_t> ms = DecodeJavaSqlDate(payload);
      if (!ms.has_value()) {
        return UnsupportedError(
            absl::StrCat(path.empty() ? "value" : path, " has type ", TypeCodeName(kOptimized),
                         ", a Java-serialized object ignite_tf cannot read (of those it reads "
                         "only SQL DATE values)"));
      }
      v.code = kDate;
      v.integer = *ms;
      break;
    }
    case kWrappedObject: {
      IGNITE_ASSIGN_OR_RETURN(absl::Span<const uint8_t> inner, r.ReadSized(1, "wrapped object"),
                              where());
      IGNITE_ASSIGN_OR_RETURN(int32_t inner_start, r.ReadInt32(), where());
      if (inner_start < 0 || static_cast<size_t>(inner_start) >= inner.size()) {
        return ProtocolError(absl::StrCat(At(path, start), ": wrapped object start ", inner_start,
                                          " lies outside its ", inner.size(), "-byte payload"));
      }
      size_t inner_pos = static_cast<size_t>(inner_start);
      IGNITE_ASSIGN_OR_RETURN(Value inner_value,
                              DecodeAt(inner, &inner_pos, path, depth + 1, selected));
      *pos = r.position();
      return inner_value;
    }
    case kHandle: {
      IGNITE_ASSIGN_OR_RETURN(int32_t offset, r.ReadInt32(), where());
      if (offset <= 0 || static_cast<size_t>(offset) > start) {
        return ProtocolError(absl::StrCat(At(path, start), ": handle offset ", offset,
                                          " points outside the enclosing object"));
      }
      size_t target = start - static_cast<size_t>(offset);
      IGNITE_ASSIGN_OR_RETURN(Value referenced,
                              DecodeAt(buffer, &target, path, depth + 1, selected));
      *pos = r.position();
      return referenced;
    }
    case kComplexObject: {
      IGNITE_ASSIGN_OR_RETURN(auto object, DecodeObject(buffer, start, path, depth, selected));
      *pos = object.second;
      return std::move(object.first);
    }
    default: {
      if (!IsContainerCode(code)) {
        return UnsupportedError(absl::StrCat(path.empty() ? "value" : path, " has type ",
                                             TypeCodeName(code),
                                             ", which this version of ignite_tf cannot read yet"));
      }
      IGNITE_ASSIGN_OR_RETURN(const ContainerHeader header,
                              ReadContainerHeader(r, buffer, code, path, depth), where());
      v.kind = code == kEnumArray || code == kObjectArray ? header.component_type : header.kind;
      const int64_t count = header.items;
      v.items.reserve(static_cast<size_t>(count));
      size_t at = r.position();
      for (int64_t i = 0; i < count; ++i) {
        std::string item_path =
            code == kMap ? absl::StrCat(path, i % 2 == 0 ? ".keys[" : ".values[", i / 2, "]")
                         : absl::StrCat(path, "[", i, "]");
        IGNITE_ASSIGN_OR_RETURN(Value item, DecodeAt(buffer, &at, item_path, depth + 1,
                                                     code == kMap ? nullptr : selected));
        v.items.push_back(std::move(item));
      }
      if (absl::Status s = r.Seek(at); !s.ok()) return Annotate(s, where());
      break;
    }
  }
  *pos = r.position();
  return v;
}

absl::StatusOr<std::pair<Value, size_t>> ValueDecoder::DecodeObject(
    absl::Span<const uint8_t> buffer, size_t start, absl::string_view path, int depth,
    const std::vector<std::string>* selected) {
  static const std::vector<std::string> kNothing;
  IGNITE_ASSIGN_OR_RETURN(ObjectLayout layout, ParseObjectLayout(buffer, start));
  std::shared_ptr<const BinaryType> type;
  if (layout.field_count > 0) {
    if (types_ == nullptr) {
      return ProtocolError(absl::StrCat(At(path, start), ": no type metadata source"));
    }
    IGNITE_ASSIGN_OR_RETURN(type, types_->Resolve(layout.type_id, layout.schema_id));
  }
  IGNITE_ASSIGN_OR_RETURN(std::vector<int32_t> ids, FooterFieldIds(buffer, layout, type.get()));
  auto object = std::make_shared<ObjectValue>();
  object->type_id = layout.type_id;
  object->schema_id = layout.schema_id;
  object->has_raw = layout.has_raw;
  if (type != nullptr) object->type_name = type->type_name;
  object->fields.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const BinaryField* field = type == nullptr ? nullptr : type->FieldById(ids[i]);
    std::string name = field != nullptr ? field->name : absl::StrCat("field_", ids[i]);
    std::string field_path = path.empty() ? name : absl::StrCat(path, ".", name);
    size_t field_pos = layout.FieldPosition(buffer.data(), i);
    // A field may not read past the data area of its own object.
    absl::Span<const uint8_t> bounded = buffer.subspan(0, layout.data_end);
    FieldSelection selection;
    const std::vector<std::string>* field_selected = nullptr;
    if (selected != nullptr) {
      selection = SelectionOf(name, *selected);
      field_selected = selection.whole ? nullptr : &selection.below;
      if (!selection.whole && selection.below.empty()) {
        // Not asked for: only the names of the fields of its objects are kept, and a value that
        // cannot be decoded (a type ignite_tf cannot read) is null: it is never read.
        absl::StatusOr<Value> names =
            DecodeAt(bounded, &field_pos, field_path, depth + 1, &kNothing);
        object->fields.emplace_back(std::move(name),
                                    names.ok() ? *std::move(names) : Value::Null());
        continue;
      }
    }
    IGNITE_ASSIGN_OR_RETURN(Value value,
                            DecodeAt(bounded, &field_pos, field_path, depth + 1, field_selected));
    object->fields.emplace_back(std::move(name), std::move(value));
  }
  return std::make_pair(Value::Object(std::move(object)), layout.end());
}

namespace {

absl::StatusOr<size_t> SkipAt(absl::Span<const uint8_t> buffer, size_t pos, absl::string_view path,
                              int depth) {
  if (depth > kMaxNestingDepth) {
    return ProtocolError(
        absl::StrCat(At(path, pos), " nests deeper than ", kMaxNestingDepth, " levels"));
  }
  Reader r(buffer, pos);
  auto where = [&] { return absl::StrCat("decoding ", At(path, pos)); };
  IGNITE_ASSIGN_OR_RETURN(const uint8_t code, r.ReadUInt8(), where());
  absl::Status s;
  if (const size_t size = kFixedValueSizes[code]; size != 0) {
    s = r.Skip(size - 1);  // null, scalars, UUID, dates and times, a handle
  } else if (PrimitiveSize(code) != 0) {
    s = r.ReadSized(PrimitiveSize(code), TypeCodeName(code)).status();  // a primitive array
  } else if (IsContainerCode(code)) {
    IGNITE_ASSIGN_OR_RETURN(const ContainerHeader header,
                            ReadContainerHeader(r, buffer, code, path, depth), where());
    s = SkipItems(r, buffer, header.items, path, depth);
  } else {
    switch (code) {
      case kString:
      case kOptimized:
        s = r.ReadSized(1, TypeCodeName(code)).status();
        break;
      case kDecimal:
        s = r.Skip(4);  // the scale
        if (s.ok()) s = r.ReadSized(1, "decimal").status();
        break;
      case kWrappedObject:
        s = r.ReadSized(1, "wrapped object").status();
        if (s.ok()) s = r.Skip(4);  // the start offset
        break;
      case kEnum:
      case kBinaryEnum:
        s = ReadTypeId(r, buffer, path, depth).status();
        if (s.ok()) s = r.Skip(4);
        break;
      case kStringArray: {
        IGNITE_ASSIGN_OR_RETURN(int32_t n, r.ReadLength(1, "string[]"), where());
        for (int32_t i = 0; i < n && s.ok(); ++i) {
          IGNITE_ASSIGN_OR_RETURN(uint8_t element, r.ReadUInt8(), where());
          if (element == kNull) continue;
          if (element != kString) {
            return ProtocolError(absl::StrCat(At(path, r.position() - 1), ": string[] element is ",
                                              TypeCodeName(element)));
          }
          s = r.ReadSized(1, "string").status();
        }
        break;
      }
      case kComplexObject: {
        IGNITE_ASSIGN_OR_RETURN(ObjectLayout layout, ParseObjectLayout(buffer, pos));
        return layout.end();
      }
      default:
        return UnsupportedError(absl::StrCat(path.empty() ? "value" : path, " has type ",
                                             TypeCodeName(code),
                                             ", which this version of ignite_tf cannot read yet"));
    }
  }
  if (!s.ok()) return Annotate(s, where());
  return r.position();
}

// Where the value at `pos` ends, for the values rows are mostly made of (fixed-size scalars,
// null, strings, wrapped objects) when they lie wholly inside `buffer`; 0 when it takes SkipAt
// to tell (other types, and every value that would be an error there). Agrees with SkipAt
// whenever it returns non-zero: the fast path of SkipValue, which runs for every row.
inline size_t QuickValueEnd(absl::Span<const uint8_t> buffer, size_t pos) {
  if (pos >= buffer.size()) return 0;
  const uint8_t code = buffer[pos];
  const size_t left = buffer.size() - pos;
  if (const size_t size = kFixedValueSizes[code]; size != 0) return size <= left ? pos + size : 0;
  if (code != kString && code != kWrappedObject) return 0;
  if (left < 5) return 0;
  const int32_t n = LoadUnaligned<int32_t>(buffer.data() + pos + 1);
  const size_t trailer = code == kWrappedObject ? 4 : 0;  // the wrapped object's start offset
  if (n < 0 || static_cast<size_t>(n) + trailer > left - 5) return 0;
  return pos + 5 + static_cast<size_t>(n) + trailer;
}

}  // namespace

absl::StatusOr<size_t> SkipValue(absl::Span<const uint8_t> buffer, size_t pos,
                                 absl::string_view path) {
  if (const size_t end = QuickValueEnd(buffer, pos); end != 0) return end;
  return SkipAt(buffer, pos, path, 0);
}

}  // namespace ignite_tf
