#include "core/binary/object_layout.h"

#include <string>

#include "core/binary/ids.h"
#include "core/binary/type_codes.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::Concat;
using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::HandObject;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::StatusIs;
using ::ignite_tf::testing::TInt;
using ::ignite_tf::testing::TString;

constexpr int32_t kFieldA = 1001;
constexpr int32_t kFieldB = 1002;

// int 7 at offset 24 (5 bytes), string "hello" at offset 29 (10 bytes); data ends at 39.
HandObject TwoFields() {
  HandObject o;
  o.Field(kFieldA, TInt(7)).Field(kFieldB, TString("hello"));
  return o;
}

void Patch32(Bytes& b, size_t at, int32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(static_cast<uint32_t>(v) >> (8 * i));
}

// Properties that must hold for any layout ParseObjectLayout accepts.
void ExpectLayoutWithinBounds(absl::Span<const uint8_t> buffer, const ObjectLayout& o) {
  ASSERT_LE(o.end(), buffer.size());
  ASSERT_GE(o.length, kObjectHeaderSize);
  ASSERT_LE(o.data_end, o.end());
  ASSERT_GE(o.data_end, o.start + kObjectHeaderSize);
  if (o.field_count > 0) {
    ASSERT_GE(o.footer_begin, o.start + kObjectHeaderSize);
    ASSERT_LE(o.footer_begin + o.field_count * o.footer_entry, o.end());
  }
  for (size_t i = 0; i < o.field_count; ++i) {
    size_t pos = o.FieldPosition(buffer.data(), i);
    ASSERT_GE(pos, o.start + kObjectHeaderSize);
    ASSERT_LT(pos, o.data_end);
  }
  if (o.has_raw) {
    ASSERT_LE(o.raw_begin, o.raw_end);
    ASSERT_GE(o.raw_begin, o.start + kObjectHeaderSize);
    ASSERT_LE(o.raw_end, o.end());
  }
}

TEST(ObjectLayoutTest, CompactFooterWithOneByteOffsets) {
  const Bytes bytes = TwoFields().Build();
  ASSERT_OK_AND_ASSIGN(ObjectLayout o, ParseObjectLayout(bytes, 0));
  EXPECT_EQ(o.start, 0u);
  EXPECT_EQ(o.flags, 0x2B);  // the typical server object
  EXPECT_EQ(o.type_id, 0x0BADCAFE);
  EXPECT_EQ(o.schema_id, 0x5C4E3A01);
  EXPECT_EQ(o.hash_code, ObjectHashCode(absl::MakeConstSpan(bytes).subspan(24, 15)));
  EXPECT_EQ(o.length, 24u + 15u + 2u);
  EXPECT_EQ(o.end(), bytes.size());
  EXPECT_TRUE(o.compact());
  EXPECT_EQ(o.offset_size, 1);
  EXPECT_EQ(o.footer_entry, 1u);
  EXPECT_EQ(o.field_count, 2u);
  EXPECT_EQ(o.data_end, 39u);
  EXPECT_EQ(o.footer_begin, 39u);
  EXPECT_FALSE(o.has_raw);
  EXPECT_EQ(o.FieldPosition(bytes.data(), 0), 24u);
  EXPECT_EQ(o.FieldPosition(bytes.data(), 1), 29u);
}

TEST(ObjectLayoutTest, CompactFooterWithTwoByteOffsets) {
  HandObject h = TwoFields();
  h.offset_size = 2;
  const Bytes bytes = h.Build();
  ASSERT_OK_AND_ASSIGN(ObjectLayout o, ParseObjectLayout(bytes, 0));
  EXPECT_EQ(o.flags & (kFlagOffsetOneByte | kFlagOffsetTwoBytes), kFlagOffsetTwoBytes);
  EXPECT_EQ(o.offset_size, 2);
  EXPECT_EQ(o.footer_entry, 2u);
  EXPECT_EQ(o.field_count, 2u);
  EXPECT_EQ(o.length, 24u + 15u + 4u);
  EXPECT_EQ(o.FieldPosition(bytes.data(), 0), 24u);
  EXPECT_EQ(o.FieldPosition(bytes.data(), 1), 29u);
}

TEST(ObjectLayoutTest, CompactFooterWithFourByteOffsets) {
  HandObject h = TwoFields();
  h.offset_size = 4;
  const Bytes bytes = h.Build();
  ASSERT_OK_AND_ASSIGN(ObjectLayout o, ParseObjectLayout(bytes, 0));
  EXPECT_EQ(o.flags & (kFlagOffsetOneByte | kFlagOffsetTwoBytes), 0);
  EXPECT_EQ(o.offset_size, 4);
  EXPECT_EQ(o.footer_entry, 4u);
  EXPECT_EQ(o.field_count, 2u);
  EXPECT_EQ(o.FieldPosition(bytes.data(), 1), 29u);
}

TEST(ObjectLayoutTest, TwoByteOffsetsBeyond255) {
  HandObject h;
  h.Field(kFieldA, TString(std::string(300, 'x'))).Field(kFieldB, TInt(1));
  const Bytes bytes = h.Build();
  ASSERT_OK_AND_ASSIGN(ObjectLayout o, ParseObjectLayout(bytes, 0));
  EXPECT_EQ(o.offset_size, 2);
  EXPECT_EQ(o.FieldPosition(bytes.data(), 1), 24u + 305u);
}

TEST(ObjectLayoutTest, FourByteOffsetsBeyond65535) {
  HandObject h;
  h.Field(kFieldA, TString(std::string(70000, 'x'))).Field(kFieldB, TInt(1));
  const Bytes bytes = h.Build();
  ASSERT_OK_AND_ASSIGN(ObjectLayout o, ParseObjectLayout(bytes, 0));
  EXPECT_EQ(o.offset_size, 4);
  EXPECT_EQ(o.FieldPosition(bytes.data(), 1), 24u + 70005u);
}

TEST(ObjectLayoutTest, FullFooterCarriesFieldIds) {
  for (int width : {1, 2, 4}) {
    HandObject h = TwoFields();
    h.compact = false;
    h.offset_size = width;
    const Bytes bytes = h.Build();
    ASSERT_OK_AND_ASSIGN(ObjectLayout o, ParseObjectLayout(bytes, 0));
    EXPECT_FALSE(o.compact());
    EXPECT_EQ(o.offset_size, width);
    EXPECT_EQ(o.footer_entry, 4u + width);
    EXPECT_EQ(o.field_count, 2u);
    EXPECT_EQ(o.FieldId(bytes.data(), 0), kFieldA);
    EXPECT_EQ(o.FieldId(bytes.data(), 1), kFieldB);
    EXPECT_EQ(o.FieldPosition(bytes.data(), 0), 24u);
    EXPECT_EQ(o.FieldPosition(bytes.data(), 1), 29u);
  }
}

TEST(ObjectLayoutTest, PositionsAreAbsoluteForANonZeroStart) {
  const Bytes bytes = Concat({Bytes(7, 0xEE), TwoFields().Build(), Bytes(3, 0xDD)});
  ASSERT_OK_AND_ASSIGN(ObjectLayout o, ParseObjectLayout(bytes, 7));
  EXPECT_EQ(o.start, 7u);
  EXPECT_EQ(o.end(), bytes.size() - 3);
  EXPECT_EQ(o.data_end, 7u + 39u);
  EXPECT_EQ(o.footer_begin, 7u + 39u);
  EXPECT_EQ(o.FieldPosition(bytes.data(), 0), 7u + 24u);
  EXPECT_EQ(o.FieldPosition(bytes.data(), 1), 7u + 29u);
}

TEST(ObjectLayoutTest, RawDataAfterFields) {
  HandObject h = TwoFields();
  h.raw = {0xA1, 0xA2, 0xA3};
  const Bytes bytes = h.Build();
  ASSERT_OK_AND_ASSIGN(ObjectLayout o, ParseObjectLayout(bytes, 0));
  EXPECT_TRUE(o.has_raw);
  EXPECT_EQ(o.field_count, 2u);
  EXPECT_EQ(o.raw_begin, 39u);
  EXPECT_EQ(o.raw_end, 42u);
  EXPECT_EQ(o.data_end, 39u);  // fields end where raw data begins
  EXPECT_EQ(o.footer_begin, 42u);
  EXPECT_EQ(o.length, 42u + 2u + 4u);  // footer, then the raw offset
  EXPECT_EQ(bytes[o.raw_begin], 0xA1);
}

TEST(ObjectLayoutTest, RawDataWithoutSchema) {
  HandObject h;
  h.raw = {1, 2, 3, 4};
  const Bytes bytes = h.Build();
  ASSERT_OK_AND_ASSIGN(ObjectLayout o, ParseObjectLayout(bytes, 0));
  EXPECT_TRUE(o.has_raw);
  EXPECT_EQ(o.field_count, 0u);
  EXPECT_EQ(o.raw_begin, 24u);
  EXPECT_EQ(o.raw_end, 28u);
  EXPECT_EQ(o.data_end, 24u);
  EXPECT_EQ(o.length, 28u);
}

TEST(ObjectLayoutTest, EmptyObjectAsJavaWritesIt) {
  // No fields: USER_TYPE | COMPACT_FOOTER, schema id 0 and header offset 0.
  const Bytes bytes = HandObject().Build();
  ASSERT_EQ(bytes.size(), 24u);
  ASSERT_OK_AND_ASSIGN(ObjectLayout o, ParseObjectLayout(bytes, 0));
  EXPECT_EQ(o.flags, kFlagUserType | kFlagCompactFooter);
  EXPECT_EQ(o.field_count, 0u);
  EXPECT_EQ(o.schema_id, 0);
  EXPECT_FALSE(o.has_raw);
  EXPECT_EQ(o.data_end, 24u);
}

TEST(ObjectLayoutTest, HeaderThatDoesNotFitIsRejected) {
  const Bytes bytes = TwoFields().Build();
  for (size_t n = 0; n < kObjectHeaderSize; ++n) {
    EXPECT_THAT(ParseObjectLayout(absl::MakeConstSpan(bytes).first(n), 0),
                StatusIs(absl::StatusCode::kDataLoss, "24-byte header"))
        << n;
  }
}

TEST(ObjectLayoutTest, StartBeyondTheBufferIsRejected) {
  const Bytes bytes = TwoFields().Build();
  EXPECT_THAT(ParseObjectLayout(bytes, bytes.size()), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ParseObjectLayout(bytes, bytes.size() + 100), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ParseObjectLayout(bytes, SIZE_MAX), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ObjectLayoutTest, EveryTruncationIsRejected) {
  HandObject h = TwoFields();
  h.raw = {5, 6};
  const Bytes bytes = h.Build();
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THAT(ParseObjectLayout(absl::MakeConstSpan(bytes).first(n), 0),
                StatusIs(absl::StatusCode::kDataLoss))
        << "prefix of " << n << " bytes";
  }
  EXPECT_THAT(ParseObjectLayout(bytes, 0), IsOk());
}

TEST(ObjectLayoutTest, WrongTypeCodeIsRejected) {
  Bytes bytes = TwoFields().Build();
  bytes[0] = kInt;
  EXPECT_THAT(ParseObjectLayout(bytes, 0),
              StatusIs(absl::StatusCode::kDataLoss, "expected a complex object at offset 0"));
}

TEST(ObjectLayoutTest, UnknownVersionIsRejected) {
  HandObject h = TwoFields();
  h.version = 2;
  absl::StatusOr<ObjectLayout> o = ParseObjectLayout(h.Build(), 0);
  EXPECT_THAT(o, StatusIs(absl::StatusCode::kDataLoss, "unsupported version 2"));
  EXPECT_THAT(o, ErrorKindIs(ErrorKind::kProtocol));
}

TEST(ObjectLayoutTest, LengthShorterThanTheHeaderIsRejected) {
  for (int32_t length : {0, 23, -1, std::numeric_limits<int32_t>::min()}) {
    HandObject h = TwoFields();
    h.length = length;
    EXPECT_THAT(ParseObjectLayout(h.Build(), 0),
                StatusIs(absl::StatusCode::kDataLoss, absl::StrCat("claims length ", length)));
  }
}

TEST(ObjectLayoutTest, LengthBeyondTheBufferIsRejected) {
  HandObject h = TwoFields();
  const Bytes good = h.Build();
  h.length = static_cast<int32_t>(good.size()) + 1;
  EXPECT_THAT(ParseObjectLayout(h.Build(), 0),
              StatusIs(absl::StatusCode::kDataLoss, "bytes remain"));
}

TEST(ObjectLayoutTest, FooterOffsetOutsideTheObjectIsRejected) {
  const Bytes good = TwoFields().Build();
  for (int32_t offset : {static_cast<int32_t>(good.size()) + 1, 1000000, -8, 0, 23}) {
    HandObject h = TwoFields();
    h.schema_or_raw_offset = offset;
    EXPECT_THAT(ParseObjectLayout(h.Build(), 0),
                StatusIs(absl::StatusCode::kDataLoss,
                         absl::StrCat("footer offset ", offset, " lies outside the object")));
  }
}

TEST(ObjectLayoutTest, FooterOfPartialEntriesIsRejected) {
  HandObject h = TwoFields();
  h.offset_size = 2;
  const Bytes good = h.Build();
  h.schema_or_raw_offset = static_cast<int32_t>(good.size()) - 5;  // 5 bytes of 2-byte entries
  EXPECT_THAT(ParseObjectLayout(h.Build(), 0),
              StatusIs(absl::StatusCode::kDataLoss, "not a whole number of 2-byte entries"));
}

TEST(ObjectLayoutTest, FieldOffsetInsideTheHeaderIsRejected) {
  Bytes bytes = TwoFields().Build();
  bytes[bytes.size() - 2] = 3;  // first footer entry
  EXPECT_THAT(ParseObjectLayout(bytes, 0),
              StatusIs(absl::StatusCode::kDataLoss, "field #0 offset 3 points outside the data"));
}

TEST(ObjectLayoutTest, FieldOffsetIntoTheFooterIsRejected) {
  Bytes bytes = TwoFields().Build();
  bytes[bytes.size() - 1] = 39;  // second entry points at the footer itself
  EXPECT_THAT(ParseObjectLayout(bytes, 0),
              StatusIs(absl::StatusCode::kDataLoss, "field #1 offset 39"));
  bytes[bytes.size() - 1] = 0xFF;
  EXPECT_THAT(ParseObjectLayout(bytes, 0),
              StatusIs(absl::StatusCode::kDataLoss, "field #1 offset 255"));
}

TEST(ObjectLayoutTest, FieldOffsetIntoRawDataIsRejected) {
  HandObject h = TwoFields();
  h.raw = {1, 2, 3};
  Bytes bytes = h.Build();
  // Footer: 2 one-byte entries, then the int32 raw offset.
  bytes[bytes.size() - 5] = 40;  // inside the raw data (39..41)
  EXPECT_THAT(ParseObjectLayout(bytes, 0),
              StatusIs(absl::StatusCode::kDataLoss, "field #1 offset 40"));
}

TEST(ObjectLayoutTest, FourByteFieldOffsetOutsideIsRejected) {
  HandObject h = TwoFields();
  h.offset_size = 4;
  Bytes bytes = h.Build();
  Patch32(bytes, bytes.size() - 4, 0x7FFFFFF0);
  EXPECT_THAT(ParseObjectLayout(bytes, 0),
              StatusIs(absl::StatusCode::kDataLoss, "points outside the data"));
  Patch32(bytes, bytes.size() - 4, -1);
  EXPECT_THAT(ParseObjectLayout(bytes, 0),
              StatusIs(absl::StatusCode::kDataLoss, "points outside the data"));
}

TEST(ObjectLayoutTest, RawOffsetOutsideTheDataAreaIsRejected) {
  HandObject h = TwoFields();
  h.raw = {1, 2, 3};
  const Bytes good = h.Build();
  for (int32_t raw : {0, 23, 43, 1000, -1}) {
    Bytes bytes = good;
    Patch32(bytes, bytes.size() - 4, raw);
    EXPECT_THAT(ParseObjectLayout(bytes, 0),
                StatusIs(absl::StatusCode::kDataLoss, absl::StrCat("raw data offset ", raw)))
        << raw;
  }
}

TEST(ObjectLayoutTest, RawOffsetWithoutSchemaOutsideTheObjectIsRejected) {
  HandObject h;
  h.raw = {1, 2};
  for (int32_t raw : {0, 23, 27, -5}) {
    h.schema_or_raw_offset = raw;
    EXPECT_THAT(ParseObjectLayout(h.Build(), 0),
                StatusIs(absl::StatusCode::kDataLoss, "raw data offset"))
        << raw;
  }
}

TEST(ObjectLayoutTest, SchemaAndRawFlagsWithoutRoomForTheRawOffsetAreRejected) {
  // HAS_SCHEMA | HAS_RAW with a 24-byte object: the trailing raw offset cannot fit.
  const Bytes bytes = ByteBuilder()
                          .U8(kComplexObject)
                          .U8(1)
                          .U16(kFlagUserType | kFlagHasSchema | kFlagHasRaw | kFlagCompactFooter)
                          .I32(1)
                          .I32(1)
                          .I32(24)
                          .I32(5)
                          .I32(24);
  EXPECT_THAT(ParseObjectLayout(bytes, 0),
              StatusIs(absl::StatusCode::kDataLoss, "raw offset does not fit"));
}

TEST(ObjectLayoutTest, FooterOverlappingTheRawOffsetIsRejected) {
  HandObject h = TwoFields();
  h.raw = {1, 2, 3};
  const Bytes good = h.Build();
  h.schema_or_raw_offset = static_cast<int32_t>(good.size()) - 2;
  EXPECT_THAT(ParseObjectLayout(h.Build(), 0),
              StatusIs(absl::StatusCode::kDataLoss, "footer overlaps raw offset"));
}

TEST(ObjectLayoutTest, ErrorsNameTheObjectOffsetAndIds) {
  HandObject h = TwoFields();
  h.schema_or_raw_offset = 9999;
  const Bytes bytes = Concat({Bytes(5, 0), h.Build()});
  absl::StatusOr<ObjectLayout> o = ParseObjectLayout(bytes, 5);
  EXPECT_THAT(o, StatusIs(absl::StatusCode::kDataLoss, "complex object at offset 5"));
  EXPECT_THAT(o, StatusIs(absl::StatusCode::kDataLoss, "type id 195939070"));  // 0x0BADCAFE
}

// Every single-byte corruption of a valid object either parses into a layout that stays inside
// the buffer, or is rejected; it never reads out of bounds (run under ASan to see the latter).
TEST(ObjectLayoutTest, SingleByteCorruptionsNeverEscapeTheBuffer) {
  std::vector<HandObject> objects;
  objects.push_back(TwoFields());
  objects.push_back(TwoFields());
  objects.back().raw = {9, 8, 7};
  objects.push_back(TwoFields());
  objects.back().compact = false;
  objects.back().offset_size = 2;
  objects.push_back(TwoFields());
  objects.back().offset_size = 4;
  for (const HandObject& h : objects) {
    const Bytes good = h.Build();
    for (size_t i = 0; i < good.size(); ++i) {
      for (int mutation = 0; mutation < 8; ++mutation) {
        Bytes bytes = good;
        static constexpr uint8_t kSet[] = {0x00, 0x01, 0x7F, 0x80, 0xFF};
        static constexpr uint8_t kFlip[] = {0x01, 0x10, 0x80};
        bytes[i] = mutation < 5 ? kSet[mutation] : bytes[i] ^ kFlip[mutation - 5];
        absl::StatusOr<ObjectLayout> o = ParseObjectLayout(bytes, 0);
        if (o.ok()) {
          ExpectLayoutWithinBounds(bytes, *o);
        } else {
          EXPECT_EQ(o.status().code(), absl::StatusCode::kDataLoss) << o.status();
        }
      }
    }
  }
}

}  // namespace
}  // namespace ignite_tf
