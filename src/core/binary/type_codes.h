// binary/type_codes.h: Ignite binary type codes (GridBinaryMarshaller) and their names.
#ifndef IGNITE_TF_CORE_BINARY_TYPE_CODES_H_
#define IGNITE_TF_CORE_BINARY_TYPE_CODES_H_

#include <cstdint>
#include <string>

namespace ignite_tf {

enum TypeCode : uint8_t {
  kByte = 1,
  kShort = 2,
  kInt = 3,
  kLong = 4,
  kFloat = 5,
  kDouble = 6,
  kChar = 7,
  kBool = 8,
  kString = 9,
  kUuid = 10,
  kDate = 11,
  kByteArray = 12,
  kShortArray = 13,
  kIntArray = 14,
  kLongArray = 15,
  kFloatArray = 16,
  kDoubleArray = 17,
  kCharArray = 18,
  kBoolArray = 19,
  kStringArray = 20,
  kUuidArray = 21,
  kDateArray = 22,
  kObjectArray = 23,
  kCollection = 24,
  kMap = 25,
  kWrappedObject = 27,
  kEnum = 28,
  kEnumArray = 29,
  kDecimal = 30,
  kDecimalArray = 31,
  kClass = 32,
  kTimestamp = 33,
  kTimestampArray = 34,
  kProxy = 35,
  kTime = 36,
  kTimeArray = 37,
  kBinaryEnum = 38,
  kNull = 101,
  kHandle = 102,
  kComplexObject = 103,
  kOptimized = 254,
};

// "int (3)", "complex object (103)", "unknown type code 77".
std::string TypeCodeName(int code);

// Size in bytes of one element of a primitive (1-8) or primitive array (12-19) type; 0 otherwise.
int PrimitiveSize(int code);

// For a primitive array code (12-19) returns its element code (1-8); for 20 returns 9; else 0.
int ArrayElementCode(int code);

// The element code of any typed array: as ArrayElementCode for 12-20, and 21 UUID[] -> 10,
// 22 -> 11, 31 -> 30, 34 -> 33, 37 -> 36; 0 for other codes.
int32_t TypedArrayElementCode(int32_t array_code);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_TYPE_CODES_H_
