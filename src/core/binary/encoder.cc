#include "core/binary/encoder.h"

#include "absl/strings/str_cat.h"
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
    default:
      return UnsupportedError(
          absl::StrCat("cannot write values of type ", TypeCodeName(v.code), " yet"));
  }
}

absl::Status ValueEncoder::EncodeObject(const ObjectValue& object, Writer& w) {
  if (object.type_name.empty()) {
    return absl::InvalidArgumentError("an object to write needs a type name");
  }
  BinaryType type;
  type.type_name = object.type_name;
  type.type_id = BinaryNameId(object.type_name);

  const size_t start = w.size();
  w.WriteUInt8(kComplexObject);
  w.WriteUInt8(1);
  w.WriteUInt16(0);  // flags, patched below
  w.WriteInt32(type.type_id);
  w.WriteInt32(0);  // hash code
  w.WriteInt32(0);  // total length
  w.WriteInt32(0);  // schema id
  w.WriteInt32(0);  // schema offset

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
  const size_t data_end = w.size();
  uint16_t flags = kFlagUserType | kFlagCompactFooter;
  if (!offsets.empty()) {
    flags |= kFlagHasSchema;
    uint32_t max_offset = offsets.back();
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
  const int32_t schema_id = SchemaIdOf(field_ids);
  type.schemas[schema_id] = field_ids;
  const auto& buf = w.buffer();
  int32_t hash = ObjectHashCode(absl::MakeConstSpan(buf.data() + start + kObjectHeaderSize,
                                                    data_end - start - kObjectHeaderSize));
  w.PatchAt<uint16_t>(start + 2, flags);
  w.PatchAt<int32_t>(start + 8, hash);
  w.PatchAt<int32_t>(start + 12, static_cast<int32_t>(w.size() - start));
  w.PatchAt<int32_t>(start + 16, schema_id);
  w.PatchAt<int32_t>(start + 20,
                     static_cast<int32_t>(offsets.empty() ? kObjectHeaderSize : data_end - start));
  types_.push_back(std::move(type));
  return absl::OkStatus();
}

}  // namespace ignite_tf
