#include "core/wire/reader.h"

#include <cmath>
#include <limits>

#include "core/common/error.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::IsOkAndHolds;
using ::ignite_tf::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ReaderTest, ReadsIntegersLittleEndian) {
  const Bytes bytes = {0x7F, 0x81, 0x01, 0x02, 0xFE, 0xFF, 0x04, 0x03, 0x02, 0x01,
                       0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0xFF, 0xFF};
  Reader r(bytes);
  EXPECT_THAT(r.ReadInt8(), IsOkAndHolds(int8_t{0x7F}));
  EXPECT_THAT(r.ReadUInt8(), IsOkAndHolds(uint8_t{0x81}));
  EXPECT_THAT(r.ReadInt16(), IsOkAndHolds(int16_t{0x0201}));
  EXPECT_THAT(r.ReadInt16(), IsOkAndHolds(int16_t{-2}));
  EXPECT_THAT(r.ReadInt32(), IsOkAndHolds(int32_t{0x01020304}));
  EXPECT_THAT(r.ReadInt64(), IsOkAndHolds(int64_t{0x0102030405060708}));
  EXPECT_THAT(r.ReadUInt16(), IsOkAndHolds(uint16_t{0xFFFF}));
  EXPECT_EQ(r.position(), bytes.size());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ReaderTest, ReadsSignedExtremes) {
  const Bytes bytes = ByteBuilder()
                          .I8(-128)
                          .I16(std::numeric_limits<int16_t>::min())
                          .I32(std::numeric_limits<int32_t>::min())
                          .I64(std::numeric_limits<int64_t>::min())
                          .I32(-1);
  Reader r(bytes);
  EXPECT_THAT(r.ReadInt8(), IsOkAndHolds(int8_t{-128}));
  EXPECT_THAT(r.ReadInt16(), IsOkAndHolds(std::numeric_limits<int16_t>::min()));
  EXPECT_THAT(r.ReadInt32(), IsOkAndHolds(std::numeric_limits<int32_t>::min()));
  EXPECT_THAT(r.ReadInt64(), IsOkAndHolds(std::numeric_limits<int64_t>::min()));
  EXPECT_THAT(r.ReadInt32(), IsOkAndHolds(-1));
}

TEST(ReaderTest, ReadsIeeeFloatsLittleEndian) {
  // 1.5f = 0x3FC00000, -2.25 = 0xC002000000000000.
  const Bytes bytes = {0x00, 0x00, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0, 0x02, 0xC0};
  Reader r(bytes);
  EXPECT_THAT(r.ReadFloat(), IsOkAndHolds(1.5f));
  EXPECT_THAT(r.ReadDouble(), IsOkAndHolds(-2.25));
}

TEST(ReaderTest, ReadsNaNAndInfinity) {
  const Bytes bytes =
      ByteBuilder().F64(std::numeric_limits<double>::infinity()).F32(std::nanf("")).Build();
  Reader r(bytes);
  ASSERT_OK_AND_ASSIGN(double inf, r.ReadDouble());
  EXPECT_TRUE(std::isinf(inf));
  ASSERT_OK_AND_ASSIGN(float nan, r.ReadFloat());
  EXPECT_TRUE(std::isnan(nan));
}

TEST(ReaderTest, BoolIsAnyNonZeroByte) {
  const Bytes bytes = {0, 1, 2, 0xFF};
  Reader r(bytes);
  EXPECT_THAT(r.ReadBool(), IsOkAndHolds(false));
  EXPECT_THAT(r.ReadBool(), IsOkAndHolds(true));
  EXPECT_THAT(r.ReadBool(), IsOkAndHolds(true));
  EXPECT_THAT(r.ReadBool(), IsOkAndHolds(true));
  EXPECT_THAT(r.ReadBool(), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ReaderTest, StartsAtGivenPosition) {
  const Bytes bytes = {9, 9, 0x2A, 0, 0, 0};
  Reader r(bytes, 2);
  EXPECT_EQ(r.position(), 2u);
  EXPECT_EQ(r.remaining(), 4u);
  EXPECT_EQ(r.size(), 6u);
  EXPECT_THAT(r.ReadInt32(), IsOkAndHolds(42));
}

TEST(ReaderTest, ReadBytesReturnsAViewIntoTheMessage) {
  const Bytes bytes = {1, 2, 3, 4, 5};
  Reader r(bytes);
  ASSERT_THAT(r.Skip(1), IsOk());
  ASSERT_OK_AND_ASSIGN(absl::Span<const uint8_t> view, r.ReadBytes(3));
  EXPECT_EQ(view.data(), bytes.data() + 1);  // no copy
  EXPECT_THAT(view, ElementsAre(2, 3, 4));
  EXPECT_EQ(r.position(), 4u);
  ASSERT_OK_AND_ASSIGN(absl::Span<const uint8_t> empty, r.ReadBytes(0));
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(r.position(), 4u);
}

TEST(ReaderTest, ReadBytesPastTheEndFailsWithoutMoving) {
  const Bytes bytes = {1, 2, 3};
  Reader r(bytes, 1);
  EXPECT_THAT(r.ReadBytes(3), StatusIs(absl::StatusCode::kDataLoss, "at offset 1"));
  EXPECT_EQ(r.position(), 1u);
  EXPECT_THAT(r.ReadBytes(2), IsOk());
}

TEST(ReaderTest, TruncatedReadIsDataLossNamingTheOffset) {
  const Bytes bytes = {1, 2, 3, 4, 5};
  Reader r(bytes, 3);
  absl::StatusOr<int32_t> v = r.ReadInt32();
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss, "offset 3"));
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss, "needed 4 bytes"));
  EXPECT_THAT(v, StatusIs(absl::StatusCode::kDataLoss, "only 2 remain"));
  EXPECT_THAT(v, ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_EQ(r.position(), 3u);  // a failed read does not consume
}

TEST(ReaderTest, EveryReadOfAnEmptyMessageFails) {
  const Bytes bytes;
  Reader r(bytes);
  EXPECT_THAT(r.ReadInt8(), StatusIs(absl::StatusCode::kDataLoss, "offset 0"));
  EXPECT_THAT(r.ReadUInt8(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.ReadInt16(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.ReadUInt16(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.ReadInt32(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.ReadInt64(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.ReadFloat(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.ReadDouble(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.ReadBool(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.ReadBytes(1), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.ReadLength(1, "thing"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.Skip(1), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ReaderTest, ReadLengthAcceptsLengthsThatFit) {
  const Bytes bytes = ByteBuilder().I32(3).Fill(12, 0xAA).I32(0);
  Reader r(bytes);
  EXPECT_THAT(r.ReadLength(4, "int[]"), IsOkAndHolds(3));
  EXPECT_EQ(r.position(), 4u);  // only the length was consumed
  ASSERT_THAT(r.Skip(12), IsOk());
  EXPECT_THAT(r.ReadLength(8, "long[]"), IsOkAndHolds(0));
}

TEST(ReaderTest, ReadSizedReturnsTheCountedBytesOrAnError) {
  const Bytes bytes = ByteBuilder().I32(2).U8(0x11).U8(0x22).U8(0x33).U8(0x44).I32(3).U8(0);
  Reader r(bytes);
  ASSERT_OK_AND_ASSIGN(absl::Span<const uint8_t> pairs, r.ReadSized(2, "short[]"));
  EXPECT_EQ(pairs.size(), 4u);
  EXPECT_EQ(pairs[0], 0x11);
  EXPECT_EQ(pairs[3], 0x44);
  EXPECT_EQ(r.position(), 8u);
  // A count that does not fit what is left is a protocol error.
  absl::StatusOr<absl::Span<const uint8_t>> past = r.ReadSized(1, "string");
  EXPECT_THAT(past, StatusIs(absl::StatusCode::kDataLoss, "length 3 of string"));
  EXPECT_THAT(past, ErrorKindIs(ErrorKind::kProtocol));
}

TEST(ReaderTest, ReadLengthAcceptsExactlyTheRemainingBytes) {
  const Bytes bytes = ByteBuilder().I32(2).I64(0).I64(0);
  Reader r(bytes);
  EXPECT_THAT(r.ReadLength(8, "long[]"), IsOkAndHolds(2));
}

TEST(ReaderTest, ReadLengthRejectsNegativeLengths) {
  const Bytes bytes = ByteBuilder().U8(0).I32(-1);
  Reader r(bytes, 1);
  absl::StatusOr<int32_t> n = r.ReadLength(1, "string");
  EXPECT_THAT(n, StatusIs(absl::StatusCode::kDataLoss, "negative length -1"));
  EXPECT_THAT(n, StatusIs(absl::StatusCode::kDataLoss, "for string at offset 1"));
  EXPECT_THAT(n, ErrorKindIs(ErrorKind::kProtocol));
}

TEST(ReaderTest, ReadLengthRejectsIntMin) {
  const Bytes bytes = ByteBuilder().I32(std::numeric_limits<int32_t>::min());
  Reader r(bytes);
  EXPECT_THAT(r.ReadLength(0, "count"), StatusIs(absl::StatusCode::kDataLoss, "negative length"));
}

TEST(ReaderTest, ReadLengthRejectsLengthsBeyondTheMessage) {
  const Bytes bytes = ByteBuilder().I32(5).Fill(4, 0);
  Reader r(bytes);
  absl::StatusOr<int32_t> n = r.ReadLength(1, "byte[]");
  EXPECT_THAT(n, StatusIs(absl::StatusCode::kDataLoss, "length 5 of byte[] at offset 0"));
  EXPECT_THAT(n, StatusIs(absl::StatusCode::kDataLoss, "exceeds the 4 bytes left"));
}

TEST(ReaderTest, ReadLengthMultipliesByTheElementSize) {
  // 3 ints need 12 bytes; only 11 follow.
  const Bytes bytes = ByteBuilder().I32(3).Fill(11, 0);
  Reader r(bytes);
  EXPECT_THAT(r.ReadLength(4, "int[]"), StatusIs(absl::StatusCode::kDataLoss, "exceeds"));
  Reader r1(bytes);
  EXPECT_THAT(r1.ReadLength(1, "byte[]"), IsOkAndHolds(3));
}

TEST(ReaderTest, ReadLengthOfHugeCountDoesNotOverflow) {
  // INT32_MAX * 8 overflows 32 bits but must still be compared correctly.
  const Bytes bytes = ByteBuilder().I32(std::numeric_limits<int32_t>::max()).Fill(16, 0);
  Reader r(bytes);
  EXPECT_THAT(r.ReadLength(8, "double[]"), StatusIs(absl::StatusCode::kDataLoss, "exceeds"));
}

TEST(ReaderTest, ReadLengthWithElementSizeZeroOnlyChecksTheSign) {
  const Bytes bytes = ByteBuilder().I32(1000000);
  Reader r(bytes);
  EXPECT_THAT(r.ReadLength(0, "count"), IsOkAndHolds(1000000));
}

TEST(ReaderTest, SkipMovesWithinBounds) {
  const Bytes bytes = {1, 2, 3, 4};
  Reader r(bytes);
  EXPECT_THAT(r.Skip(0), IsOk());
  EXPECT_THAT(r.Skip(3), IsOk());
  EXPECT_EQ(r.position(), 3u);
  EXPECT_THAT(r.Skip(2), StatusIs(absl::StatusCode::kDataLoss, "offset 3"));
  EXPECT_EQ(r.position(), 3u);
  EXPECT_THAT(r.Skip(1), IsOk());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ReaderTest, SkipOfHugeCountFails) {
  const Bytes bytes = {1, 2};
  Reader r(bytes, 1);
  EXPECT_THAT(r.Skip(SIZE_MAX), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ(r.position(), 1u);
}

TEST(ReaderTest, SeekAllowsAnyPositionUpToTheEnd) {
  const Bytes bytes = {1, 2, 3, 4};
  Reader r(bytes);
  EXPECT_THAT(r.Seek(4), IsOk());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_THAT(r.Seek(1), IsOk());
  EXPECT_THAT(r.ReadUInt8(), IsOkAndHolds(uint8_t{2}));
  EXPECT_THAT(r.Seek(0), IsOk());
  EXPECT_THAT(r.ReadUInt8(), IsOkAndHolds(uint8_t{1}));
}

TEST(ReaderTest, SeekPastTheEndFails) {
  const Bytes bytes = {1, 2, 3, 4};
  Reader r(bytes, 2);
  absl::Status s = r.Seek(5);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss, "offset 5"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss, "4 bytes"));
  EXPECT_THAT(s, ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_EQ(r.position(), 2u);
}

TEST(ReaderTest, LoadUnalignedReadsAtAnyAddress) {
  const Bytes bytes = {0xFF, 0x78, 0x56, 0x34, 0x12, 0xEF, 0xCD};
  EXPECT_EQ(LoadUnaligned<uint32_t>(bytes.data() + 1), 0x12345678u);
  EXPECT_EQ(LoadUnaligned<uint16_t>(bytes.data() + 5), 0xCDEFu);
  EXPECT_EQ(LoadUnaligned<int16_t>(bytes.data() + 5), static_cast<int16_t>(0xCDEF));
}

// Regression (fixed in core/wire/reader.h): a start position beyond the message must not make
// remaining() wrap around (reads past the buffer); every read reports truncation. ParsePage
// forwards its offset to the reader.
TEST(ReaderTest, StartPositionPastTheEndFailsEveryRead) {
  const Bytes bytes = {1, 2, 3, 4};
  Reader r(bytes, 8);
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_THAT(r.ReadInt32(), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(r.ReadBytes(2), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace ignite_tf
