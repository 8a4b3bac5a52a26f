// binary/value.h: a decoded Ignite value as a tree, for single gets, SQL results, schema
// inference and for building values to put. Bulk reads do not use it: they decode straight
// into columns (columnar/).
#ifndef IGNITE_TF_CORE_BINARY_VALUE_H_
#define IGNITE_TF_CORE_BINARY_VALUE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "core/binary/type_codes.h"

namespace ignite_tf {

struct ObjectValue;

struct Value {
  TypeCode code = kNull;
  int64_t integer = 0;            // byte, short, int, long, char, bool, date (ms since the epoch)
  double real = 0;                // float, double
  std::string text;               // string (UTF-8)
  std::vector<uint8_t> elements;  // primitive arrays (12-19): packed little-endian elements
  std::vector<std::optional<std::string>> strings;  // string[] (20); nullopt = null element
  std::shared_ptr<ObjectValue> object;              // complex object (103)

  bool is_null() const { return code == kNull; }
  // Number of elements of an array value.
  size_t ArrayLength() const;

  static Value Null() { return Value{}; }
  static Value Integer(TypeCode code, int64_t v);
  static Value Real(TypeCode code, double v);
  static Value String(std::string s);
  static Value Array(TypeCode code, std::vector<uint8_t> packed);
  static Value StringArray(std::vector<std::optional<std::string>> items);
  static Value Object(std::shared_ptr<ObjectValue> object);
};

struct ObjectValue {
  int32_t type_id = 0;
  int32_t schema_id = 0;
  std::string type_name;                              // empty when only the id is known
  std::vector<std::pair<std::string, Value>> fields;  // in the object's own field order

  const Value* Find(absl::string_view name) const;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_VALUE_H_
