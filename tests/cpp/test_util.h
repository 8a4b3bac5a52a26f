// test_util.h: helpers shared by the core unit tests.
//
//  - status matchers: IsOk(), IsOkAndHolds(m), StatusIs(code), StatusIs(code, "substring"),
//    ErrorKindIs(kind), and ASSERT_OK_AND_ASSIGN;
//  - ByteBuilder and typed-value helpers (T*) that write Ignite bytes by hand, independent of the
//    core's Writer/ValueEncoder, so decoder tests do not trust the code they check;
//  - HandObject: a complex object (103) assembled field by field with any footer shape;
//  - FakeTypeResolver: an in-memory TypeResolver;
//  - ScriptedTransport: an in-memory Transport fed with scripted chunks of bytes.
#ifndef IGNITE_TF_TESTS_CPP_TEST_UTIL_H_
#define IGNITE_TF_TESTS_CPP_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/binary/binary_type.h"
#include "core/binary/ids.h"
#include "core/binary/object_layout.h"
#include "core/binary/type_codes.h"
#include "core/binary/value.h"
#include "core/common/error.h"
#include "core/net/transport.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ignite_tf {
namespace testing {

using Bytes = std::vector<uint8_t>;

// ---------------------------------------------------------------------------------------------
// Status matchers.

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << status;
  return status.ok();
}

MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a value that matches") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

MATCHER_P(StatusIs, code,
          absl::StrCat(negation ? "is not" : "is", " an error with code ",
                       absl::StatusCodeToString(code))) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code;
}

MATCHER_P2(StatusIs, code, substring,
           absl::StrCat(negation ? "is not" : "is", " an error with code ",
                        absl::StatusCodeToString(code), " whose message contains \"",
                        std::string(substring), "\"")) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  return status.code() == code &&
         std::string(status.message()).find(std::string(substring)) != std::string::npos;
}

MATCHER_P(ErrorKindIs, kind, absl::StrCat("is tagged with error kind ", ErrorKindName(kind))) {
  const absl::Status& status = GetStatus(arg);
  std::optional<ErrorKind> got = GetErrorKind(status);
  *result_listener << "status is " << status << ", kind "
                   << (got.has_value() ? std::string(ErrorKindName(*got)) : std::string("none"));
  return got.has_value() && *got == kind;
}

// The status carries an option hint for `option` whose value is `value`.
MATCHER_P2(HasHint, option, value,
           absl::StrCat("carries the hint ", std::string(option), "=", std::string(value))) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  for (const OptionHint& hint : GetHints(status)) {
    if (hint.option == option && hint.value == value) return true;
  }
  return false;
}

#define IGNITE_TEST_CONCAT_INNER(a, b) a##b
#define IGNITE_TEST_CONCAT(a, b) IGNITE_TEST_CONCAT_INNER(a, b)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)                \
  auto tmp = (expr);                                             \
  ASSERT_TRUE(tmp.ok()) << #expr << " failed: " << tmp.status(); \
  lhs = std::move(tmp).value()
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(IGNITE_TEST_CONCAT(_test_status_or_, __LINE__), lhs, expr)

// ---------------------------------------------------------------------------------------------
// Little-endian byte assembly, written independently of core/wire/writer.h.

class ByteBuilder {
 public:
  ByteBuilder& U8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  ByteBuilder& I8(int8_t v) { return U8(static_cast<uint8_t>(v)); }
  ByteBuilder& I16(int16_t v) { return Le(static_cast<uint16_t>(v), 2); }
  ByteBuilder& U16(uint16_t v) { return Le(v, 2); }
  ByteBuilder& I32(int32_t v) { return Le(static_cast<uint32_t>(v), 4); }
  ByteBuilder& U32(uint32_t v) { return Le(v, 4); }
  ByteBuilder& I64(int64_t v) { return Le(static_cast<uint64_t>(v), 8); }
  ByteBuilder& F32(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    return Le(bits, 4);
  }
  ByteBuilder& F64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    return Le(bits, 8);
  }
  ByteBuilder& Raw(absl::string_view s) {
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return *this;
  }
  ByteBuilder& Append(const Bytes& b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }
  ByteBuilder& Fill(size_t n, uint8_t v) {
    bytes_.insert(bytes_.end(), n, v);
    return *this;
  }
  size_t size() const { return bytes_.size(); }
  Bytes Build() const { return bytes_; }
  operator Bytes() const { return bytes_; }  // NOLINT: convenient in initializer lists

 private:
  ByteBuilder& Le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Bytes bytes_;
};

inline Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Typed values, exactly as they appear on the wire.
inline Bytes TNull() { return {kNull}; }
inline Bytes TByte(int8_t v) { return ByteBuilder().U8(kByte).I8(v); }
inline Bytes TShort(int16_t v) { return ByteBuilder().U8(kShort).I16(v); }
inline Bytes TInt(int32_t v) { return ByteBuilder().U8(kInt).I32(v); }
inline Bytes TLong(int64_t v) { return ByteBuilder().U8(kLong).I64(v); }
inline Bytes TFloat(float v) { return ByteBuilder().U8(kFloat).F32(v); }
inline Bytes TDouble(double v) { return ByteBuilder().U8(kDouble).F64(v); }
inline Bytes TChar(uint16_t v) { return ByteBuilder().U8(kChar).U16(v); }
inline Bytes TBool(bool v) { return ByteBuilder().U8(kBool).U8(v ? 1 : 0); }
inline Bytes TDate(int64_t ms) { return ByteBuilder().U8(kDate).I64(ms); }
// A SQL DATE column's java.sql.Date as a 2.17 node stores it (bytes captured from a node).
inline Bytes TJavaSqlDate(int64_t ms) {
  return ByteBuilder().U8(kOptimized).I32(15).U8(0x66).I32(0x40d5de3a).U8(0x97).U8(0x66).I64(ms);
}
inline Bytes TString(absl::string_view s) {
  return ByteBuilder().U8(kString).I32(static_cast<int32_t>(s.size())).Raw(s);
}
inline Bytes TUuid(int64_t msb, int64_t lsb) { return ByteBuilder().U8(kUuid).I64(msb).I64(lsb); }
inline Bytes TIntArray(std::initializer_list<int32_t> items) {
  ByteBuilder b;
  b.U8(kIntArray).I32(static_cast<int32_t>(items.size()));
  for (int32_t v : items) b.I32(v);
  return b;
}
inline Bytes TLongArray(std::initializer_list<int64_t> items) {
  ByteBuilder b;
  b.U8(kLongArray).I32(static_cast<int32_t>(items.size()));
  for (int64_t v : items) b.I64(v);
  return b;
}
inline Bytes TDoubleArray(std::initializer_list<double> items) {
  ByteBuilder b;
  b.U8(kDoubleArray).I32(static_cast<int32_t>(items.size()));
  for (double v : items) b.F64(v);
  return b;
}
inline Bytes TStringArray(std::initializer_list<std::optional<std::string>> items) {
  ByteBuilder b;
  b.U8(kStringArray).I32(static_cast<int32_t>(items.size()));
  for (const auto& item : items) b.Append(item.has_value() ? TString(*item) : TNull());
  return b;
}
inline Bytes THandle(int32_t backward_offset) {
  return ByteBuilder().U8(kHandle).I32(backward_offset);
}
// Wrapped binary object (27): `payload` (which holds the object at `start`) and its start.
inline Bytes TWrapped(const Bytes& payload, int32_t start) {
  return ByteBuilder()
      .U8(kWrappedObject)
      .I32(static_cast<int32_t>(payload.size()))
      .Append(payload)
      .I32(start);
}

// ---------------------------------------------------------------------------------------------
// A complex object (103) assembled by hand: any footer shape, raw data, overridable header.

struct HandObject {
  int32_t type_id = 0x0BADCAFE;
  int32_t schema_id = 0x5C4E3A01;
  std::vector<std::pair<int32_t, Bytes>> fields;  // (field id, typed value bytes), write order
  Bytes raw;                                      // raw data after the fields
  bool force_raw_flag = false;                    // set HAS_RAW even when `raw` is empty
  bool compact = true;
  int offset_size = 0;               // 1, 2 or 4; 0 picks the smallest that fits, as Java does
  std::optional<int32_t> hash_code;  // default: ObjectHashCode of the data area
  std::optional<int32_t> length;     // override the header's total length
  std::optional<int32_t> schema_or_raw_offset;  // override header bytes 20..23
  uint8_t version = 1;
  uint16_t extra_flags = kFlagUserType;

  HandObject& Field(int32_t id, Bytes value) {
    fields.emplace_back(id, std::move(value));
    return *this;
  }

  Bytes Build() const {
    Bytes data;
    std::vector<uint32_t> offsets;
    for (const auto& [id, value] : fields) {
      offsets.push_back(static_cast<uint32_t>(kObjectHeaderSize + data.size()));
      data.insert(data.end(), value.begin(), value.end());
    }
    const uint32_t raw_offset = static_cast<uint32_t>(kObjectHeaderSize + data.size());
    data.insert(data.end(), raw.begin(), raw.end());
    const bool has_schema = !fields.empty();
    const bool has_raw = !raw.empty() || force_raw_flag;
    int width = offset_size;
    if (width == 0) {
      uint32_t max = offsets.empty() ? 0 : *std::max_element(offsets.begin(), offsets.end());
      width = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
    }
    uint16_t flags = extra_flags;
    if (has_schema) flags |= kFlagHasSchema;
    if (has_raw) flags |= kFlagHasRaw;
    if (compact) flags |= kFlagCompactFooter;
    if (has_schema && width == 1) flags |= kFlagOffsetOneByte;
    if (has_schema && width == 2) flags |= kFlagOffsetTwoBytes;

    ByteBuilder footer;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (!compact) footer.I32(fields[i].first);
      if (width == 1) footer.U8(static_cast<uint8_t>(offsets[i]));
      if (width == 2) footer.U16(static_cast<uint16_t>(offsets[i]));
      if (width == 4) footer.U32(offsets[i]);
    }
    if (has_schema && has_raw) footer.U32(raw_offset);

    const uint32_t schema_offset = static_cast<uint32_t>(kObjectHeaderSize + data.size());
    const uint32_t total = schema_offset + static_cast<uint32_t>(footer.size());
    int32_t header_offset = has_schema ? static_cast<int32_t>(schema_offset)
                            : has_raw  ? static_cast<int32_t>(raw_offset)
                                       : 0;  // what Java writes for an object without fields

    ByteBuilder out;
    out.U8(kComplexObject).U8(version).U16(flags).I32(type_id);
    out.I32(hash_code.value_or(ObjectHashCode(data)));
    out.I32(length.value_or(static_cast<int32_t>(total)));
    out.I32(has_schema ? schema_id : 0);
    out.I32(schema_or_raw_offset.value_or(header_offset));
    out.Append(data).Append(footer.Build());
    return out;
  }
};

// ---------------------------------------------------------------------------------------------
// Value trees.

// Empty when `a` and `b` hold the same value (NaNs compare equal, type ids/names of objects are
// compared, schema ids are not); otherwise the first difference, named by path.
inline std::string DiffValues(const Value& a, const Value& b, const std::string& path = "value") {
  if (a.code != b.code) {
    return absl::StrCat(path, ": code ", TypeCodeName(a.code), " vs ", TypeCodeName(b.code));
  }
  if (a.integer != b.integer) return absl::StrCat(path, ": ", a.integer, " vs ", b.integer);
  if (a.real != b.real && !(std::isnan(a.real) && std::isnan(b.real))) {
    return absl::StrCat(path, ": ", a.real, " vs ", b.real);
  }
  if (a.text != b.text) return absl::StrCat(path, ": \"", a.text, "\" vs \"", b.text, "\"");
  if (a.elements != b.elements) return absl::StrCat(path, ": array elements differ");
  if (a.strings != b.strings) return absl::StrCat(path, ": string[] elements differ");
  if (a.integer2 != b.integer2) return absl::StrCat(path, ": ", a.integer2, " vs ", b.integer2);
  if (a.kind != b.kind) return absl::StrCat(path, ": kind ", a.kind, " vs ", b.kind);
  if (a.items.size() != b.items.size()) {
    return absl::StrCat(path, ": ", a.items.size(), " items vs ", b.items.size());
  }
  for (size_t i = 0; i < a.items.size(); ++i) {
    std::string diff = DiffValues(a.items[i], b.items[i], absl::StrCat(path, "[", i, "]"));
    if (!diff.empty()) return diff;
  }
  if ((a.object == nullptr) != (b.object == nullptr))
    return absl::StrCat(path, ": object presence");
  if (a.object != nullptr) {
    const ObjectValue& x = *a.object;
    const ObjectValue& y = *b.object;
    if (x.type_id != y.type_id)
      return absl::StrCat(path, ": type id ", x.type_id, " vs ", y.type_id);
    if (x.fields.size() != y.fields.size()) {
      return absl::StrCat(path, ": ", x.fields.size(), " fields vs ", y.fields.size());
    }
    for (size_t i = 0; i < x.fields.size(); ++i) {
      if (x.fields[i].first != y.fields[i].first) {
        return absl::StrCat(path, ": field #", i, " '", x.fields[i].first, "' vs '",
                            y.fields[i].first, "'");
      }
      std::string diff = DiffValues(x.fields[i].second, y.fields[i].second,
                                    absl::StrCat(path, ".", x.fields[i].first));
      if (!diff.empty()) return diff;
    }
  }
  return "";
}

// Packs fixed-width elements little-endian, as Value::elements holds them.
template <typename T>
Bytes Packed(std::initializer_list<T> items) {
  Bytes out(items.size() * sizeof(T));
  size_t at = 0;
  for (T v : items) {
    std::memcpy(out.data() + at, &v, sizeof(T));
    at += sizeof(T);
  }
  return out;
}

inline Value ObjectOf(std::string type_name, std::vector<std::pair<std::string, Value>> fields) {
  auto object = std::make_shared<ObjectValue>();
  object->type_id = BinaryNameId(type_name);
  object->type_name = std::move(type_name);
  object->fields = std::move(fields);
  return Value::Object(std::move(object));
}

// ---------------------------------------------------------------------------------------------
// Type metadata for tests.

struct FieldSpec {
  std::string name;
  int32_t type_code;
  int32_t id;  // 0: BinaryNameId(name)
};

// A type with the given fields; `schemas` maps schema id -> field ids in write order.
inline BinaryType MakeType(int32_t type_id, std::string name, std::vector<FieldSpec> fields,
                           std::vector<std::pair<int32_t, std::vector<int32_t>>> schemas) {
  BinaryType t;
  t.type_id = type_id;
  t.type_name = std::move(name);
  for (FieldSpec& f : fields) {
    t.fields.push_back(BinaryField{f.name, f.type_code, f.id != 0 ? f.id : BinaryNameId(f.name)});
  }
  for (auto& [id, ids] : schemas) t.schemas[id] = std::move(ids);
  return t;
}

class FakeTypeResolver : public TypeResolver {
 public:
  FakeTypeResolver() = default;
  explicit FakeTypeResolver(std::vector<BinaryType> types) {
    for (BinaryType& t : types) Add(std::move(t));
  }

  // Adds a type; for a type id already known, adds the new schemas and fields to it instead.
  void Add(BinaryType type) {
    auto it = types_.find(type.type_id);
    if (it == types_.end()) {
      int32_t id = type.type_id;
      types_[id] = std::make_shared<BinaryType>(std::move(type));
      return;
    }
    BinaryType& known = *it->second;
    for (auto& [id, ids] : type.schemas) known.schemas[id] = ids;
    for (BinaryField& f : type.fields) {
      if (known.FieldById(f.id) == nullptr) known.fields.push_back(f);
    }
  }

  absl::StatusOr<std::shared_ptr<const BinaryType>> Resolve(int32_t type_id,
                                                            int32_t schema_id) override {
    ++calls_;
    auto it = types_.find(type_id);
    if (it == types_.end()) {
      return ProtocolError(absl::StrCat("fake resolver: no binary type id ", type_id,
                                        " (schema id ", schema_id, ")"));
    }
    if (it->second->Schema(schema_id) == nullptr) {
      return ProtocolError(absl::StrCat("fake resolver: binary type id ", type_id,
                                        " has no schema with id ", schema_id));
    }
    return std::shared_ptr<const BinaryType>(it->second);
  }

  absl::StatusOr<std::shared_ptr<const BinaryType>> ResolveType(int32_t type_id) override {
    ++calls_;
    auto it = types_.find(type_id);
    if (it == types_.end()) {
      return ProtocolError(absl::StrCat("fake resolver: no binary type id ", type_id));
    }
    return std::shared_ptr<const BinaryType>(it->second);
  }

  int calls() const { return calls_; }

 private:
  absl::flat_hash_map<int32_t, std::shared_ptr<BinaryType>> types_;
  int calls_ = 0;
};

// ---------------------------------------------------------------------------------------------
// An in-memory Transport: reads are served from scripted chunks (at most one chunk, and at most
// `max_read` bytes, per ReadSome), writes are recorded. When the script runs out, the peer is
// taken to have closed the connection.

class ScriptedTransport : public Transport {
 public:
  explicit ScriptedTransport(std::vector<Bytes> chunks, size_t max_read = SIZE_MAX)
      : chunks_(chunks.begin(), chunks.end()), max_read_(max_read) {}

  absl::Status WriteAll(absl::Span<const uint8_t> data) override {
    if (closed_) return ConnectionError("scripted transport is closed");
    written_.insert(written_.end(), data.begin(), data.end());
    return absl::OkStatus();
  }

  absl::StatusOr<size_t> ReadSome(absl::Span<uint8_t> buffer) override {
    ++reads_;
    if (closed_) return ConnectionError("scripted transport is closed");
    while (!chunks_.empty() && chunks_.front().empty()) chunks_.pop_front();
    if (chunks_.empty()) return ConnectionError(absl::StrCat("connection closed by ", peer_));
    Bytes& chunk = chunks_.front();
    size_t n = std::min({chunk.size(), buffer.size(), max_read_});
    std::memcpy(buffer.data(), chunk.data(), n);
    chunk.erase(chunk.begin(), chunk.begin() + static_cast<ptrdiff_t>(n));
    if (chunk.empty()) chunks_.pop_front();
    return n;
  }

  void Close() override { closed_ = true; }
  const std::string& peer() const override { return peer_; }

  const Bytes& written() const { return written_; }
  int reads() const { return reads_; }
  size_t unread() const {
    size_t n = 0;
    for (const Bytes& c : chunks_) n += c.size();
    return n;
  }

 private:
  std::deque<Bytes> chunks_;
  size_t max_read_;
  Bytes written_;
  bool closed_ = false;
  int reads_ = 0;
  std::string peer_ = "scripted-host:10800";
};

}  // namespace testing

// gtest printers, so failures show values instead of raw bytes.
inline void PrintTo(const Value& v, std::ostream* os) {
  *os << TypeCodeName(v.code);
  switch (v.code) {
    case kNull:
      return;
    case kFloat:
    case kDouble:
      *os << " " << v.real;
      return;
    case kString:
      *os << " \"" << v.text << "\"";
      return;
    case kComplexObject:
      if (v.object == nullptr) return;
      *os << " " << v.object->type_name << "{";
      for (const auto& [name, field] : v.object->fields) {
        *os << name << ": ";
        PrintTo(field, os);
        *os << "; ";
      }
      *os << "}";
      return;
    default:
      if (v.code >= kByteArray && v.code <= kStringArray) {
        *os << " of " << v.ArrayLength();
      } else {
        *os << " " << v.integer;
      }
  }
}

}  // namespace ignite_tf

namespace absl {
ABSL_NAMESPACE_BEGIN
template <typename T>
void PrintTo(const StatusOr<T>& s, std::ostream* os) {
  if (s.ok()) {
    *os << "OK: " << ::testing::PrintToString(*s);
  } else {
    *os << s.status();
  }
}
ABSL_NAMESPACE_END
}  // namespace absl

#endif  // IGNITE_TF_TESTS_CPP_TEST_UTIL_H_
