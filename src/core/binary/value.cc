#include "core/binary/value.h"

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

const Value* ObjectValue::Find(absl::string_view name) const {
  for (const auto& [field_name, value] : fields) {
    if (field_name == name) return &value;
  }
  return nullptr;
}

}  // namespace ignite_tf
