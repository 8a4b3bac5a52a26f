#include "core/binary/decoder.h"

#include <array>
#include <cstdlib>

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

absl::Status WrapPath(const absl::Status& s, absl::string_view path, size_t pos) {
  return Annotate(s, absl::StrCat("decoding ", At(path, pos)));
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

absl::StatusOr<int32_t> ValueDecoder::ReadTypeIdAndName(Reader& r, absl::Span<const uint8_t> buffer,
                                                        absl::string_view path, int depth) {
  IGNITE_ASSIGN_OR_RETURN(int32_t type_id, r.ReadInt32());
  if (type_id == 0) {  // unregistered type: its class name follows
    size_t at = r.position();
    IGNITE_ASSIGN_OR_RETURN(Value name, DecodeAt(buffer, &at, path, depth + 1));
    if (name.code != kString && name.code != kNull) {
      return ProtocolError(absl::StrCat(At(path, at), ": class name is not a string"));
    }
    IGNITE_RETURN_IF_ERROR(r.Seek(at));
  }
  return type_id;
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

absl::StatusOr<Value> ValueDecoder::Decode(absl::Span<const uint8_t> buffer, size_t* pos,
                                           absl::string_view path) {
  return DecodeAt(buffer, pos, path, 0);
}

absl::StatusOr<Value> ValueDecoder::DecodeAt(absl::Span<const uint8_t> buffer, size_t* pos,
                                             absl::string_view path, int depth) {
  if (depth > kMaxNestingDepth) {
    return ProtocolError(absl::StrCat(At(path, *pos), " nests deeper than ", kMaxNestingDepth,
                                      " levels (or its handles form a cycle)"));
  }
  Reader r(buffer, *pos);
  auto fail = [&](const absl::Status& s) { return WrapPath(s, path, *pos); };
  absl::StatusOr<uint8_t> code_or = r.ReadUInt8();
  if (!code_or.ok()) return fail(code_or.status());
  const uint8_t code = *code_or;
  Value v;
  v.code = static_cast<TypeCode>(code);
  switch (code) {
    case kNull:
      break;
    case kByte: {
      auto x = r.ReadInt8();
      if (!x.ok()) return fail(x.status());
      v.integer = *x;
      break;
    }
    case kShort: {
      auto x = r.ReadInt16();
      if (!x.ok()) return fail(x.status());
      v.integer = *x;
      break;
    }
    case kInt: {
      auto x = r.ReadInt32();
      if (!x.ok()) return fail(x.status());
      v.integer = *x;
      break;
    }
    case kLong:
    case kDate: {
      auto x = r.ReadInt64();
      if (!x.ok()) return fail(x.status());
      v.integer = *x;
      break;
    }
    case kFloat: {
      auto x = r.ReadFloat();
      if (!x.ok()) return fail(x.status());
      v.real = *x;
      break;
    }
    case kDouble: {
      auto x = r.ReadDouble();
      if (!x.ok()) return fail(x.status());
      v.real = *x;
      break;
    }
    case kChar: {
      auto x = r.ReadUInt16();
      if (!x.ok()) return fail(x.status());
      v.integer = *x;
      break;
    }
    case kBool: {
      auto x = r.ReadBool();
      if (!x.ok()) return fail(x.status());
      v.integer = *x ? 1 : 0;
      break;
    }
    case kString: {
      auto n = r.ReadLength(1, "string");
      if (!n.ok()) return fail(n.status());
      auto bytes = r.ReadBytes(*n);
      v.text.assign(reinterpret_cast<const char*>(bytes->data()), bytes->size());
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
      size_t size = PrimitiveSize(code);
      auto n = r.ReadLength(size, TypeCodeName(code));
      if (!n.ok()) return fail(n.status());
      auto bytes = r.ReadBytes(static_cast<size_t>(*n) * size);
      v.elements.assign(bytes->begin(), bytes->end());
      break;
    }
    case kStringArray: {
      auto n = r.ReadLength(1, "string[]");
      if (!n.ok()) return fail(n.status());
      v.strings.reserve(*n);
      for (int32_t i = 0; i < *n; ++i) {
        size_t at = r.position();
        std::string item_path = absl::StrCat(path, "[", i, "]");
        auto item = DecodeAt(buffer, &at, item_path, depth + 1);
        if (!item.ok()) return item.status();
        if (item->code == kNull) {
          v.strings.emplace_back(std::nullopt);
        } else if (item->code == kString) {
          v.strings.emplace_back(std::move(item->text));
        } else {
          return ProtocolError(absl::StrCat(At(item_path, r.position()), " is ",
                                            TypeCodeName(item->code), " inside a string[]"));
        }
        if (auto s = r.Seek(at); !s.ok()) return fail(s);
      }
      break;
    }
    case kUuid: {
      auto most = r.ReadInt64();
      auto least = most.ok() ? r.ReadInt64() : most;
      if (!least.ok()) return fail(least.status());
      v.integer = *most;
      v.integer2 = *least;
      break;
    }
    case kTimestamp: {
      auto millis = r.ReadInt64();
      if (!millis.ok()) return fail(millis.status());
      auto nanos = r.ReadInt32();
      if (!nanos.ok()) return fail(nanos.status());
      v.integer = *millis;
      v.integer2 = *nanos;
      break;
    }
    case kTime: {
      auto millis = r.ReadInt64();
      if (!millis.ok()) return fail(millis.status());
      v.integer = *millis;
      break;
    }
    case kDecimal: {
      auto scale = r.ReadInt32();
      if (!scale.ok()) return fail(scale.status());
      auto n = r.ReadLength(1, "decimal");
      if (!n.ok()) return fail(n.status());
      auto bytes = r.ReadBytes(*n);
      if (!bytes.ok()) return fail(bytes.status());
      v.text = DecimalToJavaString(*scale, *bytes);
      v.real = DecimalToDouble(*scale, *bytes);
      break;
    }
    case kEnum:
    case kBinaryEnum: {
      auto type_id = ReadTypeIdAndName(r, buffer, path, depth);
      if (!type_id.ok()) return fail(type_id.status());
      auto ordinal = r.ReadInt32();
      if (!ordinal.ok()) return fail(ordinal.status());
      v.integer = *ordinal;
      v.integer2 = *type_id;
      DescribeEnum(*type_id, *ordinal, &v);
      break;
    }
    case kUuidArray:
    case kDateArray:
    case kTimestampArray:
    case kTimeArray:
    case kDecimalArray:
    case kEnumArray:
    case kObjectArray:
    case kCollection:
    case kMap: {
      if (code == kEnumArray || code == kObjectArray) {
        auto component = ReadTypeIdAndName(r, buffer, path, depth);
        if (!component.ok()) return fail(component.status());
        v.kind = *component;
      }
      auto n = r.ReadLength(1, TypeCodeName(code));
      if (!n.ok()) return fail(n.status());
      if (code == kCollection || code == kMap) {
        auto kind = r.ReadInt8();
        if (!kind.ok()) return fail(kind.status());
        v.kind = *kind;
      }
      const int64_t count = code == kMap ? int64_t{*n} * 2 : *n;
      if (static_cast<uint64_t>(count) > r.remaining()) {
        return ProtocolError(absl::StrCat(At(path, *pos), ": ", TypeCodeName(code), " of ", *n,
                                          " elements cannot fit in ", r.remaining(), " bytes"));
      }
      v.items.reserve(static_cast<size_t>(count));
      size_t at = r.position();
      for (int64_t i = 0; i < count; ++i) {
        std::string item_path =
            code == kMap ? absl::StrCat(path, i % 2 == 0 ? ".keys[" : ".values[", i / 2, "]")
                         : absl::StrCat(path, "[", i, "]");
        auto item = DecodeAt(buffer, &at, item_path, depth + 1);
        if (!item.ok()) return item.status();
        v.items.push_back(std::move(*item));
      }
      if (auto st = r.Seek(at); !st.ok()) return fail(st);
      break;
    }
    case kOptimized: {
      auto n = r.ReadLength(1, "optimized-marshaller object");
      if (!n.ok()) return fail(n.status());
      auto payload = r.ReadBytes(*n);
      absl::optional<int64_t> ms = DecodeJavaSqlDate(*payload);
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
      auto n = r.ReadLength(1, "wrapped object");
      if (!n.ok()) return fail(n.status());
      size_t inner_begin = r.position();
      if (auto s = r.Skip(*n); !s.ok()) return fail(s);
      auto start = r.ReadInt32();
      if (!start.ok()) return fail(start.status());
      if (*start < 0 || *start >= *n) {
        return ProtocolError(absl::StrCat(At(path, *pos), ": wrapped object start ", *start,
                                          " lies outside its ", *n, "-byte payload"));
      }
      absl::Span<const uint8_t> inner = buffer.subspan(inner_begin, *n);
      size_t inner_pos = static_cast<size_t>(*start);
      auto inner_value = DecodeAt(inner, &inner_pos, path, depth + 1);
      if (!inner_value.ok()) return inner_value.status();
      *pos = r.position();
      return inner_value;
    }
    case kHandle: {
      auto offset = r.ReadInt32();
      if (!offset.ok()) return fail(offset.status());
      if (*offset <= 0 || static_cast<size_t>(*offset) > *pos) {
        return ProtocolError(absl::StrCat(At(path, *pos), ": handle offset ", *offset,
                                          " points outside the enclosing object"));
      }
      size_t target = *pos - static_cast<size_t>(*offset);
      auto referenced = DecodeAt(buffer, &target, path, depth + 1);
      if (!referenced.ok()) return referenced.status();
      *pos = r.position();
      return referenced;
    }
    case kComplexObject: {
      auto object = DecodeObject(buffer, *pos, path, depth);
      if (!object.ok()) return object.status();
      *pos = object->second;
      return std::move(object->first);
    }
    default:
      return UnsupportedError(absl::StrCat(path.empty() ? "value" : path, " has type ",
                                           TypeCodeName(code),
                                           ", which this version of ignite_tf cannot read yet"));
  }
  *pos = r.position();
  return v;
}

absl::StatusOr<std::pair<Value, size_t>> ValueDecoder::DecodeObject(
    absl::Span<const uint8_t> buffer, size_t start, absl::string_view path, int depth) {
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
    IGNITE_ASSIGN_OR_RETURN(Value value, DecodeAt(bounded, &field_pos, field_path, depth + 1));
    object->fields.emplace_back(std::move(name), std::move(value));
  }
  return std::make_pair(Value::Object(std::move(object)), layout.end());
}

namespace {

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

absl::Status SkipTypeIdAndName(Reader& r, absl::Span<const uint8_t> buffer, absl::string_view path,
                               int depth) {
  IGNITE_ASSIGN_OR_RETURN(int32_t type_id, r.ReadInt32());
  if (type_id == 0) return SkipItems(r, buffer, 1, path, depth);
  return absl::OkStatus();
}

absl::StatusOr<size_t> SkipAt(absl::Span<const uint8_t> buffer, size_t pos, absl::string_view path,
                              int depth) {
  if (depth > kMaxNestingDepth) {
    return ProtocolError(
        absl::StrCat(At(path, pos), " nests deeper than ", kMaxNestingDepth, " levels"));
  }
  Reader r(buffer, pos);
  auto fail = [&](const absl::Status& s) { return WrapPath(s, path, pos); };
  auto code = r.ReadUInt8();
  if (!code.ok()) return fail(code.status());
  absl::Status s;
  switch (*code) {
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
      s = r.Skip(PrimitiveSize(*code));
      break;
    case kDate:
    case kTime:
      s = r.Skip(8);
      break;
    case kUuid:
      s = r.Skip(16);
      break;
    case kTimestamp:
      s = r.Skip(12);
      break;
    case kString: {
      auto n = r.ReadLength(1, "string");
      s = n.ok() ? r.Skip(*n) : n.status();
      break;
    }
    case kDecimal: {
      s = r.Skip(4);
      if (!s.ok()) break;
      auto n = r.ReadLength(1, "decimal");
      s = n.ok() ? r.Skip(*n) : n.status();
      break;
    }
    case kEnum:
    case kBinaryEnum:
      s = SkipTypeIdAndName(r, buffer, path, depth);
      if (s.ok()) s = r.Skip(4);
      break;
    case kByteArray:
    case kShortArray:
    case kIntArray:
    case kLongArray:
    case kFloatArray:
    case kDoubleArray:
    case kCharArray:
    case kBoolArray: {
      size_t size = PrimitiveSize(*code);
      auto n = r.ReadLength(size, TypeCodeName(*code));
      s = n.ok() ? r.Skip(static_cast<size_t>(*n) * size) : n.status();
      break;
    }
    case kStringArray: {
      auto n = r.ReadLength(1, "string[]");
      if (!n.ok()) return fail(n.status());
      for (int32_t i = 0; i < *n && s.ok(); ++i) {
        auto element = r.ReadUInt8();
        if (!element.ok()) return fail(element.status());
        if (*element == kNull) continue;
        if (*element != kString) {
          return ProtocolError(absl::StrCat(At(path, r.position() - 1), ": string[] element is ",
                                            TypeCodeName(*element)));
        }
        auto len = r.ReadLength(1, "string");
        s = len.ok() ? r.Skip(*len) : len.status();
      }
      break;
    }
    case kUuidArray:
    case kDateArray:
    case kTimestampArray:
    case kTimeArray:
    case kDecimalArray:
    case kEnumArray:
    case kObjectArray:
    case kCollection:
    case kMap: {
      if (*code == kEnumArray || *code == kObjectArray) {
        s = SkipTypeIdAndName(r, buffer, path, depth);
        if (!s.ok()) break;
      }
      auto n = r.ReadLength(1, TypeCodeName(*code));
      if (!n.ok()) return fail(n.status());
      if (*code == kCollection || *code == kMap) s = r.Skip(1);
      if (s.ok()) s = SkipItems(r, buffer, *code == kMap ? int64_t{*n} * 2 : *n, path, depth);
      break;
    }
    case kWrappedObject: {
      auto n = r.ReadLength(1, "wrapped object");
      s = n.ok() ? r.Skip(static_cast<size_t>(*n) + 4) : n.status();
      break;
    }
    case kHandle:
      s = r.Skip(4);
      break;
    case kOptimized: {
      auto n = r.ReadLength(1, "optimized-marshaller object");
      s = n.ok() ? r.Skip(*n) : n.status();
      break;
    }
    case kComplexObject: {
      auto layout = ParseObjectLayout(buffer, pos);
      if (!layout.ok()) return layout.status();
      return layout->end();
    }
    default:
      return UnsupportedError(absl::StrCat(path.empty() ? "value" : path, " has type ",
                                           TypeCodeName(*code),
                                           ", which this version of ignite_tf cannot read yet"));
  }
  if (!s.ok()) return fail(s);
  return r.position();
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
