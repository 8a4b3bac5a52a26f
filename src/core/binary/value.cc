#include "core/binary/value.h"

#include "absl/strings/str_cat.h"

namespace ignite_tf {

size_t Value::ArrayLength() const {
  if (code == kStringArray) return strings.size();
  if (code == kMap) return items.size() / 2;
  if (!items.empty() || code == kObjectArray || code == kCollection || code == kUuidArray ||
      code == kDateArray || code == kTimestampArray || code == kTimeArray ||
      code == kDecimalArray || code == kEnumArray) {
    return items.size();
  }
  int size = PrimitiveSize(code);
  return size == 0 ? 0 : elements.size() / size;
}

Value Value::Integer(TypeCode code, int64_t v) {
  Value out;
  out.code = code;
  out.integer = v;
  return out;
}

Value Value::Real(TypeCode code, double v) {
  Value out;
  out.code = code;
  out.real = v;
  return out;
}

Value Value::String(std::string s) {
  Value out;
  out.code = kString;
  out.text = std::move(s);
  return out;
}

Value Value::Array(TypeCode code, std::vector<uint8_t> packed) {
  Value out;
  out.code = code;
  out.elements = std::move(packed);
  return out;
}

Value Value::StringArray(std::vector<std::optional<std::string>> items) {
  Value out;
  out.code = kStringArray;
  out.strings = std::move(items);
  return out;
}

Value Value::Object(std::shared_ptr<ObjectValue> object) {
  Value out;
  out.code = kComplexObject;
  out.object = std::move(object);
  return out;
}

Value Value::Uuid(int64_t most, int64_t least) {
  Value out;
  out.code = kUuid;
  out.integer = most;
  out.integer2 = least;
  return out;
}

Value Value::Timestamp(int64_t millis, int32_t nanos) {
  Value out;
  out.code = kTimestamp;
  out.integer = millis;
  out.integer2 = nanos;
  return out;
}

Value Value::Decimal(std::string canonical, double approximate) {
  Value out;
  out.code = kDecimal;
  out.text = std::move(canonical);
  out.real = approximate;
  return out;
}

Value Value::Items(TypeCode code, std::vector<Value> items, int32_t kind) {
  Value out;
  out.code = code;
  out.items = std::move(items);
  out.kind = kind;
  return out;
}

std::string DescribeValue(const Value& v, size_t max_length) {
  std::string out;
  switch (v.code) {
    case kNull:
      out = "null";
      break;
    case kByte:
    case kShort:
    case kInt:
    case kLong:
    case kChar:
    case kDate:
    case kTime:
      out = absl::StrCat(v.integer);
      break;
    case kBool:
      out = v.integer != 0 ? "true" : "false";
      break;
    case kFloat:
    case kDouble:
      out = absl::StrCat(v.real);
      break;
    case kString:
      out = absl::StrCat("\"", v.text, "\"");
      break;
    case kDecimal:
      out = v.text;
      break;
    case kUuid:
      out = absl::StrCat(absl::Hex(static_cast<uint64_t>(v.integer), absl::kZeroPad16),
                         absl::Hex(static_cast<uint64_t>(v.integer2), absl::kZeroPad16));
      break;
    case kComplexObject: {
      out = absl::StrCat(v.object->type_name.empty() ? absl::StrCat("type ", v.object->type_id)
                                                     : v.object->type_name,
                         "{");
      bool first = true;
      for (const auto& [name, field] : v.object->fields) {
        absl::StrAppend(&out, first ? "" : ", ", name, "=", DescribeValue(field, max_length));
        first = false;
        if (out.size() > max_length) break;
      }
      out += "}";
      break;
    }
    default:
      out = TypeCodeName(v.code);
  }
  if (out.size() > max_length) out = absl::StrCat(out.substr(0, max_length), "...");
  return out;
}

const Value* ObjectValue::Find(absl::string_view name) const {
  for (const auto& [field_name, value] : fields) {
    if (field_name == name) return &value;
  }
  return nullptr;
}

}  // namespace ignite_tf
