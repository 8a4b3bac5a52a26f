#include "core/binary/type_codes.h"

#include <string>

namespace ignite_tf {

std::string TypeCodeName(int code) {
  const char* name = nullptr;
  switch (code) {
    case kByte:
      name = "byte";
      break;
    case kShort:
      name = "short";
      break;
    case kInt:
      name = "int";
      break;
    case kLong:
      name = "long";
      break;
    case kFloat:
      name = "float";
      break;
    case kDouble:
      name = "double";
      break;
    case kChar:
      name = "char";
      break;
    case kBool:
      name = "bool";
      break;
    case kString:
      name = "string";
      break;
    case kUuid:
      name = "UUID";
      break;
    case kDate:
      name = "date";
      break;
    case kByteArray:
      name = "byte[]";
      break;
    case kShortArray:
      name = "short[]";
      break;
    case kIntArray:
      name = "int[]";
      break;
    case kLongArray:
      name = "long[]";
      break;
    case kFloatArray:
      name = "float[]";
      break;
    case kDoubleArray:
      name = "double[]";
      break;
    case kCharArray:
      name = "char[]";
      break;
    case kBoolArray:
      name = "bool[]";
      break;
    case kStringArray:
      name = "string[]";
      break;
    case kUuidArray:
      name = "UUID[]";
      break;
    case kDateArray:
      name = "date[]";
      break;
    case kObjectArray:
      name = "object[]";
      break;
    case kCollection:
      name = "collection";
      break;
    case kMap:
      name = "map";
      break;
    case kWrappedObject:
      name = "wrapped object";
      break;
    case kEnum:
      name = "enum";
      break;
    case kEnumArray:
      name = "enum[]";
      break;
    case kDecimal:
      name = "decimal";
      break;
    case kDecimalArray:
      name = "decimal[]";
      break;
    case kClass:
      name = "class";
      break;
    case kTimestamp:
      name = "timestamp";
      break;
    case kTimestampArray:
      name = "timestamp[]";
      break;
    case kProxy:
      name = "proxy";
      break;
    case kTime:
      name = "time";
      break;
    case kTimeArray:
      name = "time[]";
      break;
    case kBinaryEnum:
      name = "binary enum";
      break;
    case kNull:
      name = "null";
      break;
    case kHandle:
      name = "handle";
      break;
    case kComplexObject:
      name = "complex object";
      break;
    case kOptimized:
      name = "optimized-marshaller object";
      break;
    default:
      return "unknown type code " + std::to_string(code);
  }
  return std::string(name) + " (" + std::to_string(code) + ")";
}

int PrimitiveSize(int code) {
  switch (code) {
    case kByte:
    case kBool:
    case kByteArray:
    case kBoolArray:
      return 1;
    case kShort:
    case kChar:
    case kShortArray:
    case kCharArray:
      return 2;
    case kInt:
    case kFloat:
    case kIntArray:
    case kFloatArray:
      return 4;
    case kLong:
    case kDouble:
    case kLongArray:
    case kDoubleArray:
      return 8;
    default:
      return 0;
  }
}

int ArrayElementCode(int code) {
  switch (code) {
    case kByteArray:
      return kByte;
    case kShortArray:
      return kShort;
    case kIntArray:
      return kInt;
    case kLongArray:
      return kLong;
    case kFloatArray:
      return kFloat;
    case kDoubleArray:
      return kDouble;
    case kCharArray:
      return kChar;
    case kBoolArray:
      return kBool;
    case kStringArray:
      return kString;
    default:
      return 0;
  }
}

int32_t TypedArrayElementCode(int32_t array_code) {
  switch (array_code) {
    case kUuidArray:
      return kUuid;
    case kDateArray:
      return kDate;
    case kDecimalArray:
      return kDecimal;
    case kTimestampArray:
      return kTimestamp;
    case kTimeArray:
      return kTime;
    default:
      return ArrayElementCode(array_code);
  }
}

}  // namespace ignite_tf
