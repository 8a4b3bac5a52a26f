// Expected values were computed with Java 17 (String.hashCode, Character.toLowerCase per UTF-16
// unit as BinaryBasicIdMapper.lowerCaseHashCode does, BinaryUtils.updateSchemaId's FNV-1, and
// java.util.Arrays.hashCode(byte[])), not with the code under test.
#include "core/binary/ids.h"

#include <cstdint>
#include <vector>

#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::Bytes;

TEST(JavaStringHashTest, MatchesJavaForAscii) {
  EXPECT_EQ(JavaStringHash("SQL_PUBLIC_KITTEN_CACHE"), 628267183);
  EXPECT_EQ(JavaStringHash(""), 0);
  EXPECT_EQ(JavaStringHash("a"), 97);
  EXPECT_EQ(JavaStringHash("my-cache"), -1910710239);
}

TEST(JavaStringHashTest, IsCaseSensitive) {
  EXPECT_EQ(JavaStringHash("Person"), -1907849355);
  EXPECT_EQ(JavaStringHash("person"), -991716523);
  EXPECT_NE(JavaStringHash("Person"), JavaStringHash("person"));
}

TEST(JavaStringHashTest, HashesUtf16UnitsOfNonAsciiText) {
  EXPECT_EQ(JavaStringHash("Gr\xC3\xB6\xC3\x9F"
                           "e"),
            69209585);  // "Größe"
  EXPECT_EQ(JavaStringHash("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"),
            1177014952);                                           // "Привет"
  EXPECT_EQ(JavaStringHash("\xE7\xBC\x93\xE5\xAD\x98"), 1031845);  // "缓存" (3-byte UTF-8)
}

TEST(JavaStringHashTest, HashesNonBmpCharactersAsSurrogatePairs) {
  // U+1F600 is the UTF-16 pair D83D DE00: 31 * 0xD83D + 0xDE00, not the code point 0x1F600.
  EXPECT_EQ(JavaStringHash("\xF0\x9F\x98\x80"), 1772899);
  EXPECT_EQ(JavaStringHash("\xF0\x9F\x98\x80"), 31 * 0xD83D + 0xDE00);
  EXPECT_EQ(JavaStringHash("a\xF0\x9F\x98\x80"
                           "b"),
            57849694);
  EXPECT_EQ(JavaStringHash("\xF0\x90\x90\x80x"), 54886457);  // U+10400 then 'x'
}

TEST(JavaStringHashTest, WrapsAroundLikeJavaInt) {
  // A long string overflows int32 many times over; Java wraps silently.
  std::string s(1000, 'z');
  int32_t h = 0;
  for (char c : s) h = static_cast<int32_t>(31u * static_cast<uint32_t>(h) + c);
  EXPECT_EQ(JavaStringHash(s), h);
}

// Java decodes malformed UTF-8 with one U+FFFD per maximal bad subsequence; the core decodes a
// lead byte followed by a non-continuation byte as a 2-byte sequence ("\xC3" "A" hashes as U+00C1
// rather than U+FFFD, 'A'), and a truncated 3-byte sequence as two U+FFFD instead of one.
// Regression (fixed in core/binary/ids.cc ForEachUtf16Unit): continuation bytes must be
// 10xxxxxx, and a malformed sequence yields one U+FFFD for its maximal invalid prefix, as Java's
// CharsetDecoder with REPLACE does (overlong forms and encoded surrogates too). Only C++ callers
// passing raw bytes reach this; cache names from Python are valid UTF-8.
TEST(JavaStringHashTest, MalformedUtf8MatchesJavaReplacement) {
  EXPECT_EQ(JavaStringHash("\xC3"
                           "A"),
            2031588);                            // Java: "\uFFFDA"
  EXPECT_EQ(JavaStringHash("\xE2\x82"), 65533);  // Java: "\uFFFD"
}

TEST(JavaStringHashTest, LoneInvalidByteIsReplacementCharacter) {
  EXPECT_EQ(JavaStringHash("\xFF"), 65533);  // Java: "\uFFFD"
}

TEST(BinaryNameIdTest, LowerCasesBeforeHashing) {
  EXPECT_EQ(BinaryNameId("Person"), -991716523);
  EXPECT_EQ(BinaryNameId("person"), -991716523);
  EXPECT_EQ(BinaryNameId("PERSON"), -991716523);
  EXPECT_EQ(BinaryNameId("Person"), JavaStringHash("person"));
}

TEST(BinaryNameIdTest, MatchesJavaForSqlColumnNames) {
  EXPECT_EQ(BinaryNameId("NAME"), 3373707);
  EXPECT_EQ(BinaryNameId("VAL"), 116513);
  EXPECT_EQ(BinaryNameId("ID"), 3355);
  EXPECT_EQ(BinaryNameId("name"), 3373707);
  EXPECT_EQ(BinaryNameId("age"), 96511);
  EXPECT_EQ(BinaryNameId("SQL_PUBLIC_KITTEN_CACHE_1b2c"), -1140460078);
}

TEST(BinaryNameIdTest, LowerCasesLatin1) {
  EXPECT_EQ(BinaryNameId("\xC3\x84\xC3\x96\xC3\x9C\xC3\x9F"), 7036789);  // "ÄÖÜß"
  // U+00D7 (multiplication sign) has no lower case.
  EXPECT_EQ(BinaryNameId("\xC3\x97"), 0xD7);
}

TEST(BinaryNameIdTest, LowerCasesLatinExtendedA) {
  EXPECT_EQ(BinaryNameId("\xC4\x80\xC4\xB9\xC5\xB9\xC5\xB8"), 7970014);  // "ĀĹŹŸ"
}

TEST(BinaryNameIdTest, LowerCasesGreekAndCyrillic) {
  EXPECT_EQ(BinaryNameId("\xCE\x91\xCE\x92\xCE\x93\xCE\xA3"), 29091921);  // "ΑΒΓΣ"
  EXPECT_EQ(BinaryNameId("\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2"),
            2093147784);                               // "ПРИВЕТ"
  EXPECT_EQ(BinaryNameId("\xD0\x81\xD0\x84"), 35363);  // "ЁЄ"
}

TEST(BinaryNameIdTest, LeavesSurrogatesAlone) {
  // Java lower-cases per char, so the surrogates of U+10400 (Deseret, which has a lower case as
  // a code point) stay unchanged.
  EXPECT_EQ(BinaryNameId("\xF0\x90\x90\x80"), 1770527);
}

// Character.toLowerCase covers the whole BMP; the core's table only knows ASCII, Latin-1,
// Latin Extended-A, basic Greek and Cyrillic. These names get ids the server does not use.
// Regression (fixed in core/binary/ids.cc JavaToLower): every BMP unit lower-cases as Java's
// Character.toLowerCase(char) does: U+0130 'İ' -> 'i' (0x69), accented Greek capitals
// (U+0386 'Ά' -> U+03AC), fullwidth Latin (U+FF21 'Ａ' -> U+FF41), titlecase digraphs
// (U+01C4 'Ǆ' -> U+01C6).
TEST(BinaryNameIdTest, LowerCasesTheWholeBmpLikeJava) {
  EXPECT_EQ(BinaryNameId("\xC4\xB0"), 105);        // "İ"
  EXPECT_EQ(BinaryNameId("\xCE\x86"), 940);        // "Ά"
  EXPECT_EQ(BinaryNameId("\xEF\xBC\xA1"), 65345);  // "Ａ"
  EXPECT_EQ(BinaryNameId("\xC7\x84"), 454);        // "Ǆ"
}

TEST(SchemaIdOfTest, NoFieldsIsZero) { EXPECT_EQ(SchemaIdOf({}), 0); }

TEST(SchemaIdOfTest, MatchesJavaFnv1) {
  const std::vector<int32_t> one = {BinaryNameId("name")};
  EXPECT_EQ(SchemaIdOf(one), 1975878747);
  const std::vector<int32_t> raw = {1, -1, 0x12345678};
  EXPECT_EQ(SchemaIdOf(raw), 974857672);
}

TEST(SchemaIdOfTest, DependsOnWriteOrder) {
  const std::vector<int32_t> name_val = {3373707, 116513};
  const std::vector<int32_t> val_name = {116513, 3373707};
  EXPECT_EQ(SchemaIdOf(name_val), 523390842);
  EXPECT_EQ(SchemaIdOf(val_name), 358976258);
  const std::vector<int32_t> name_age = {3373707, 96511};
  EXPECT_EQ(SchemaIdOf(name_age), 1946200325);
}

TEST(ObjectHashCodeTest, StartsAtOne) { EXPECT_EQ(ObjectHashCode({}), 1); }

TEST(ObjectHashCodeTest, UsesSignedBytesLikeArraysHashCode) {
  const Bytes data = {1, 2, 3, 0x80, 0xFF, 127};
  EXPECT_EQ(ObjectHashCode(data), 917946335);
  // A byte >= 0x80 counts as negative: 31 * 1 + (-1), not 31 + 255.
  const Bytes ff = {0xFF};
  EXPECT_EQ(ObjectHashCode(ff), 30);
}

TEST(ObjectHashCodeTest, MatchesJavaForAnObjectDataArea) {
  // String "ab" then int 7, as in the encoder's byte-exact test.
  const Bytes data = {9, 2, 0, 0, 0, 'a', 'b', 3, 7, 0, 0, 0};
  EXPECT_EQ(ObjectHashCode(data), 271585781);
}

TEST(ObjectHashCodeTest, BlockedLoopEqualsJavasByteLoopAtEveryLength) {
  // The definition, Java's Arrays.hashCode(byte[]), one byte at a time.
  auto reference = [](absl::Span<const uint8_t> data) {
    uint32_t h = 1;
    for (uint8_t b : data) h = 31 * h + static_cast<uint32_t>(static_cast<int8_t>(b));
    return static_cast<int32_t>(h);
  };
  Bytes data;
  uint32_t state = 12345;
  for (int i = 0; i < (1 << 20) + 7; ++i) {
    state = state * 1103515245 + 12345;
    data.push_back(static_cast<uint8_t>(state >> 16));
  }
  for (size_t n = 0; n < 100; ++n) {
    EXPECT_EQ(ObjectHashCode(absl::MakeConstSpan(data).first(n)),
              reference(absl::MakeConstSpan(data).first(n)))
        << n << " bytes";
  }
  EXPECT_EQ(ObjectHashCode(data), reference(data));
}

}  // namespace
}  // namespace ignite_tf
