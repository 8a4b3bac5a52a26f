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
  // UUID: least significant bits (`integer` holds the most); timestamp: nanoseconds within the
  // millisecond; enum: type id (`integer` holds the ordinal, `text` the name when known).
  int64_t integer2 = 0;
  // Arrays of UUID/date/timestamp/time/decimal/enum (21, 22, 34, 37, 31, 29), object arrays (23)
  // and collections (24): the elements. Maps (25): key, value, key, value, ...
  std::vector<Value> items;
  int32_t kind = 0;       // collection or map kind byte; object array component type id
  std::string type_name;  // enum: its type's name, when known (needed to register it)

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
  static Value Uuid(int64_t most, int64_t least);
  static Value Timestamp(int64_t millis, int32_t nanos);
  // `canonical`: the exact value as Java's BigDecimal.toString() writes it ("-123.45", "1E+3");
  // decoded decimals carry that text, which keeps the scale.
  static Value Decimal(std::string canonical, double approximate);
  static Value Items(TypeCode code, std::vector<Value> items, int32_t kind = 0);
};

// A short human-readable rendering for error messages: 42, "text", 1b2c...-uuid, Person{...}.
std::string DescribeValue(const Value& value, size_t max_length = 80);

struct ObjectValue {
  int32_t type_id = 0;
  int32_t schema_id = 0;
  std::string type_name;                              // empty when only the id is known
  std::vector<std::pair<std::string, Value>> fields;  // in the object's own field order
  bool has_raw = false;  // the object has a raw data section (Binarylizable rawWriter())

  const Value* Find(absl::string_view name) const;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_VALUE_H_
