#include "core/igfs/modified_utf8.h"

#include "core/common/error.h"
#include "test_util.h"

namespace ignite_tf::igfs {
namespace {

using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::IsOkAndHolds;
using ::ignite_tf::testing::StatusIs;

Bytes Encode(absl::string_view utf8) {
  absl::StatusOr<std::u16string> units = Utf8ToUtf16(utf8);
  EXPECT_TRUE(units.ok()) << units.status();
  Bytes out;
  AppendModifiedUtf8(*units, out);
  EXPECT_EQ(out.size(), ModifiedUtf8Length(*units));
  return out;
}

std::string RoundTrip(const Bytes& bytes) {
  absl::StatusOr<std::u16string> units = DecodeModifiedUtf8(bytes);
  EXPECT_TRUE(units.ok()) << units.status();
  absl::StatusOr<std::string> text = Utf16ToUtf8(*units);
  EXPECT_TRUE(text.ok()) << text.status();
  return *text;
}

TEST(ModifiedUtf8Test, AsciiIsOneByteEach) {
  EXPECT_EQ(Encode("/ckpt/a.txt"), Bytes({'/', 'c', 'k', 'p', 't', '/', 'a', '.', 't', 'x', 't'}));
  EXPECT_EQ(Encode(""), Bytes{});
}

TEST(ModifiedUtf8Test, NulIsTwoBytes) {
  EXPECT_EQ(Encode(std::string("a\0b", 3)), Bytes({'a', 0xC0, 0x80, 'b'}));
  EXPECT_EQ(RoundTrip({'a', 0xC0, 0x80, 'b'}), std::string("a\0b", 3));
}

TEST(ModifiedUtf8Test, TwoAndThreeByteCharactersAreUtf8s) {
  EXPECT_EQ(Encode("\xC3\xA9"), Bytes({0xC3, 0xA9}));            // é
  EXPECT_EQ(Encode("\xE2\x82\xAC"), Bytes({0xE2, 0x82, 0xAC}));  // €
  EXPECT_EQ(Encode("\xEF\xBF\xBF"), Bytes({0xEF, 0xBF, 0xBF}));  // U+FFFF
  EXPECT_EQ(RoundTrip({0xC3, 0xA9, 0xE2, 0x82, 0xAC}), "\xC3\xA9\xE2\x82\xAC");
}

TEST(ModifiedUtf8Test, NonBmpIsASurrogatePairOfThreeByteUnits) {
  // U+1F600 (😀) is D83D DE00 in UTF-16; UTF-8's F0 9F 98 80 makes a node drop the connection.
  const Bytes expected = {0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80};
  EXPECT_EQ(Encode("\xF0\x9F\x98\x80"), expected);
  EXPECT_EQ(RoundTrip(expected), "\xF0\x9F\x98\x80");
  // U+10FFFF, the last code point: DBFF DFFF.
  EXPECT_EQ(Encode("\xF4\x8F\xBF\xBF"), Bytes({0xED, 0xAF, 0xBF, 0xED, 0xBF, 0xBF}));
}

TEST(ModifiedUtf8Test, InvalidUtf8IsRefused) {
  for (absl::string_view bad :
       {absl::string_view("\xC3"), absl::string_view("\xC0\x80"), absl::string_view("\xED\xA0\x80"),
        absl::string_view("\xF4\x90\x80\x80"), absl::string_view("\x80"), absl::string_view("\xFF"),
        absl::string_view("\xE2\x28\xA1")}) {
    EXPECT_THAT(Utf8ToUtf16(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(ModifiedUtf8Test, MalformedBytesAreProtocolErrors) {
  for (const Bytes& bad : {Bytes{0xC3}, Bytes{0xE2, 0x82}, Bytes{0xC3, 0x41},
                           Bytes{0xF0, 0x9F, 0x98, 0x80}, Bytes{0x80}, Bytes{0xFF}}) {
    EXPECT_THAT(DecodeModifiedUtf8(bad), ErrorKindIs(ErrorKind::kProtocol));
  }
}

TEST(ModifiedUtf8Test, JavaAcceptsARawZeroByteAndSoDoWe) {
  EXPECT_THAT(DecodeModifiedUtf8(Bytes{'a', 0x00}), IsOkAndHolds(std::u16string(u"a\0", 2)));
}

TEST(ModifiedUtf8Test, ALoneSurrogateIsNotText) {
  EXPECT_THAT(Utf16ToUtf8(std::u16string(1, char16_t{0xD83D})), ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(Utf16ToUtf8(std::u16string(1, char16_t{0xDE00})), ErrorKindIs(ErrorKind::kProtocol));
}

}  // namespace
}  // namespace ignite_tf::igfs
