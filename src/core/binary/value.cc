#include "core/binary/value.h"

namespace ignite_tf {

size_t Value::ArrayLength() const {
  if (code == kStringArray) return strings.size();
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

const Value* ObjectValue::Find(absl::string_view name) const {
  for (const auto& [field_name, value] : fields) {
    if (field_name == name) return &value;
  }
  return nullptr;
}

}  // namespace ignite_tf
