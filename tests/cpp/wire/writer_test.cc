#include "core/wire/writer.h"

#include "core/wire/reader.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::IsOkAndHolds;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

TEST(WriterTest, WritesLittleEndian) {
  Writer w;
  w.WriteInt8(-1);
  w.WriteUInt8(0x80);
  w.WriteInt16(0x0102);
  w.WriteUInt16(0xFFFE);
  w.WriteInt32(0x01020304);
  w.WriteInt64(-2);
  w.WriteFloat(1.5f);
  w.WriteDouble(-2.25);
  w.WriteBool(true);
  w.WriteBool(false);
  const Bytes expected = ByteBuilder()
                             .I8(-1)
                             .U8(0x80)
                             .I16(0x0102)
                             .U16(0xFFFE)
                             .I32(0x01020304)
                             .I64(-2)
                             .F32(1.5f)
                             .F64(-2.25)
                             .U8(1)
                             .U8(0);
  EXPECT_THAT(w.buffer(), ElementsAreArray(expected));
  EXPECT_EQ(w.size(), expected.size());
}

TEST(WriterTest, StringAndNullAreTyped) {
  Writer w;
  w.WriteString("hé");
  w.WriteNull();
  w.WriteString("");
  EXPECT_THAT(w.buffer(), ElementsAre(9, 3, 0, 0, 0, 'h', 0xC3, 0xA9, 101, 9, 0, 0, 0, 0));
}

TEST(WriterTest, PatchAtOverwritesInPlace) {
  Writer w;
  w.WriteInt32(0);
  w.WriteUInt8(7);
  w.PatchAt<int32_t>(0, 0x0A0B0C0D);
  EXPECT_THAT(w.buffer(), ElementsAre(0x0D, 0x0C, 0x0B, 0x0A, 7));
}

TEST(WriterTest, RawBytesAndRelease) {
  Writer w;
  const Bytes tail = {4, 5};
  w.WriteRaw("abc", 3);
  w.WriteBytes(tail);
  Bytes out = w.Release();
  EXPECT_THAT(out, ElementsAre('a', 'b', 'c', 4, 5));
}

TEST(WriterTest, RoundTripsThroughReader) {
  Writer w;
  w.WriteInt64(0x1122334455667788);
  w.WriteInt16(-300);
  w.WriteDouble(3.25);
  Reader r(w.buffer());
  EXPECT_THAT(r.ReadInt64(), IsOkAndHolds(int64_t{0x1122334455667788}));
  EXPECT_THAT(r.ReadInt16(), IsOkAndHolds(int16_t{-300}));
  EXPECT_THAT(r.ReadDouble(), IsOkAndHolds(3.25));
}

}  // namespace
}  // namespace ignite_tf
