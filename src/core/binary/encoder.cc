#include "core/binary/encoder.h"

#include "absl/strings/str_cat.h"
#include "core/binary/decimal.h"
#include "core/binary/ids.h"
#include "core/binary/object_layout.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"

namespace ignite_tf {

absl::Status ValueEncoder::Encode(const Value& v, Writer& w) {
  switch (v.code) {
    case kNull:
      w.WriteNull();
      return absl::OkStatus();
    case kByte:
      w.WriteUInt8(kByte);
      w.WriteInt8(static_cast<int8_t>(v.integer));
      return absl::OkStatus();
    case kShort:
      w.WriteUInt8(kShort);
      w.WriteInt16(static_cast<int16_t>(v.integer));
      return absl::OkStatus();
    case kInt:
      w.WriteUInt8(kInt);
      w.WriteInt32(static_cast<int32_t>(v.integer));
      return absl::OkStatus();
    case kLong:
    case kDate:
      w.WriteUInt8(v.code);
      w.WriteInt64(v.integer);
      return absl::OkStatus();
    case kFloat:
      w.WriteUInt8(kFloat);
      w.WriteFloat(static_cast<float>(v.real));
      return absl::OkStatus();
    case kDouble:
      w.WriteUInt8(kDouble);
      w.WriteDouble(v.real);
      return absl::OkStatus();
    case kChar:
      w.WriteUInt8(kChar);
      w.WriteUInt16(static_cast<uint16_t>(v.integer));
      return absl::OkStatus();
    case kBool:
      w.WriteUInt8(kBool);
      w.WriteBool(v.integer != 0);
      return absl::OkStatus();
    case kString:
      w.WriteString(v.text);
      return absl::OkStatus();
    case kByteArray:
    case kShortArray:
    case kIntArray:
    case kLongArray:
    case kFloatArray:
    case kDoubleArray:
    case kCharArray:
    case kBoolArray: {
      int size = PrimitiveSize(v.code);
      if (v.elements.size() % size != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(TypeCodeName(v.code), " value holds a partial element"));
      }
      w.WriteUInt8(v.code);
      w.WriteInt32(static_cast<int32_t>(v.elements.size() / size));
      w.WriteBytes(v.elements);
      return absl::OkStatus();
    }
    case kStringArray:
      w.WriteUInt8(kStringArray);
      w.WriteInt32(static_cast<int32_t>(v.strings.size()));
      for (const auto& s : v.strings) {
        if (s.has_value()) {
          w.WriteString(*s);
        } else {
          w.WriteNull();
        }
      }
      return absl::OkStatus();
    case kComplexObject:
      if (v.object == nullptr) return absl::InvalidArgumentError("object value without fields");
      return EncodeObject(*v.object, w);
    case kUuid:
      w.WriteUInt8(kUuid);
      w.WriteInt64(v.integer);
      w.WriteInt64(v.integer2);
      return absl::OkStatus();
    case kTimestamp:
      w.WriteUInt8(kTimestamp);
      w.WriteInt64(v.integer);
      w.WriteInt32(static_cast<int32_t>(v.integer2));
      return absl::OkStatus();
    case kTime:
      w.WriteUInt8(kTime);
      w.WriteInt64(v.integer);
      return absl::OkStatus();
    case kDecimal: {
      IGNITE_ASSIGN_OR_RETURN(EncodedDecimal d, EncodeDecimal(v.text));
      w.WriteUInt8(kDecimal);
      w.WriteInt32(d.scale);
      w.WriteInt32(static_cast<int32_t>(d.bytes.size()));
      w.WriteBytes(d.bytes);
      return absl::OkStatus();
    }
    case kEnum:
    case kBinaryEnum: {
      if (v.integer2 == 0) return absl::InvalidArgumentError("an enum to write needs its type");
      if (!v.type_name.empty() && !v.text.empty()) {
        BinaryType type;
        type.type_id = static_cast<int32_t>(v.integer2);
        type.type_name = v.type_name;
        type.is_enum = true;
        type.enum_values.emplace_back(v.text, static_cast<int32_t>(v.integer));
        types_.push_back(std::move(type));
      }
      w.WriteUInt8(kBinaryEnum);
      w.WriteInt32(static_cast<int32_t>(v.integer2));
      w.WriteInt32(static_cast<int32_t>(v.integer));
      return absl::OkStatus();
    }
    case kUuidArray:
    case kDateArray:
    case kTimestampArray:
    case kTimeArray:
    case kDecimalArray:
    case kObjectArray:
    case kCollection:
    case kMap: {
      if (v.code == kMap && v.items.size() % 2 != 0) {
        return absl::InvalidArgumentError("a map needs a value for every key");
      }
      w.WriteUInt8(v.code);
      if (v.code == kObjectArray) w.WriteInt32(v.kind == 0 ? -1 : v.kind);
      w.WriteInt32(static_cast<int32_t>(v.code == kMap ? v.items.size() / 2 : v.items.size()));
      if (v.code == kCollection || v.code == kMap) {
        w.WriteInt8(static_cast<int8_t>(v.kind != 0 ? v.kind : 1));
      }
      const int32_t element = TypedArrayElementCode(v.code);  // 0: elements of any type
      for (size_t i = 0; i < v.items.size(); ++i) {
        const Value& item = v.items[i];
        if (element != 0 && !item.is_null() && item.code != element) {
          return absl::InvalidArgumentError(
              absl::StrCat(TypeCodeName(v.code), " element #", i, " is ", TypeCodeName(item.code)));
        }
        IGNITE_RETURN_IF_ERROR(Encode(item, w));
      }
      return absl::OkStatus();
    }
    default:
      return UnsupportedError(
          absl::StrCat("cannot write values of type ", TypeCodeName(v.code), " yet"));
  }
}

size_t StartObject(Writer& w, int32_t type_id, int32_t schema_id) {
  const size_t start = w.size();
  w.WriteUInt8(kComplexObject);
  w.WriteUInt8(1);
  w.WriteUInt16(0);  // flags
  w.WriteInt32(type_id);
  w.WriteInt32(0);  // hash code
  w.WriteInt32(0);  // total length
  w.WriteInt32(schema_id);
  w.WriteInt32(0);  // schema offset
  return start;
}

void FinishObject(Writer& w, size_t start, absl::Span<const uint32_t> offsets) {
  const size_t data_end = w.size();
  uint16_t flags = kFlagUserType | kFlagCompactFooter;
  if (!offsets.empty()) {
    flags |= kFlagHasSchema;
    const uint32_t max_offset = offsets.back();
    if (max_offset < 0x100) {
      flags |= kFlagOffsetOneByte;
      for (uint32_t off : offsets) w.WriteUInt8(static_cast<uint8_t>(off));
    } else if (max_offset < 0x10000) {
      flags |= kFlagOffsetTwoBytes;
      for (uint32_t off : offsets) w.WriteUInt16(static_cast<uint16_t>(off));
    } else {
      for (uint32_t off : offsets) w.WriteInt32(static_cast<int32_t>(off));
    }
  }
  const uint8_t* buf = w.buffer().data();
  const int32_t hash = ObjectHashCode(
      absl::MakeConstSpan(buf + start + kObjectHeaderSize, data_end - start - kObjectHeaderSize));
  w.PatchAt<uint16_t>(start + 2, flags);
  w.PatchAt<int32_t>(start + 8, hash);
  w.PatchAt<int32_t>(start + 12, static_cast<int32_t>(w.size() - start));
  w.PatchAt<int32_t>(start + 20,
                     static_cast<int32_t>(offsets.empty() ? kObjectHeaderSize : data_end - start));
}

absl::Status ValueEncoder::EncodeObject(const ObjectValue& object, Writer& w) {
  if (object.type_name.empty()) {
    return absl::InvalidArgumentError("an object to write needs a type name");
  }
  BinaryType type;
  type.type_name = object.type_name;
  type.type_id = BinaryNameId(object.type_name);

  const size_t start = StartObject(w, type.type_id, 0);  // the schema id is patched below
  std::vector<int32_t> field_ids;
  std::vector<uint32_t> offsets;
  for (const auto& [name, value] : object.fields) {
    int32_t id = BinaryNameId(name);
    for (int32_t seen : field_ids) {
      if (seen == id) {
        return absl::InvalidArgumentError(
            absl::StrCat("object of type ", object.type_name, " has field '", name,
                         "' twice (field names are case-insensitive in Ignite)"));
      }
    }
    offsets.push_back(static_cast<uint32_t>(w.size() - start));
    field_ids.push_back(id);
    // A null's type is unknown: it is registered as Java's generic Object, as Ignite does for
    // untyped fields.
    type.fields.push_back(BinaryField{name, value.is_null() ? kComplexObject : value.code, id});
    IGNITE_RETURN_IF_ERROR(
        Annotate(Encode(value, w), absl::StrCat("field '", name, "' of ", object.type_name)));
  }
  const int32_t schema_id = SchemaIdOf(field_ids);
  type.schemas[schema_id] = field_ids;
  w.PatchAt<int32_t>(start + 16, schema_id);
  FinishObject(w, start, offsets);
  types_.push_back(std::move(type));
  return absl::OkStatus();
}

}  // namespace ignite_tf
