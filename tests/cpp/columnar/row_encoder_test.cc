#include "core/columnar/row_encoder.h"

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/binary/encoder.h"
#include "core/binary/object_layout.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"
#include "core/wire/writer.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::StatusIs;

template <typename T>
ColumnView Scalars(const std::string& name, SourceType source, const std::vector<T>& values) {
  ColumnView c;
  c.name = name;
  c.source = source;
  c.rows = static_cast<int64_t>(values.size());
  c.data = reinterpret_cast<const uint8_t*>(values.data());
  c.row_stride = sizeof(T);
  return c;
}

// A ragged column over `elements` of `data` (strings: bytes) with rows + 1 `offsets`.
ColumnView Ragged(const std::string& name, SourceType source, const void* data, int64_t elements,
                  const std::vector<int64_t>& offsets) {
  ColumnView c;
  c.name = name;
  c.source = source;
  c.rows = static_cast<int64_t>(offsets.size()) - 1;
  c.data = static_cast<const uint8_t*>(data);
  c.offsets = offsets.data();
  c.data_elements = elements;
  return c;
}

// The bytes the generic encoder (checked against real nodes) writes for `v`.
Bytes Generic(const Value& v) {
  ValueEncoder encoder;
  Writer w;
  EXPECT_THAT(encoder.Encode(v, w), IsOk());
  return w.Release();
}

Bytes Key(const RowEncoder& e, const RowSource& s, int64_t row) {
  Writer w;
  e.EncodeKey(s, row, w);
  return w.Release();
}

Bytes Val(const RowEncoder& e, const RowSource& s, int64_t row) {
  Writer w;
  e.EncodeValue(s, row, w);
  return w.Release();
}

Value Packed(TypeCode code, const void* data, size_t bytes) {
  const auto* p = static_cast<const uint8_t*>(data);
  return Value::Array(code, std::vector<uint8_t>(p, p + bytes));
}

Value ObjectOf(const std::string& type, std::vector<std::pair<std::string, Value>> fields) {
  auto o = std::make_shared<ObjectValue>();
  o->type_name = type;
  o->fields = std::move(fields);
  return Value::Object(o);
}

TEST(RowEncoderTest, ObjectsFromColumnsEqualTheGenericEncodersBytes) {
  // MNIST-shaped rows: an int label, a 2-D uint8 array as byte[] per row, a float64 score with
  // a null, a string, a timestamp, nested fields.
  const std::vector<int32_t> labels = {7, -1, 2147483647};
  std::vector<uint8_t> pixels(3 * 5);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(250 + i);
  const std::vector<double> scores = {0.5, std::nan(""), -2.25};
  const std::vector<uint8_t> score_valid = {1, 0, 1};
  const std::string text = "abcdéf";
  const std::vector<int64_t> text_offsets = {0, 3, 3, static_cast<int64_t>(text.size())};
  const std::vector<int64_t> times = {1500000001, -1, std::numeric_limits<int64_t>::min()};
  const std::vector<int16_t> depth = {1, 2, 3};
  const std::vector<uint8_t> flags = {1, 0, 1};

  RowSource s;
  s.rows = 3;
  s.columns.push_back(Scalars("label", SourceType::kInt32, labels));
  ColumnView px;
  px.name = "pixels";
  px.source = SourceType::kUInt8;
  px.rows = 3;
  px.data = pixels.data();
  px.row_stride = 5;
  px.width = 5;
  s.columns.push_back(px);
  ColumnView score = Scalars("score", SourceType::kFloat64, scores);
  score.valid = score_valid.data();
  s.columns.push_back(score);
  s.columns.push_back(Ragged("meta.name", SourceType::kUtf8, text.data(),
                             static_cast<int64_t>(text.size()), text_offsets));
  ColumnView at = Scalars("meta.at", SourceType::kDatetime64, times);
  at.datetime_unit_ns = 1000;  // microseconds
  s.columns.push_back(at);
  s.columns.push_back(Scalars("depth", SourceType::kInt16, depth));
  s.columns.push_back(Scalars("meta.ok", SourceType::kBool, flags));

  RowLayout layout;
  layout.type_name = "Row";
  layout.first_key = 100;
  ASSERT_OK_AND_ASSIGN(RowEncoder e, RowEncoder::Plan(s.columns, layout));
  ASSERT_THAT(e.Validate(s), IsOk());

  const std::vector<std::string> names = {"abc", "", "déf"};
  const std::vector<Value> stamps = {Value::Timestamp(1500000, 1000), Value::Timestamp(-1, 999000),
                                     Value::Null()};
  for (int64_t r = 0; r < 3; ++r) {
    const Value expected =
        ObjectOf("Row", {{"label", Value::Integer(kInt, labels[r])},
                         {"pixels", Packed(kByteArray, pixels.data() + 5 * r, 5)},
                         {"score", r == 1 ? Value::Null() : Value::Real(kDouble, scores[r])},
                         {"meta", ObjectOf("Row.meta", {{"name", Value::String(names[r])},
                                                        {"at", stamps[r]},
                                                        {"ok", Value::Integer(kBool, flags[r])}})},
                         {"depth", Value::Integer(kShort, depth[r])}});
    EXPECT_EQ(Val(e, s, r), Generic(expected)) << "row " << r;
    EXPECT_EQ(Key(e, s, r), Generic(Value::Integer(kLong, 100 + r))) << "row " << r;
  }
  // The metadata names each field's type, the nested object's too, with one schema each.
  ASSERT_EQ(e.types().size(), 2u);
  EXPECT_EQ(e.types()[0].type_name, "Row");
  EXPECT_EQ(e.types()[1].type_name, "Row.meta");
  ASSERT_EQ(e.types()[0].fields.size(), 5u);
  EXPECT_EQ(e.types()[0].fields[2].type_code, kDouble);  // although a row is null
  EXPECT_EQ(e.types()[0].fields[3].type_code, kComplexObject);
  EXPECT_EQ(e.types()[1].fields[1].type_code, kTimestamp);
  EXPECT_EQ(e.types()[0].schemas.size(), 1u);
  // Generated keys go on where the chunk stopped.
  e.Advance(3);
  EXPECT_EQ(Key(e, s, 0), Generic(Value::Integer(kLong, 103)));
  EXPECT_EQ(e.PayloadBytes(s, 0, 3), 3 * 8 + 3 * 4 + 15 + 3 * 8 + 7 + 3 * 8 + 3 * 2 + 3);
}

TEST(RowEncoderTest, PlainValuesFromRaggedColumnsAndKeysFromAColumn) {
  const std::vector<int64_t> elements = {1, 2, 3, 4, 5, 6};
  const std::vector<int64_t> offsets = {0, 2, 2, 6};
  const std::string keys =
      "ab"
      ""
      "xyz";
  const std::vector<int64_t> key_offsets = {0, 2, 2, 5};
  RowSource s;
  s.rows = 3;
  s.columns.push_back(Ragged("id", SourceType::kUtf8, keys.data(), 5, key_offsets));
  s.columns.push_back(Ragged("v", SourceType::kInt64, elements.data(), 6, offsets));
  RowLayout layout;
  layout.key_columns = {0};
  ASSERT_OK_AND_ASSIGN(RowEncoder e, RowEncoder::Plan(s.columns, layout));
  ASSERT_THAT(e.Validate(s), IsOk());
  EXPECT_EQ(Key(e, s, 2), Generic(Value::String("xyz")));
  EXPECT_EQ(Key(e, s, 1), Generic(Value::String("")));
  EXPECT_EQ(Val(e, s, 0), Generic(Packed(kLongArray, elements.data(), 16)));
  EXPECT_EQ(Val(e, s, 1), Generic(Packed(kLongArray, elements.data(), 0)));
  EXPECT_EQ(Val(e, s, 2), Generic(Packed(kLongArray, elements.data() + 2, 32)));
  EXPECT_TRUE(e.types().empty());
}

// A 2-D uint8 column of `rows` x `width` over `data`.
ColumnView Fixed(const std::string& name, const std::vector<uint8_t>& data, int64_t rows,
                 int64_t width) {
  ColumnView c;
  c.name = name;
  c.source = SourceType::kUInt8;
  c.rows = rows;
  c.data = data.data();
  c.row_stride = width;
  c.width = width;
  return c;
}

TEST(RowEncoderTest, LargePlainArraysAreReferencedInPlaceAndSmallOnesCopied) {
  // A bulk writer sends a plain array value of 64 KiB or more from the caller's buffer: the
  // encoder writes its header and says where the elements go, and the bytes on the wire (the
  // header, then the elements from the column) are the generic encoder's.
  for (const int64_t width : {int64_t{100}, int64_t{RowEncoder::kExternalMinBytes},
                              int64_t{3 * RowEncoder::kExternalMinBytes + 7}}) {
    std::vector<uint8_t> data(static_cast<size_t>(2 * width));
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + 13);
    RowSource s;
    s.rows = 2;
    s.columns.push_back(Fixed("v", data, 2, width));
    ASSERT_OK_AND_ASSIGN(RowEncoder e, RowEncoder::Plan(s.columns, RowLayout{}));
    ASSERT_THAT(e.Validate(s), IsOk());
    Writer w;
    w.WriteUInt8(0xAB);  // what the page held before this value
    std::vector<ExternalBytes> external;
    e.EncodeValue(s, 1, w, &external);
    const Bytes expected = Generic(Packed(kByteArray, data.data() + width, width));
    Bytes wire(w.buffer().begin() + 1, w.buffer().end());
    if (width < static_cast<int64_t>(RowEncoder::kExternalMinBytes)) {
      EXPECT_TRUE(external.empty());
    } else {
      ASSERT_EQ(external.size(), 1u);
      EXPECT_EQ(external[0].offset, w.size());  // right after the header
      EXPECT_EQ(external[0].data, data.data() + width);
      EXPECT_EQ(external[0].size, static_cast<size_t>(width));
      EXPECT_EQ(wire.size(), 5u);  // type code and length only
      wire.insert(wire.end(), external[0].data, external[0].data + external[0].size);
    }
    EXPECT_EQ(wire, expected);
    EXPECT_EQ(Val(e, s, 1), expected);  // without a place to say it, the elements are copied
  }
}

TEST(RowEncoderTest, LargeArraysInsideObjectsAreCopied) {
  // An object's footer holds its fields' offsets, counted in the bytes written: its arrays are
  // always copied.
  const int64_t width = 2 * RowEncoder::kExternalMinBytes;
  std::vector<uint8_t> data(static_cast<size_t>(width), 7);
  const std::vector<int32_t> label = {3};
  RowSource s;
  s.rows = 1;
  s.columns.push_back(Scalars("label", SourceType::kInt32, label));
  s.columns.push_back(Fixed("pixels", data, 1, width));
  RowLayout layout;
  layout.type_name = "Image";
  ASSERT_OK_AND_ASSIGN(RowEncoder e, RowEncoder::Plan(s.columns, layout));
  ASSERT_THAT(e.Validate(s), IsOk());
  Writer w;
  std::vector<ExternalBytes> external;
  e.EncodeValue(s, 0, w, &external);
  EXPECT_TRUE(external.empty());
  EXPECT_EQ(w.Release(), Val(e, s, 0));
}

TEST(RowEncoderTest, CompositeKeysAreObjectsOfTheKeyType) {
  const std::vector<int32_t> x = {1, 2};
  const std::string y = "ab";
  const std::vector<int64_t> y_offsets = {0, 1, 2};
  const std::vector<double> z = {0.5, 1.5};
  RowSource s;
  s.rows = 2;
  s.columns = {Scalars("X", SourceType::kInt32, x),
               Ragged("Y", SourceType::kUtf8, y.data(), 2, y_offsets),
               Scalars("Z", SourceType::kFloat64, z)};
  RowLayout layout;
  layout.key_columns = {0, 1};
  layout.key_type_name = "T_KEY";
  layout.type_name = "T";
  ASSERT_OK_AND_ASSIGN(RowEncoder e, RowEncoder::Plan(s.columns, layout));
  ASSERT_THAT(e.Validate(s), IsOk());
  EXPECT_EQ(
      Key(e, s, 1),
      Generic(ObjectOf("T_KEY", {{"X", Value::Integer(kInt, 2)}, {"Y", Value::String("b")}})));
  EXPECT_EQ(Val(e, s, 1), Generic(ObjectOf("T", {{"Z", Value::Real(kDouble, 1.5)}})));
  ASSERT_EQ(e.types().size(), 2u);
  EXPECT_EQ(e.types()[1].type_name, "T_KEY");
  // A key of several columns without a type to put them in.
  layout.key_type_name.clear();
  EXPECT_THAT(RowEncoder::Plan(s.columns, layout).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "name its type"));
}

TEST(RowEncoderTest, ConvertsToTheTargetTypeAndRefusesValuesThatDoNotFit) {
  const std::vector<int64_t> small = {1, -128, 127};
  const std::vector<int64_t> big = {1, 128, 3};
  RowSource s;
  s.rows = 3;
  s.columns.push_back(Scalars("a", SourceType::kInt64, small));
  s.columns[0].target = kByte;
  s.columns.push_back(Scalars("b", SourceType::kInt64, small));
  s.columns[1].target = kDouble;
  RowLayout layout;
  layout.type_name = "Conv";
  ASSERT_OK_AND_ASSIGN(RowEncoder e, RowEncoder::Plan(s.columns, layout));
  ASSERT_THAT(e.Validate(s), IsOk());
  EXPECT_EQ(Val(e, s, 1), Generic(ObjectOf("Conv", {{"a", Value::Integer(kByte, -128)},
                                                    {"b", Value::Real(kDouble, -128)}})));
  s.columns[0].data = reinterpret_cast<const uint8_t*>(big.data());
  EXPECT_THAT(e.Validate(s),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "column 'a': row 1 holds 128, outside the range of byte (1): -128 to 127"));

  // uint64 above long's range, as a key.
  const std::vector<uint64_t> huge = {1, uint64_t{1} << 63};
  RowSource k;
  k.rows = 2;
  k.columns.push_back(Scalars("id", SourceType::kUInt64, huge));
  k.columns.push_back(Scalars("v", SourceType::kUInt64, huge));
  RowLayout key_layout;
  key_layout.key_columns = {0};
  ASSERT_OK_AND_ASSIGN(RowEncoder ke, RowEncoder::Plan(k.columns, key_layout));
  EXPECT_THAT(ke.Validate(k), StatusIs(absl::StatusCode::kInvalidArgument,
                                       "key column 'id': row 1 holds 9223372036854775808"));
}

TEST(RowEncoderTest, DatesForASqlDateColumnAreJavaSqlDatesAsANodeStoresThem) {
  // datetime64[D] 2001-02-03 into a DATE column: the java.sql.Date a 2.17 node stores for
  // DATE '2001-02-03' (bytes captured from a node; decoder_types_test reads the same), not a
  // binary Date (11), which the node's SQL engine cannot cast to java.sql.Date.
  const std::vector<int64_t> days = {11356, std::numeric_limits<int64_t>::min()};  // NaT
  RowSource s;
  s.rows = 2;
  s.columns.push_back(Scalars("D", SourceType::kDatetime64, days));
  s.columns[0].datetime_unit_ns = int64_t{86400} * 1000000000;
  s.columns[0].target = kOptimized;
  RowLayout layout;
  layout.type_name = "Dated";
  ASSERT_OK_AND_ASSIGN(RowEncoder e, RowEncoder::Plan(s.columns, layout));
  ASSERT_THAT(e.Validate(s), IsOk());
  const Bytes field = ::ignite_tf::testing::TJavaSqlDate(981158400000);
  const Bytes value = Val(e, s, 0);
  ASSERT_GT(value.size(), kObjectHeaderSize + field.size());
  EXPECT_EQ(Bytes(value.begin() + kObjectHeaderSize,
                  value.begin() + kObjectHeaderSize + static_cast<std::ptrdiff_t>(field.size())),
            field);
  // The metadata says Object, as Ignite's own writers register a java.sql.Date field.
  ASSERT_EQ(e.types().size(), 1u);
  EXPECT_EQ(e.types()[0].fields.at(0).type_code, kComplexObject);
  // NaT is a null field.
  EXPECT_EQ(Val(e, s, 1)[kObjectHeaderSize], kNull);
}

TEST(RowEncoderTest, RefusesWhatCannotBeWrittenBeforeEncoding) {
  const std::vector<double> with_nan = {1.0, std::nan("")};
  const std::vector<float> f = {1.0f, 2.0f};
  const std::vector<uint8_t> valid = {1, 0};
  RowLayout by_key;
  by_key.key_columns = {0};
  RowLayout typed;
  typed.type_name = "T";

  {  // NaN key
    RowSource s;
    s.rows = 2;
    s.columns = {Scalars("k", SourceType::kFloat64, with_nan),
                 Scalars("v", SourceType::kFloat32, f)};
    ASSERT_OK_AND_ASSIGN(RowEncoder e, RowEncoder::Plan(s.columns, by_key));
    EXPECT_THAT(e.Validate(s), StatusIs(absl::StatusCode::kInvalidArgument,
                                        "key column 'k': row 1 is NaN, which cannot be a key"));
  }
  {  // null key, null plain value
    RowSource s;
    s.rows = 2;
    s.columns = {Scalars("k", SourceType::kFloat32, f), Scalars("v", SourceType::kFloat32, f)};
    s.columns[0].valid = valid.data();
    ASSERT_OK_AND_ASSIGN(RowEncoder e, RowEncoder::Plan(s.columns, by_key));
    EXPECT_THAT(e.Validate(s),
                StatusIs(absl::StatusCode::kInvalidArgument, "key column 'k': row 1 is null"));
    s.columns[0].valid = nullptr;
    s.columns[1].valid = valid.data();
    EXPECT_THAT(e.Validate(s), StatusIs(absl::StatusCode::kInvalidArgument,
                                        "column 'v': row 1 is null, and Ignite stores no null "
                                        "values"));
  }
  {  // a float as an int; names that clash; two plain value columns
    std::vector<ColumnView> c = {Scalars("a", SourceType::kFloat32, f)};
    c[0].target = kInt;
    EXPECT_THAT(
        RowEncoder::Plan(c, typed).status(),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 "column 'a': float32 values cannot be written as int (3); as float (5) they can"));
    c = {Scalars("a", SourceType::kFloat32, f), Scalars("A", SourceType::kFloat32, f)};
    EXPECT_THAT(RowEncoder::Plan(c, typed).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, "case-insensitive"));
    c = {Scalars("a", SourceType::kFloat32, f), Scalars("a.b", SourceType::kFloat32, f)};
    EXPECT_THAT(RowEncoder::Plan(c, typed).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, "clashes"));
    c = {Scalars("a", SourceType::kFloat32, f), Scalars("b", SourceType::kFloat32, f)};
    EXPECT_THAT(RowEncoder::Plan(c, RowLayout{}).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, "name a type"));
  }
  {  // ragged offsets that leave the buffer
    const std::vector<int64_t> offsets = {0, 1, 3};
    RowSource s;
    s.rows = 2;
    s.columns = {Ragged("v", SourceType::kFloat32, f.data(), 2, offsets)};
    ASSERT_OK_AND_ASSIGN(RowEncoder e, RowEncoder::Plan(s.columns, RowLayout{}));
    EXPECT_THAT(e.Validate(s),
                StatusIs(absl::StatusCode::kInvalidArgument, "its offsets reach element 3 of 2"));
  }
}

}  // namespace
}  // namespace ignite_tf
