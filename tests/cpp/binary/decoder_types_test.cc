// Decoding of the types beyond primitives and strings: UUID, timestamp, time, decimal, enums,
// arrays of them, object arrays, collections and maps.
#include <gtest/gtest.h>

#include "core/binary/decoder.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using namespace ::ignite_tf::testing;  // NOLINT: test helpers

constexpr int32_t kColorType = 777;

class DecoderTypesTest : public ::testing::Test {
 protected:
  DecoderTypesTest() {
    BinaryType color;
    color.type_id = kColorType;
    color.type_name = "Color";
    color.is_enum = true;
    color.enum_values = {{"RED", 0}, {"GREEN", 1}, {"BLUE", 2}};
    types_.Add(color);
  }
  absl::StatusOr<Value> Decode(const Bytes& bytes, size_t* end = nullptr) {
    ValueDecoder decoder(&types_);
    size_t pos = 0;
    absl::StatusOr<Value> v = decoder.Decode(bytes, &pos, "val");
    if (end != nullptr) *end = pos;
    return v;
  }
  FakeTypeResolver types_;
};

// page_decoder_fuzzer input (a decimal with scale 845873155): decoding allocated 845 MB.
TEST_F(DecoderTypesTest, DecimalWithAHugeScaleDecodesToShortText) {
  const Bytes bytes = {0x1E, 0x03, 0x00, 0x6B, 0x32, 0x01, 0x00, 0x00, 0x00, 0x81};
  size_t end = 0;
  ASSERT_OK_AND_ASSIGN(Value d, Decode(bytes, &end));
  EXPECT_EQ(d.text, "-1E-845873155");
  EXPECT_EQ(end, bytes.size());
}

TEST_F(DecoderTypesTest, Uuid) {
  size_t end = 0;
  ASSERT_OK_AND_ASSIGN(Value v, Decode(TUuid(0x0123456789ABCDEF, -2), &end));
  EXPECT_EQ(v.code, kUuid);
  EXPECT_EQ(v.integer, 0x0123456789ABCDEF);
  EXPECT_EQ(v.integer2, -2);
  EXPECT_EQ(end, 17u);
}

TEST_F(DecoderTypesTest, TimestampTimeDecimal) {
  ASSERT_OK_AND_ASSIGN(Value ts, Decode(ByteBuilder().U8(kTimestamp).I64(1500).I32(123456)));
  EXPECT_EQ(ts.integer, 1500);
  EXPECT_EQ(ts.integer2, 123456);
  ASSERT_OK_AND_ASSIGN(Value t, Decode(ByteBuilder().U8(kTime).I64(3600000)));
  EXPECT_EQ(t.code, kTime);
  EXPECT_EQ(t.integer, 3600000);
  ASSERT_OK_AND_ASSIGN(Value d, Decode(ByteBuilder().U8(kDecimal).I32(2).I32(2).U8(0xB0).U8(0x39)));
  EXPECT_EQ(d.code, kDecimal);
  EXPECT_EQ(d.text, "-123.45");
  EXPECT_DOUBLE_EQ(d.real, -123.45);
}

TEST_F(DecoderTypesTest, EnumsGetTheirNameFromMetadata) {
  ASSERT_OK_AND_ASSIGN(Value e, Decode(ByteBuilder().U8(kBinaryEnum).I32(kColorType).I32(2)));
  EXPECT_EQ(e.integer, 2);
  EXPECT_EQ(e.integer2, kColorType);
  EXPECT_EQ(e.text, "BLUE");
  ASSERT_OK_AND_ASSIGN(Value unknown, Decode(ByteBuilder().U8(kEnum).I32(4242).I32(1)));
  EXPECT_EQ(unknown.integer, 1);
  EXPECT_EQ(unknown.text, "");  // no metadata: the ordinal still reads
}

TEST_F(DecoderTypesTest, ArraysCollectionsAndMaps) {
  Bytes uuids = Concat({ByteBuilder().U8(kUuidArray).I32(2), TUuid(1, 2), TNull()});
  ASSERT_OK_AND_ASSIGN(Value u, Decode(uuids));
  ASSERT_EQ(u.items.size(), 2u);
  EXPECT_EQ(u.items[0].integer2, 2);
  EXPECT_TRUE(u.items[1].is_null());

  Bytes objects =
      Concat({ByteBuilder().U8(kObjectArray).I32(-1).I32(3), TInt(5), TString("x"), TNull()});
  ASSERT_OK_AND_ASSIGN(Value o, Decode(objects));
  EXPECT_EQ(o.kind, -1);
  ASSERT_EQ(o.items.size(), 3u);
  EXPECT_EQ(o.items[1].text, "x");

  Bytes list = Concat({ByteBuilder().U8(kCollection).I32(2).I8(1), TLong(7), TLong(8)});
  size_t end = 0;
  ASSERT_OK_AND_ASSIGN(Value c, Decode(list, &end));
  EXPECT_EQ(c.kind, 1);
  EXPECT_EQ(c.items[1].integer, 8);
  EXPECT_EQ(end, list.size());

  Bytes map =
      Concat({ByteBuilder().U8(kMap).I32(2).I8(1), TString("a"), TInt(1), TString("b"), TInt(2)});
  ASSERT_OK_AND_ASSIGN(Value m, Decode(map));
  EXPECT_EQ(m.ArrayLength(), 2u);
  EXPECT_EQ(m.items[2].text, "b");
  EXPECT_EQ(m.items[3].integer, 2);
  EXPECT_THAT(SkipValue(map, 0, "val"), IsOkAndHolds(map.size()));
}

TEST_F(DecoderTypesTest, HostileCountsAreErrorsNotAllocations) {
  Bytes huge = ByteBuilder().U8(kCollection).I32(0x7FFFFFFF).I8(1);
  EXPECT_THAT(Decode(huge), StatusIs(absl::StatusCode::kDataLoss));
  Bytes huge_map = ByteBuilder().U8(kMap).I32(0x40000000).I8(1).Fill(8, 1);
  EXPECT_THAT(Decode(huge_map), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(SkipValue(huge_map, 0, "val"), StatusIs(absl::StatusCode::kDataLoss));
  // Every truncation of a nested collection is an error, never a crash.
  Bytes nested =
      Concat({ByteBuilder().U8(kCollection).I32(2).I8(1), ByteBuilder().U8(kMap).I32(1).I8(1),
              TString("k"), TUuid(1, 2), ByteBuilder().U8(kDecimal).I32(1).I32(1).U8(5)});
  ASSERT_TRUE(Decode(nested).ok());
  for (size_t n = 0; n < nested.size(); ++n) {
    Bytes prefix(nested.begin(), nested.begin() + n);
    EXPECT_FALSE(Decode(prefix).ok()) << n;
    EXPECT_FALSE(SkipValue(prefix, 0, "val").ok()) << n;
  }
}

TEST_F(DecoderTypesTest, SqlDateColumnsAreOptimizedJavaSqlDates) {
  // DATE '2001-02-03' as a 2.17 node stores it in a SQL table (bytes captured from a node).
  Bytes date = TJavaSqlDate(981158400000);
  size_t end = 0;
  ASSERT_OK_AND_ASSIGN(Value v, Decode(date, &end));
  EXPECT_EQ(v.code, kDate);
  EXPECT_EQ(v.integer, 981158400000);
  EXPECT_EQ(end, date.size());
  EXPECT_THAT(SkipValue(date, 0, "val"), IsOkAndHolds(date.size()));
  // Any other Java-serialized object stays unsupported, and says so.
  Bytes other = ByteBuilder().U8(kOptimized).I32(3).U8(1).U8(2).U8(3);
  EXPECT_THAT(Decode(other), StatusIs(absl::StatusCode::kUnimplemented, "Java-serialized"));
  EXPECT_THAT(SkipValue(other, 0, "val"), IsOkAndHolds(other.size()));
}

}  // namespace
}  // namespace ignite_tf
