#include "core/binary/binary_type.h"

#include "core/binary/type_codes.h"
#include "core/wire/reader.h"
#include "core/wire/writer.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::MakeType;
using ::ignite_tf::testing::StatusIs;
using ::ignite_tf::testing::TNull;
using ::ignite_tf::testing::TString;
using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// A 3002 metadata block written by hand: type 77 "Kitten", no affinity key, fields NAME (string,
// id 3373707) and AGE (int, id 96511), not an enum, one schema [AGE, NAME].
Bytes KittenBlock() {
  return ByteBuilder()
      .I32(77)
      .Append(TString("Kitten"))
      .Append(TNull())
      .I32(2)
      .Append(TString("NAME"))
      .I32(kString)
      .I32(3373707)
      .Append(TString("AGE"))
      .I32(kInt)
      .I32(96511)
      .U8(0)
      .I32(1)
      .I32(-5)
      .I32(2)
      .I32(96511)
      .I32(3373707);
}

TEST(BinaryTypeTest, ParsesAMetadataBlock) {
  const Bytes bytes = KittenBlock();
  Reader r(bytes);
  ASSERT_OK_AND_ASSIGN(BinaryType t, ParseBinaryType(r));
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(t.type_id, 77);
  EXPECT_EQ(t.type_name, "Kitten");
  EXPECT_EQ(t.affinity_key_field, "");
  ASSERT_EQ(t.fields.size(), 2u);
  EXPECT_EQ(t.fields[1].name, "AGE");
  EXPECT_EQ(t.fields[1].type_code, kInt);
  EXPECT_FALSE(t.is_enum);
  EXPECT_THAT(t.schemas, UnorderedElementsAre(Pair(-5, ElementsAre(96511, 3373707))));
  ASSERT_NE(t.FieldById(3373707), nullptr);
  EXPECT_EQ(t.FieldById(3373707)->name, "NAME");
  EXPECT_EQ(t.FieldById(1), nullptr);
  ASSERT_NE(t.Schema(-5), nullptr);
  EXPECT_EQ(t.Schema(-6), nullptr);
}

TEST(BinaryTypeTest, ParsesEnums) {
  const Bytes bytes = ByteBuilder()
                          .I32(5)
                          .Append(TString("Color"))
                          .Append(TString("aff"))
                          .I32(0)
                          .U8(1)
                          .I32(2)
                          .Append(TString("RED"))
                          .I32(0)
                          .Append(TString("GREEN"))
                          .I32(1)
                          .I32(0);
  Reader r(bytes);
  ASSERT_OK_AND_ASSIGN(BinaryType t, ParseBinaryType(r));
  EXPECT_TRUE(t.is_enum);
  EXPECT_EQ(t.affinity_key_field, "aff");
  EXPECT_THAT(t.enum_values, ElementsAre(Pair("RED", 0), Pair("GREEN", 1)));
}

TEST(BinaryTypeTest, EveryTruncationFails) {
  const Bytes bytes = KittenBlock();
  for (size_t n = 0; n < bytes.size(); ++n) {
    const Bytes prefix(bytes.begin(), bytes.begin() + n);
    Reader r(prefix);
    EXPECT_THAT(ParseBinaryType(r), StatusIs(absl::StatusCode::kDataLoss)) << n;
  }
}

TEST(BinaryTypeTest, HugeCountsAreRejectedBeforeAllocating) {
  const Bytes bytes =
      ByteBuilder().I32(1).Append(TString("T")).Append(TNull()).I32(0x7FFFFFFF).Fill(8, 0);
  Reader r(bytes);
  EXPECT_THAT(ParseBinaryType(r), StatusIs(absl::StatusCode::kDataLoss, "field count"));
}

TEST(BinaryTypeTest, NonStringNameIsRejected) {
  const Bytes bytes = ByteBuilder().I32(1).U8(kInt).I32(0);
  Reader r(bytes);
  EXPECT_THAT(ParseBinaryType(r), StatusIs(absl::StatusCode::kDataLoss, "expected a string"));
}

TEST(BinaryTypeTest, WriteThenParseRoundTrips) {
  BinaryType t =
      MakeType(9, "Dog", {{"name", kString, 0}, {"tags", kStringArray, 0}},
               {{11, {BinaryNameId("name"), BinaryNameId("tags")}}, {12, {BinaryNameId("tags")}}});
  t.affinity_key_field = "name";
  Writer w;
  WriteBinaryType(t, w);
  Reader r(w.buffer());
  ASSERT_OK_AND_ASSIGN(BinaryType back, ParseBinaryType(r));
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(back.type_id, 9);
  EXPECT_EQ(back.type_name, "Dog");
  EXPECT_EQ(back.affinity_key_field, "name");
  ASSERT_EQ(back.fields.size(), 2u);
  EXPECT_EQ(back.fields[1].name, "tags");
  EXPECT_EQ(back.fields[1].type_code, kStringArray);
  EXPECT_EQ(back.fields[1].id, BinaryNameId("tags"));
  EXPECT_EQ(back.schemas, t.schemas);
}

TEST(BinaryTypeTest, WritesTheKittenBlockByteExact) {
  BinaryType t = MakeType(77, "Kitten", {{"NAME", kString, 3373707}, {"AGE", kInt, 96511}},
                          {{-5, {96511, 3373707}}});
  Writer w;
  WriteBinaryType(t, w);
  EXPECT_EQ(w.buffer(), KittenBlock());
}

TEST(TypeCodesTest, NamesAndSizes) {
  EXPECT_EQ(TypeCodeName(kInt), "int (3)");
  EXPECT_EQ(TypeCodeName(kComplexObject), "complex object (103)");
  EXPECT_EQ(TypeCodeName(77), "unknown type code 77");
  EXPECT_EQ(PrimitiveSize(kByte), 1);
  EXPECT_EQ(PrimitiveSize(kChar), 2);
  EXPECT_EQ(PrimitiveSize(kFloatArray), 4);
  EXPECT_EQ(PrimitiveSize(kDouble), 8);
  EXPECT_EQ(PrimitiveSize(kString), 0);
  EXPECT_EQ(ArrayElementCode(kBoolArray), kBool);
  EXPECT_EQ(ArrayElementCode(kStringArray), kString);
  EXPECT_EQ(ArrayElementCode(kInt), 0);
  for (int code = kByteArray; code <= kBoolArray; ++code) {
    EXPECT_EQ(PrimitiveSize(code), PrimitiveSize(ArrayElementCode(code))) << code;
  }
}

}  // namespace
}  // namespace ignite_tf
