#include "core/binary/decoder.h"

#include <limits>
#include <string>
#include <vector>

#include "core/binary/ids.h"
#include "core/binary/type_codes.h"
#include "core/common/error.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::Concat;
using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::FakeTypeResolver;
using ::ignite_tf::testing::FieldSpec;
using ::ignite_tf::testing::HandObject;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::IsOkAndHolds;
using ::ignite_tf::testing::MakeType;
using ::ignite_tf::testing::Packed;
using ::ignite_tf::testing::StatusIs;
using ::ignite_tf::testing::TBool;
using ::ignite_tf::testing::TByte;
using ::ignite_tf::testing::TChar;
using ::ignite_tf::testing::TDate;
using ::ignite_tf::testing::TDouble;
using ::ignite_tf::testing::TDoubleArray;
using ::ignite_tf::testing::TFloat;
using ::ignite_tf::testing::THandle;
using ::ignite_tf::testing::TInt;
using ::ignite_tf::testing::TIntArray;
using ::ignite_tf::testing::TLong;
using ::ignite_tf::testing::TLongArray;
using ::ignite_tf::testing::TNull;
using ::ignite_tf::testing::TShort;
using ::ignite_tf::testing::TString;
using ::ignite_tf::testing::TStringArray;
using ::ignite_tf::testing::TUuid;
using ::ignite_tf::testing::TWrapped;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

// Person (type id 0x0BADCAFE, the HandObject default) and Address, with hand-picked field ids.
constexpr int32_t kPersonType = 0x0BADCAFE;
constexpr int32_t kAddressType = 0x0ADD;
constexpr int32_t kAgeId = 1001, kNameId = 1002, kFriendId = 1003, kAgainId = 1004, kTagsId = 1005,
                  kScoresId = 1006, kUuidId = 1007, kCityId = 2001;
constexpr int32_t kAgeName = 0x5C4E3A01;  // [age, name]
constexpr int32_t kNameAge = 0x5C4E3A02;  // [name, age]
constexpr int32_t kRich = 0x5C4E3A03;     // [age, name, friend, again, tags, scores]
constexpr int32_t kWithId = 0x5C4E3A04;   // [age, id]
constexpr int32_t kCity = 0x51;           // [city]

class DecoderTest : public ::testing::Test {
 protected:
  DecoderTest() {
    // Metadata lists fields in an order that differs from every schema, as the server may.
    types_.Add(MakeType(kPersonType, "Person",
                        {{"tags", kStringArray, kTagsId},
                         {"name", kString, kNameId},
                         {"scores", kIntArray, kScoresId},
                         {"friend", kComplexObject, kFriendId},
                         {"again", kComplexObject, kAgainId},
                         {"id", kUuid, kUuidId},
                         {"age", kInt, kAgeId}},
                        {{kAgeName, {kAgeId, kNameId}},
                         {kNameAge, {kNameId, kAgeId}},
                         {kRich, {kAgeId, kNameId, kFriendId, kAgainId, kTagsId, kScoresId}},
                         {kWithId, {kAgeId, kUuidId}}}));
    types_.Add(
        MakeType(kAddressType, "Address", {{"city", kString, kCityId}}, {{kCity, {kCityId}}}));
  }

  absl::StatusOr<Value> DecodeAt(const Bytes& bytes, size_t* pos, absl::string_view path = "val") {
    ValueDecoder decoder(&types_);
    return decoder.Decode(bytes, pos, path);
  }
  absl::StatusOr<Value> Decode(const Bytes& bytes, absl::string_view path = "val") {
    size_t pos = 0;
    return DecodeAt(bytes, &pos, path);
  }

  static HandObject Person(int32_t age, absl::string_view name) {
    HandObject h;
    h.schema_id = kAgeName;
    h.Field(kAgeId, TInt(age)).Field(kNameId, TString(name));
    return h;
  }
  static HandObject Address(absl::string_view city) {
    HandObject h;
    h.type_id = kAddressType;
    h.schema_id = kCity;
    h.Field(kCityId, TString(city));
    return h;
  }
  // A person with a nested object, a handle to it, a string[] with a null, an int[] and raw data.
  static HandObject RichPerson() {
    const Bytes friend_bytes = Address("Oslo").Build();
    HandObject h;
    h.schema_id = kRich;
    h.Field(kAgeId, TInt(42))
        .Field(kNameId, TString("Ann"))
        .Field(kFriendId, friend_bytes)
        .Field(kAgainId, THandle(static_cast<int32_t>(friend_bytes.size())))
        .Field(kTagsId, TStringArray({"x", std::nullopt, "yy"}))
        .Field(kScoresId, TIntArray({1, -2, 3}));
    h.raw = {0xAB, 0xCD};
    return h;
  }

  FakeTypeResolver types_;
};

// ---------------------------------------------------------------------------------------------
// Scalars and arrays.

TEST_F(DecoderTest, DecodesScalars) {
  struct Case {
    Bytes bytes;
    TypeCode code;
    int64_t integer;
    double real;
  };
  const std::vector<Case> cases = {
      {TByte(-128), kByte, -128, 0},
      {TByte(127), kByte, 127, 0},
      {TShort(-32768), kShort, -32768, 0},
      {TInt(std::numeric_limits<int32_t>::min()), kInt, std::numeric_limits<int32_t>::min(), 0},
      {TLong(std::numeric_limits<int64_t>::max()), kLong, std::numeric_limits<int64_t>::max(), 0},
      {TChar(0xFFFF), kChar, 0xFFFF, 0},  // char is unsigned
      {TBool(true), kBool, 1, 0},
      {TBool(false), kBool, 0, 0},
      {ByteBuilder().U8(kBool).U8(7), kBool, 1, 0},  // any non-zero byte is true
      {TDate(-86400000), kDate, -86400000, 0},
      {TFloat(1.5f), kFloat, 0, 1.5},
      {TDouble(-0.1), kDouble, 0, -0.1},
  };
  for (const Case& c : cases) {
    size_t pos = 0;
    ASSERT_OK_AND_ASSIGN(Value v, DecodeAt(c.bytes, &pos));
    EXPECT_EQ(v.code, c.code) << TypeCodeName(c.code);
    EXPECT_EQ(v.integer, c.integer) << TypeCodeName(c.code);
    EXPECT_EQ(v.real, c.real) << TypeCodeName(c.code);
    EXPECT_EQ(pos, c.bytes.size()) << TypeCodeName(c.code);
  }
}

TEST_F(DecoderTest, DecodesStrings) {
  EXPECT_THAT(Decode(TString("h\xC3\xA9llo")),
              IsOkAndHolds(::testing::Field(&Value::text, "h\xC3\xA9llo")));
  ASSERT_OK_AND_ASSIGN(Value empty, Decode(TString("")));
  EXPECT_EQ(empty.code, kString);
  EXPECT_EQ(empty.text, "");
  // Embedded NUL bytes are kept.
  ASSERT_OK_AND_ASSIGN(Value nul, Decode(TString(absl::string_view("a\0b", 3))));
  EXPECT_EQ(nul.text, std::string("a\0b", 3));
}

TEST_F(DecoderTest, DecodesNull) {
  size_t pos = 0;
  ASSERT_OK_AND_ASSIGN(Value v, DecodeAt(TNull(), &pos));
  EXPECT_TRUE(v.is_null());
  EXPECT_EQ(pos, 1u);
}

TEST_F(DecoderTest, DecodesPrimitiveArrays) {
  ASSERT_OK_AND_ASSIGN(Value ints, Decode(TIntArray({1, -2, 3})));
  EXPECT_EQ(ints.code, kIntArray);
  EXPECT_EQ(ints.ArrayLength(), 3u);
  EXPECT_EQ(ints.elements, Packed<int32_t>({1, -2, 3}));

  ASSERT_OK_AND_ASSIGN(Value longs, Decode(TLongArray({std::numeric_limits<int64_t>::min()})));
  EXPECT_EQ(longs.elements, Packed<int64_t>({std::numeric_limits<int64_t>::min()}));

  ASSERT_OK_AND_ASSIGN(Value doubles, Decode(TDoubleArray({0.5, -1e300})));
  EXPECT_EQ(doubles.elements, Packed<double>({0.5, -1e300}));

  ASSERT_OK_AND_ASSIGN(Value bytes,
                       Decode(ByteBuilder().U8(kByteArray).I32(3).U8(1).U8(0xFF).U8(0)));
  EXPECT_THAT(bytes.elements, ElementsAre(1, 0xFF, 0));

  ASSERT_OK_AND_ASSIGN(Value chars,
                       Decode(ByteBuilder().U8(kCharArray).I32(2).U16(0x41).U16(0xD83D)));
  EXPECT_EQ(chars.elements, Packed<uint16_t>({0x41, 0xD83D}));

  ASSERT_OK_AND_ASSIGN(Value empty, Decode(TIntArray({})));
  EXPECT_EQ(empty.code, kIntArray);
  EXPECT_EQ(empty.ArrayLength(), 0u);
}

TEST_F(DecoderTest, DecodesStringArrayWithNullElements) {
  const Bytes bytes = TStringArray({"a", std::nullopt, "", "\xC3\xBC", std::nullopt});
  size_t pos = 0;
  ASSERT_OK_AND_ASSIGN(Value v, DecodeAt(bytes, &pos));
  EXPECT_EQ(v.code, kStringArray);
  EXPECT_THAT(v.strings,
              ElementsAre(Optional(std::string("a")), std::nullopt, Optional(std::string("")),
                          Optional(std::string("\xC3\xBC")), std::nullopt));
  EXPECT_EQ(v.ArrayLength(), 5u);
  EXPECT_EQ(pos, bytes.size());
}

TEST_F(DecoderTest, StringArrayWithANonStringElementIsRejected) {
  const Bytes bytes = ByteBuilder().U8(kStringArray).I32(2).Append(TString("a")).Append(TInt(5));
  EXPECT_THAT(Decode(bytes, "val.tags"), StatusIs(absl::StatusCode::kDataLoss, "val.tags[1]"));
  EXPECT_THAT(Decode(bytes, "val.tags"),
              StatusIs(absl::StatusCode::kDataLoss, "int (3) inside a string[]"));
}

TEST_F(DecoderTest, AdvancesPastEachValueInASequence) {
  const Bytes bytes = Concat({TInt(1), TString("two"), TNull(), TLongArray({3, 4}), TBool(true)});
  size_t pos = 0;
  EXPECT_THAT(DecodeAt(bytes, &pos), IsOkAndHolds(::testing::Field(&Value::integer, 1)));
  EXPECT_EQ(pos, 5u);
  EXPECT_THAT(DecodeAt(bytes, &pos), IsOkAndHolds(::testing::Field(&Value::text, "two")));
  EXPECT_EQ(pos, 13u);
  EXPECT_THAT(DecodeAt(bytes, &pos), IsOkAndHolds(::testing::Field(&Value::code, kNull)));
  EXPECT_THAT(DecodeAt(bytes, &pos), IsOkAndHolds(::testing::Field(&Value::code, kLongArray)));
  EXPECT_THAT(DecodeAt(bytes, &pos), IsOkAndHolds(::testing::Field(&Value::integer, 1)));
  EXPECT_EQ(pos, bytes.size());
}

// ---------------------------------------------------------------------------------------------
// Complex objects.

TEST_F(DecoderTest, DecodesACompactFooterObjectByItsSchema) {
  ASSERT_OK_AND_ASSIGN(Value v, Decode(Person(30, "Bob").Build()));
  ASSERT_EQ(v.code, kComplexObject);
  ASSERT_NE(v.object, nullptr);
  EXPECT_EQ(v.object->type_id, kPersonType);
  EXPECT_EQ(v.object->schema_id, kAgeName);
  EXPECT_EQ(v.object->type_name, "Person");
  ASSERT_EQ(v.object->fields.size(), 2u);
  EXPECT_EQ(v.object->fields[0].first, "age");
  EXPECT_EQ(v.object->fields[0].second.integer, 30);
  EXPECT_EQ(v.object->fields[1].first, "name");
  EXPECT_EQ(v.object->fields[1].second.text, "Bob");
  ASSERT_NE(v.object->Find("name"), nullptr);
  EXPECT_EQ(v.object->Find("missing"), nullptr);
}

TEST_F(DecoderTest, FieldOrderComesFromTheSchemaNotTheMetadataFieldList) {
  HandObject h;
  h.schema_id = kNameAge;
  h.Field(kNameId, TString("Eve")).Field(kAgeId, TInt(51));
  ASSERT_OK_AND_ASSIGN(Value v, Decode(h.Build()));
  ASSERT_EQ(v.object->fields.size(), 2u);
  EXPECT_EQ(v.object->fields[0].first, "name");
  EXPECT_EQ(v.object->Find("name")->text, "Eve");
  EXPECT_EQ(v.object->Find("age")->integer, 51);
}

TEST_F(DecoderTest, DecodesEveryOffsetWidth) {
  for (int width : {1, 2, 4}) {
    HandObject h = Person(7, "w");
    h.offset_size = width;
    ASSERT_OK_AND_ASSIGN(Value v, Decode(h.Build()));
    EXPECT_EQ(v.object->Find("age")->integer, 7) << width;
    EXPECT_EQ(v.object->Find("name")->text, "w") << width;
  }
}

TEST_F(DecoderTest, DecodesLargeObjectsWithWideOffsets) {
  for (size_t n : {300u, 70000u}) {
    HandObject h;
    h.schema_id = kNameAge;
    h.Field(kNameId, TString(std::string(n, 'q'))).Field(kAgeId, TInt(9));
    ASSERT_OK_AND_ASSIGN(Value v, Decode(h.Build()));
    EXPECT_EQ(v.object->Find("name")->text.size(), n);
    EXPECT_EQ(v.object->Find("age")->integer, 9);
  }
}

TEST_F(DecoderTest, DecodesAFullFooterByItsFieldIds) {
  HandObject h;
  h.compact = false;
  h.schema_id = kNameAge;
  h.Field(kNameId, TString("Zed")).Field(kAgeId, TInt(5));
  ASSERT_OK_AND_ASSIGN(Value v, Decode(h.Build()));
  ASSERT_EQ(v.object->fields.size(), 2u);
  EXPECT_EQ(v.object->fields[0].first, "name");
  EXPECT_EQ(v.object->fields[0].second.text, "Zed");
  EXPECT_EQ(v.object->fields[1].first, "age");
  EXPECT_EQ(v.object->fields[1].second.integer, 5);
}

TEST_F(DecoderTest, FullFooterFieldUnknownToMetadataGetsASyntheticName) {
  HandObject h;
  h.compact = false;
  h.schema_id = kAgeName;
  h.Field(kAgeId, TInt(1)).Field(777, TString("?"));
  ASSERT_OK_AND_ASSIGN(Value v, Decode(h.Build()));
  ASSERT_EQ(v.object->fields.size(), 2u);
  EXPECT_EQ(v.object->fields[1].first, "field_777");
  EXPECT_EQ(v.object->fields[1].second.text, "?");
}

TEST_F(DecoderTest, NullFieldIsKept) {
  HandObject h;
  h.schema_id = kAgeName;
  h.Field(kAgeId, TNull()).Field(kNameId, TString("n"));
  ASSERT_OK_AND_ASSIGN(Value v, Decode(h.Build()));
  ASSERT_NE(v.object->Find("age"), nullptr);
  EXPECT_TRUE(v.object->Find("age")->is_null());
}

TEST_F(DecoderTest, RawDataIsSkipped) {
  HandObject h = Person(3, "raw");
  h.raw = {1, 2, 3, 4, 5};
  ASSERT_OK_AND_ASSIGN(Value v, Decode(h.Build()));
  ASSERT_EQ(v.object->fields.size(), 2u);
  EXPECT_EQ(v.object->Find("name")->text, "raw");
}

TEST_F(DecoderTest, RawOnlyObjectWithFullFooterFlagHasNoFields) {
  HandObject h;
  h.compact = false;
  h.raw = {1, 2, 3};
  ASSERT_OK_AND_ASSIGN(Value v, Decode(h.Build()));
  EXPECT_EQ(v.code, kComplexObject);
  EXPECT_TRUE(v.object->fields.empty());
  EXPECT_EQ(types_.calls(), 0);  // nothing to look up
}

TEST_F(DecoderTest, DecodesNestedObjects) {
  HandObject h;
  h.schema_id = kRich;
  const Bytes address = Address("Rome").Build();
  h.Field(kAgeId, TInt(1))
      .Field(kNameId, TString("n"))
      .Field(kFriendId, address)
      .Field(kAgainId, TNull())
      .Field(kTagsId, TNull())
      .Field(kScoresId, TNull());
  ASSERT_OK_AND_ASSIGN(Value v, Decode(h.Build()));
  const Value* friend_value = v.object->Find("friend");
  ASSERT_NE(friend_value, nullptr);
  ASSERT_EQ(friend_value->code, kComplexObject);
  EXPECT_EQ(friend_value->object->type_name, "Address");
  EXPECT_EQ(friend_value->object->Find("city")->text, "Rome");
}

TEST_F(DecoderTest, HandleRefersBackToAnEarlierField) {
  ASSERT_OK_AND_ASSIGN(Value v, Decode(RichPerson().Build()));
  const Value* friend_value = v.object->Find("friend");
  const Value* again = v.object->Find("again");
  ASSERT_NE(friend_value, nullptr);
  ASSERT_NE(again, nullptr);
  ASSERT_EQ(again->code, kComplexObject);
  EXPECT_EQ(again->object->Find("city")->text, "Oslo");
  EXPECT_EQ(::ignite_tf::testing::DiffValues(*friend_value, *again), "");
  EXPECT_THAT(v.object->Find("tags")->strings,
              ElementsAre(Optional(std::string("x")), std::nullopt, Optional(std::string("yy"))));
  EXPECT_EQ(v.object->Find("scores")->elements, Packed<int32_t>({1, -2, 3}));
}

TEST_F(DecoderTest, TopLevelHandleDecodesItsTargetAndAdvancesPastItself) {
  const Bytes bytes = Concat({TLong(5), THandle(9), TInt(6)});
  size_t pos = 9;
  ASSERT_OK_AND_ASSIGN(Value v, DecodeAt(bytes, &pos));
  EXPECT_EQ(v.code, kLong);
  EXPECT_EQ(v.integer, 5);
  EXPECT_EQ(pos, 14u);
}

TEST_F(DecoderTest, HandleChainUpToTheNestingLimitIsAccepted) {
  ByteBuilder b;
  b.Append(TInt(77));
  b.Append(THandle(5));
  for (int i = 1; i < kMaxNestingDepth; ++i) b.Append(THandle(5));
  const Bytes bytes = b;
  size_t pos = bytes.size() - 5;
  ASSERT_OK_AND_ASSIGN(Value v, DecodeAt(bytes, &pos));
  EXPECT_EQ(v.integer, 77);
  EXPECT_EQ(pos, bytes.size());
}

TEST_F(DecoderTest, WrappedObjectWithNonZeroStart) {
  const Bytes object = Person(64, "wrapped").Build();
  const Bytes bytes = TWrapped(Concat({Bytes(6, 0xEE), object, Bytes(3, 0xDD)}), 6);
  size_t pos = 0;
  ASSERT_OK_AND_ASSIGN(Value v, DecodeAt(bytes, &pos));
  ASSERT_EQ(v.code, kComplexObject);
  EXPECT_EQ(v.object->Find("name")->text, "wrapped");
  EXPECT_EQ(v.object->Find("age")->integer, 64);
  EXPECT_EQ(pos, bytes.size());  // past the payload and the trailing start offset
}

TEST_F(DecoderTest, WrappedObjectWithHandlesInside) {
  const Bytes bytes = TWrapped(Concat({Bytes(11, 0), RichPerson().Build()}), 11);
  ASSERT_OK_AND_ASSIGN(Value v, Decode(bytes));
  EXPECT_EQ(v.object->Find("again")->object->Find("city")->text, "Oslo");
}

TEST_F(DecoderTest, WrappedValuesFollowedByMore) {
  const Bytes bytes = Concat({TWrapped(Person(1, "a").Build(), 0), TInt(99)});
  size_t pos = 0;
  ASSERT_THAT(DecodeAt(bytes, &pos), IsOk());
  EXPECT_THAT(DecodeAt(bytes, &pos), IsOkAndHolds(::testing::Field(&Value::integer, 99)));
}

// Regression (fixed in core/binary/decoder.cc, DecodeAt case kComplexObject): decoding a bare
// complex object advances *pos past it, as decoder.h promises; callers that decode a sequence
// (the first row's value after an object key, SQL columns after an object column) rely on it.
TEST_F(DecoderTest, DecodingAnObjectAdvancesPastIt) {
  const Bytes object = Person(2, "k").Build();
  const Bytes bytes = Concat({object, TInt(99)});
  size_t pos = 0;
  ASSERT_THAT(DecodeAt(bytes, &pos), IsOk());
  EXPECT_EQ(pos, object.size());
  EXPECT_THAT(DecodeAt(bytes, &pos), IsOkAndHolds(::testing::Field(&Value::integer, 99)));
}

// Regression (fixed in core/binary/decoder.cc, FooterFieldIds): an object without fields and
// with the COMPACT_FOOTER flag (Java sets it on every user-type object, BinaryWriterExImpl
// .postWrite, flags 0x21, schema offset 0; ValueEncoder writes the same) decodes to no fields
// instead of failing with "the server has no schema 0".
TEST_F(DecoderTest, ObjectWithoutFieldsDecodesToNoFields) {
  ASSERT_OK_AND_ASSIGN(Value v, Decode(HandObject().Build()));  // as Java writes it
  EXPECT_EQ(v.code, kComplexObject);
  EXPECT_TRUE(v.object->fields.empty());
  HandObject raw_only;
  raw_only.raw = {1, 2};
  ASSERT_OK_AND_ASSIGN(Value r, Decode(raw_only.Build()));
  EXPECT_TRUE(r.object->fields.empty());
}

TEST(FooterFieldIdsTest, FullFooterReadsIdsFromTheFooter) {
  HandObject h;
  h.compact = false;
  h.Field(11, TInt(1)).Field(-22, TInt(2));
  const Bytes bytes = h.Build();
  ASSERT_OK_AND_ASSIGN(ObjectLayout layout, ParseObjectLayout(bytes, 0));
  EXPECT_THAT(FooterFieldIds(bytes, layout, nullptr), IsOkAndHolds(ElementsAre(11, -22)));
}

TEST(FooterFieldIdsTest, CompactFooterNeedsTheSchema) {
  HandObject h;
  h.schema_id = 5;
  h.Field(11, TInt(1)).Field(22, TInt(2));
  const Bytes bytes = h.Build();
  ASSERT_OK_AND_ASSIGN(ObjectLayout layout, ParseObjectLayout(bytes, 0));
  EXPECT_THAT(FooterFieldIds(bytes, layout, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, "no schema 5"));
  BinaryType type = MakeType(h.type_id, "T", {}, {{6, {11, 22}}});
  EXPECT_THAT(FooterFieldIds(bytes, layout, &type),
              StatusIs(absl::StatusCode::kDataLoss, "no schema 5"));
  type.schemas[5] = {22, 11};
  EXPECT_THAT(FooterFieldIds(bytes, layout, &type), IsOkAndHolds(ElementsAre(22, 11)));
}

TEST(FooterFieldIdsTest, SchemaOfADifferentSizeIsRejected) {
  HandObject h;
  h.schema_id = 5;
  h.Field(11, TInt(1)).Field(22, TInt(2));
  const Bytes bytes = h.Build();
  ASSERT_OK_AND_ASSIGN(ObjectLayout layout, ParseObjectLayout(bytes, 0));
  BinaryType type = MakeType(h.type_id, "T", {}, {{5, {11, 22, 33}}});
  EXPECT_THAT(
      FooterFieldIds(bytes, layout, &type),
      StatusIs(absl::StatusCode::kDataLoss, "lists 3 fields but the object's footer has 2"));
}

// ---------------------------------------------------------------------------------------------
// Hostile input.

TEST_F(DecoderTest, EveryTruncationOfAValidValueFails) {
  const Bytes object = RichPerson().Build();
  const Bytes wrapped = TWrapped(Concat({Bytes(5, 0x33), object}), 5);
  const Bytes strings = TStringArray({"abc", std::nullopt, "d"});
  for (const Bytes* full : {&object, &wrapped, &strings}) {
    ASSERT_THAT(Decode(*full), IsOk());
    for (size_t n = 0; n < full->size(); ++n) {
      const Bytes prefix(full->begin(), full->begin() + n);
      absl::StatusOr<Value> v = Decode(prefix);
      EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss))
          << "prefix of " << n << " of " << full->size() << " bytes";
      EXPECT_THAT(SkipValue(prefix, 0, "val"), Not(IsOk())) << "prefix of " << n;
    }
  }
}

TEST_F(DecoderTest, TruncatedScalarNamesPathAndOffset) {
  const Bytes bytes = Concat({TInt(1), ByteBuilder().U8(kLong).I32(0)});
  size_t pos = 5;
  absl::StatusOr<Value> v = DecodeAt(bytes, &pos, "val.count");
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss, "decoding val.count (offset 5)"));
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss, "needed 8 bytes at offset 6"));
  EXPECT_THAT(v, ErrorKindIs(ErrorKind::kProtocol));
}

// Every single-byte corruption of a rich value decodes or fails cleanly; under ASan this also
// proves that no corruption makes the decoder read outside the buffer.
TEST_F(DecoderTest, SingleByteCorruptionsFailCleanly) {
  const Bytes good = TWrapped(Concat({Bytes(3, 0), RichPerson().Build()}), 3);
  static constexpr uint8_t kSet[] = {0x00, 0x01, 0x66, 0x67, 0x7F, 0x80, 0xFF};
  static constexpr uint8_t kFlip[] = {0x01, 0x08, 0x10, 0x80};
  for (size_t i = 0; i < good.size(); ++i) {
    for (size_t m = 0; m < std::size(kSet) + std::size(kFlip); ++m) {
      Bytes bytes = good;
      bytes[i] = m < std::size(kSet) ? kSet[m] : bytes[i] ^ kFlip[m - std::size(kSet)];
      size_t pos = 0;
      absl::StatusOr<Value> v = DecodeAt(bytes, &pos);
      if (v.ok()) {
        EXPECT_LE(pos, bytes.size());
      } else {
        EXPECT_THAT(v.status().code(),
                    ::testing::AnyOf(absl::StatusCode::kDataLoss, absl::StatusCode::kUnimplemented))
            << "byte " << i << ": " << v.status();
      }
      absl::StatusOr<size_t> end = SkipValue(bytes, 0, "val");
      if (end.ok()) {
        EXPECT_LE(*end, bytes.size());
      }
    }
  }
}

TEST_F(DecoderTest, FooterOffsetOutsideTheObjectFails) {
  HandObject h = Person(1, "x");
  h.schema_or_raw_offset = 5000;
  EXPECT_THAT(Decode(h.Build()), StatusIs(absl::StatusCode::kDataLoss, "footer offset 5000"));
}

TEST_F(DecoderTest, FieldOffsetOutsideTheObjectFails) {
  Bytes bytes = Person(1, "x").Build();
  bytes.back() = 200;
  EXPECT_THAT(Decode(bytes), StatusIs(absl::StatusCode::kDataLoss, "points outside the data"));
}

TEST_F(DecoderTest, FieldCannotReadPastItsObjectsDataArea) {
  // The string's length runs into the footer: the whole buffer has the bytes, the field does not.
  HandObject h;
  h.schema_id = kNameAge;
  h.Field(kNameId, ByteBuilder().U8(kString).I32(3).Raw("abc")).Field(kAgeId, TInt(1));
  Bytes bytes = h.Build();
  bytes[24 + 1] = 3 + 5 + 2;  // + the int field + the footer
  absl::StatusOr<Value> v = Decode(bytes);
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss, "val.name"));
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss, "exceeds"));
}

TEST_F(DecoderTest, UnknownTypeFails) {
  HandObject h = Person(1, "x");
  h.type_id = 31337;
  EXPECT_THAT(Decode(h.Build()), StatusIs(absl::StatusCode::kDataLoss, "31337"));
}

TEST_F(DecoderTest, SchemaIdUnknownToTheResolverFails) {
  HandObject h = Person(1, "x");
  h.schema_id = 0x0DDBA11;
  absl::StatusOr<Value> v = Decode(h.Build());
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss, absl::StrCat(0x0DDBA11)));
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss, absl::StrCat(kPersonType)));
}

TEST_F(DecoderTest, ObjectWithFieldsAndNoResolverFails) {
  ValueDecoder decoder(nullptr);
  const Bytes bytes = Person(1, "x").Build();
  size_t pos = 0;
  EXPECT_THAT(decoder.Decode(bytes, &pos, "val"),
              StatusIs(absl::StatusCode::kDataLoss, "no type metadata source"));
}

TEST_F(DecoderTest, SchemaWithADifferentFieldCountFails) {
  HandObject h;
  h.schema_id = kAgeName;
  h.Field(kAgeId, TInt(1));  // the schema lists two fields
  EXPECT_THAT(Decode(h.Build()), StatusIs(absl::StatusCode::kDataLoss,
                                          "lists 2 fields but the object's footer has 1"));
}

TEST_F(DecoderTest, NegativeLengthsFail) {
  const std::vector<std::pair<Bytes, std::string>> cases = {
      {ByteBuilder().U8(kString).I32(-1), "negative length -1 for string"},
      {ByteBuilder().U8(kIntArray).I32(-3), "negative length -3"},
      {ByteBuilder().U8(kByteArray).I32(std::numeric_limits<int32_t>::min()), "negative length"},
      {ByteBuilder().U8(kStringArray).I32(-1), "negative length -1 for string[]"},
      {ByteBuilder().U8(kWrappedObject).I32(-4).I32(0), "negative length -4 for wrapped object"},
  };
  for (const auto& [bytes, message] : cases) {
    EXPECT_THAT(Decode(bytes), StatusIs(absl::StatusCode::kDataLoss, message));
    EXPECT_THAT(SkipValue(bytes, 0, "val"), StatusIs(absl::StatusCode::kDataLoss, message));
  }
  HandObject h = Person(1, "x");
  h.length = -1;
  EXPECT_THAT(Decode(h.Build()), StatusIs(absl::StatusCode::kDataLoss, "claims length -1"));
}

TEST_F(DecoderTest, OversizedLengthsFail) {
  EXPECT_THAT(Decode(ByteBuilder().U8(kString).I32(100).Raw("short")),
              StatusIs(absl::StatusCode::kDataLoss, "length 100 of string"));
  EXPECT_THAT(Decode(ByteBuilder().U8(kLongArray).I32(2).I64(1)),
              StatusIs(absl::StatusCode::kDataLoss, "exceeds"));
  EXPECT_THAT(Decode(ByteBuilder().U8(kStringArray).I32(0x7FFFFFFF).Append(TNull())),
              StatusIs(absl::StatusCode::kDataLoss, "exceeds"));
}

TEST_F(DecoderTest, WrappedObjectStartOutsideItsPayloadFails) {
  const Bytes object = Person(1, "x").Build();
  for (int32_t start : {-1, static_cast<int32_t>(object.size()), 1 << 30}) {
    EXPECT_THAT(Decode(TWrapped(object, start)),
                StatusIs(absl::StatusCode::kDataLoss,
                         absl::StrCat("wrapped object start ", start, " lies outside")));
  }
}

TEST_F(DecoderTest, WrappedObjectCannotReachBeyondItsPayload) {
  // The inner object claims to be longer than the payload; the bytes after it are not its own.
  Bytes object = Person(1, "x").Build();
  const Bytes bytes = Concat({TWrapped(Bytes(object.begin(), object.end() - 1), 0), Bytes{1}});
  EXPECT_THAT(Decode(bytes), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(DecoderTest, HandlePointingForwardOrOutsideFails) {
  const Bytes zero = Concat({TInt(1), THandle(0)});
  size_t pos = 5;
  EXPECT_THAT(DecodeAt(zero, &pos),
              StatusIs(absl::StatusCode::kDataLoss, "handle offset 0 points outside"));
  const Bytes forward = Concat({THandle(-5), TInt(1)});
  pos = 0;
  EXPECT_THAT(DecodeAt(forward, &pos),
              StatusIs(absl::StatusCode::kDataLoss, "handle offset -5 points outside"));
  const Bytes before_start = Concat({TInt(1), THandle(6)});
  pos = 5;
  EXPECT_THAT(DecodeAt(before_start, &pos),
              StatusIs(absl::StatusCode::kDataLoss, "handle offset 6 points outside"));
  const Bytes int_min = THandle(std::numeric_limits<int32_t>::min());
  pos = 0;
  EXPECT_THAT(DecodeAt(int_min, &pos), StatusIs(absl::StatusCode::kDataLoss, "handle offset"));
}

TEST_F(DecoderTest, HandleInsideAWrappedPayloadCannotLeaveIt) {
  // The handle is the payload's first byte: offset 1 would land on the 27's length field.
  const Bytes bytes = TWrapped(THandle(1), 0);
  EXPECT_THAT(Decode(bytes), StatusIs(absl::StatusCode::kDataLoss, "handle offset 1"));
}

TEST_F(DecoderTest, HandleChainBeyondTheNestingLimitFails) {
  ByteBuilder b;
  b.Append(TInt(77));
  for (int i = 0; i < kMaxNestingDepth + 1; ++i) b.Append(THandle(5));
  const Bytes bytes = b;
  size_t pos = bytes.size() - 5;
  EXPECT_THAT(DecodeAt(bytes, &pos),
              StatusIs(absl::StatusCode::kDataLoss, "nests deeper than 64 levels"));
}

TEST_F(DecoderTest, ObjectsNestedBeyondTheLimitFail) {
  // Every level is a Person whose "friend" is the next level.
  types_.Add(MakeType(kPersonType, "Person", {}, {{0x77, {kFriendId}}}));
  auto nest = [](int levels) {
    Bytes inner = TInt(1);
    for (int i = 0; i < levels; ++i) {
      HandObject h;
      h.schema_id = 0x77;
      h.Field(kFriendId, inner);
      inner = h.Build();
    }
    return inner;
  };
  EXPECT_THAT(Decode(nest(kMaxNestingDepth)), IsOk());
  absl::StatusOr<Value> deep = Decode(nest(kMaxNestingDepth + 1));
  EXPECT_THAT(deep, StatusIs(absl::StatusCode::kDataLoss, "nests deeper than 64 levels"));
  EXPECT_THAT(deep, StatusIs(absl::StatusCode::kDataLoss, "val.friend.friend.friend"));
  EXPECT_THAT(Decode(nest(1000)), StatusIs(absl::StatusCode::kDataLoss, "nests deeper"));
}

TEST_F(DecoderTest, WrappedObjectsNestedBeyondTheLimitFail) {
  Bytes value = TInt(3);
  for (int i = 0; i < 200; ++i) value = TWrapped(value, 0);
  EXPECT_THAT(Decode(value), StatusIs(absl::StatusCode::kDataLoss, "nests deeper"));
}

TEST_F(DecoderTest, HandleToTheEnclosingObjectFailsInsteadOfLooping) {
  // The object's only field refers back to the object itself (a cycle).
  types_.Add(MakeType(kPersonType, "Person", {}, {{0x78, {kFriendId}}}));
  HandObject h;
  h.schema_id = 0x78;
  h.Field(kFriendId, THandle(static_cast<int32_t>(kObjectHeaderSize)));
  EXPECT_THAT(Decode(h.Build()), StatusIs(absl::StatusCode::kDataLoss));
  // The same inside a wrapper, whose payload also holds nothing else.
  EXPECT_THAT(Decode(TWrapped(h.Build(), 0)), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(DecoderTest, UnsupportedTypeCodeNamesTheFieldPath) {
  HandObject h;
  h.schema_id = kWithId;
  h.Field(kAgeId, TInt(1)).Field(kUuidId, ByteBuilder().U8(kProxy).Fill(8, 0));
  absl::StatusOr<Value> v = Decode(h.Build());
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kUnimplemented, "val.id has type proxy (35)"));
  EXPECT_THAT(v, ErrorKindIs(ErrorKind::kUnsupported));
}

TEST_F(DecoderTest, FieldsOutsideTheSelectionAreNotDecoded) {
  // The unselected field holds a type ignite_tf cannot read: with a selection, it is not read.
  HandObject h;
  h.schema_id = kWithId;
  h.Field(kAgeId, TInt(7)).Field(kUuidId, ByteBuilder().U8(kProxy).Fill(8, 0));
  const Bytes bytes = h.Build();
  EXPECT_THAT(Decode(bytes), StatusIs(absl::StatusCode::kUnimplemented, "val.id has type proxy"));
  const std::vector<std::string> fields = {"age"};
  ValueDecoder decoder(&types_);
  size_t pos = 0;
  ASSERT_OK_AND_ASSIGN(Value v, decoder.Decode(bytes, &pos, "val", &fields));
  EXPECT_EQ(pos, bytes.size());
  ASSERT_NE(v.object->Find("age"), nullptr);
  EXPECT_EQ(v.object->Find("age")->integer, 7);
  ASSERT_NE(v.object->Find("id"), nullptr);  // its name is kept, its value not read
  EXPECT_TRUE(v.object->Find("id")->is_null());
}

TEST_F(DecoderTest, UnsupportedTopLevelTypeCodes) {
  const std::vector<std::pair<uint8_t, std::string>> cases = {
      {kClass, "class (32)"},       {kProxy, "proxy (35)"},     {kOptimized, "(254)"},
      {77, "unknown type code 77"}, {0, "unknown type code 0"},
  };
  for (const auto& [code, name] : cases) {
    const Bytes bytes = ByteBuilder().U8(code).Fill(32, 0);
    EXPECT_THAT(Decode(bytes, "key"), StatusIs(absl::StatusCode::kUnimplemented, "key has type"))
        << name;
    EXPECT_THAT(Decode(bytes, "key"), StatusIs(absl::StatusCode::kUnimplemented, name));
  }
  EXPECT_THAT(Decode(ByteBuilder().U8(kProxy), ""),
              StatusIs(absl::StatusCode::kUnimplemented, "value has type proxy"));
}

// ---------------------------------------------------------------------------------------------
// SkipValue.

TEST(SkipValueTest, FindsTheEndOfEveryKindOfValue) {
  const std::vector<Bytes> values = {
      TNull(),
      TByte(1),
      TShort(2),
      TInt(3),
      TLong(4),
      TFloat(5),
      TDouble(6),
      TChar(7),
      TBool(true),
      TDate(8),
      TUuid(9, 10),
      ByteBuilder().U8(kTimestamp).I64(1).I32(2),
      ByteBuilder().U8(kTime).I64(3),
      TString("eleven"),
      TIntArray({1, 2}),
      TLongArray({1}),
      TDoubleArray({}),
      ByteBuilder().U8(kBoolArray).I32(3).U8(1).U8(0).U8(1),
      TStringArray({"a", std::nullopt}),
      THandle(1000),  // not followed: skipping a handle never looks at its target
      TWrapped(HandObject().Field(1, TInt(1)).Build(), 0),
      HandObject().Field(1, TInt(1)).Field(2, TString("x")).Build(),
  };
  for (const Bytes& value : values) {
    const Bytes bytes = Concat({Bytes{0xEE}, value, Bytes{0xEE, 0xEE}});
    EXPECT_THAT(SkipValue(bytes, 1, "val"), IsOkAndHolds(value.size() + 1))
        << TypeCodeName(value[0]);
  }
}

TEST(SkipValueTest, UnsupportedCodeNamesThePath) {
  EXPECT_THAT(SkipValue(ByteBuilder().U8(kProxy).I32(0).I32(0).Build(), 0, "val.price"),
              StatusIs(absl::StatusCode::kUnimplemented, "val.price has type proxy (35)"));
}

TEST(SkipValueTest, ObjectEndComesFromItsLength) {
  HandObject h;
  h.Field(1, TInt(1));
  h.length = 1000;
  EXPECT_THAT(SkipValue(h.Build(), 0, "val"),
              StatusIs(absl::StatusCode::kDataLoss, "claims length 1000"));
}

// Regression (fixed in core/binary/decoder.cc, SkipValue case kStringArray): a string[] element
// must be a string or null, skipped without recursion, so a string[] nested in string[] ... (5
// bytes per level) is refused instead of recursing as deep as the buffer is long (a stack
// overflow). SkipValue is public API and also steps over the keys of a failover re-read.
TEST(SkipValueTest, DeeplyNestedStringArraysFailWithoutOverflowingTheStack) {
  constexpr int kLevels = 1 << 20;
  ByteBuilder b;
  for (int i = 0; i < kLevels; ++i) b.U8(kStringArray).I32(1);
  b.Append(TNull());
  EXPECT_THAT(SkipValue(b.Build(), 0, "val"), Not(IsOk()));
}

}  // namespace
}  // namespace ignite_tf
