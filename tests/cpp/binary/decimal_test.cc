#include "core/binary/decimal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "test_util.h"

namespace ignite_tf {
namespace {

using namespace ::ignite_tf::testing;  // NOLINT: test helpers

// Bytes as Java's BigInteger.toByteArray() of the unscaled value's magnitude, sign bit set when
// negative (BinaryWriterExImpl.doWriteDecimal).
TEST(DecimalTest, ToStringPlacesThePointByScale) {
  EXPECT_EQ(DecimalToJavaString(2, Bytes{0x30, 0x39}), "123.45");   // 12345
  EXPECT_EQ(DecimalToJavaString(2, Bytes{0xB0, 0x39}), "-123.45");  // sign bit
  EXPECT_EQ(DecimalToJavaString(0, Bytes{0x00, 0xFF}), "255");      // leading zero
  EXPECT_EQ(DecimalToJavaString(5, Bytes{0x01}), "0.00001");
  EXPECT_EQ(DecimalToJavaString(-3, Bytes{0x07}), "7E+3");
  EXPECT_EQ(DecimalToJavaString(3, Bytes{}), "0.000");
  EXPECT_EQ(DecimalToJavaString(0, Bytes{0x80}), "0");  // -0 is 0
}

TEST(DecimalTest, LargeMagnitudes) {
  // 2^64 = 18446744073709551616
  EXPECT_EQ(DecimalToJavaString(0, Bytes{0x01, 0, 0, 0, 0, 0, 0, 0, 0}), "18446744073709551616");
  EXPECT_EQ(DecimalToJavaString(10, Bytes{0x81, 0, 0, 0, 0, 0, 0, 0, 0}), "-1844674407.3709551616");
}

// Found by page_decoder_fuzzer: any int32 scale is valid on the wire, and the plain form of
// 1E-845873155 took an 845 MB string. Java's toString() form is scientific there.
TEST(DecimalTest, HugeScalesUseScientificNotation) {
  EXPECT_EQ(DecimalToJavaString(845873155, Bytes{0x81}), "-1E-845873155");
  EXPECT_EQ(DecimalToJavaString(INT32_MIN, Bytes{0x07}), "7E+2147483648");
  EXPECT_EQ(DecimalToJavaString(INT32_MAX, Bytes{0x30, 0x39}), "1.2345E-2147483643");
  EXPECT_EQ(DecimalToJavaString(INT32_MAX, Bytes{}), "0E-2147483647");
  EXPECT_EQ(DecimalToJavaString(INT32_MIN, Bytes{}), "0E+2147483648");
  EXPECT_EQ(DecimalToJavaString(-1000, Bytes{0x01}), "1E+1000");
}

// Expected texts are what Java prints: new BigDecimal(new BigInteger(unscaled), scale).toString().
TEST(DecimalTest, JavaStringMatchesBigDecimalToString) {
  EXPECT_EQ(DecimalToJavaString(2, Bytes{0x30, 0x39}), "123.45");
  EXPECT_EQ(DecimalToJavaString(4, Bytes{0x81, 0xE2, 0x08}), "-12.3400");  // -123400, scale 4
  EXPECT_EQ(DecimalToJavaString(0, Bytes{0x00, 0xFF}), "255");
  EXPECT_EQ(DecimalToJavaString(-3, Bytes{0x01}), "1E+3");     // negative scale: scientific
  EXPECT_EQ(DecimalToJavaString(-1, Bytes{0x8C}), "-1.2E+2");  // -12, scale -1
  EXPECT_EQ(DecimalToJavaString(1, Bytes{0x07}), "0.7");
  EXPECT_EQ(DecimalToJavaString(6, Bytes{0x01}), "0.000001");  // adjusted -6: still plain
  EXPECT_EQ(DecimalToJavaString(7, Bytes{0x01}), "1E-7");      // adjusted -7: scientific
  EXPECT_EQ(DecimalToJavaString(9, Bytes{0x0F}), "1.5E-8");
  EXPECT_EQ(DecimalToJavaString(8, Bytes{0x30, 0x39}), "0.00012345");
}

TEST(DecimalTest, JavaStringOfZeroKeepsTheScale) {
  EXPECT_EQ(DecimalToJavaString(0, Bytes{0x00}), "0");
  EXPECT_EQ(DecimalToJavaString(0, Bytes{0x80}), "0");  // a sign bit on zero is no sign
  EXPECT_EQ(DecimalToJavaString(2, Bytes{}), "0.00");
  EXPECT_EQ(DecimalToJavaString(6, Bytes{0x80}), "0.000000");
  EXPECT_EQ(DecimalToJavaString(7, Bytes{0x00}), "0E-7");
  EXPECT_EQ(DecimalToJavaString(-2, Bytes{0x00}), "0E+2");
}

TEST(DecimalTest, JavaStringOfExtremeScalesStaysShort) {
  EXPECT_EQ(DecimalToJavaString(INT32_MIN, Bytes{0x07}), "7E+2147483648");
  EXPECT_EQ(DecimalToJavaString(INT32_MAX, Bytes{0x30, 0x39}), "1.2345E-2147483643");
  EXPECT_EQ(DecimalToJavaString(INT32_MAX, Bytes{}), "0E-2147483647");
  EXPECT_EQ(DecimalToJavaString(INT32_MIN, Bytes{0x80}), "0E+2147483648");
}

TEST(DecimalTest, JavaStringOfManyDigits) {
  // 2^64 and -(2^64) with scale 10.
  EXPECT_EQ(DecimalToJavaString(0, Bytes{0x01, 0, 0, 0, 0, 0, 0, 0, 0}), "18446744073709551616");
  EXPECT_EQ(DecimalToJavaString(10, Bytes{0x81, 0, 0, 0, 0, 0, 0, 0, 0}), "-1844674407.3709551616");
  // 2^255 - 1 (32 bytes): 77 digits.
  Bytes max(32, 0xFF);
  max[0] = 0x7F;
  EXPECT_EQ(DecimalToJavaString(0, max),
            "57896044618658097711785492504343953926634992332820282019728792003956564819967");
  EXPECT_EQ(DecimalToJavaString(80, max),  // adjusted exponent -4: plain
            "0.00057896044618658097711785492504343953926634992332820282019728792003956564819967");
  EXPECT_EQ(DecimalToJavaString(84, max),  // -8: scientific
            "5.7896044618658097711785492504343953926634992332820282019728792003956564819967E-8");
  // Leading zero bytes change nothing.
  EXPECT_EQ(DecimalToJavaString(
                3, Bytes{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x39}),
            "12.345");
}

TEST(DecimalTest, JavaStringRoundTripsThroughEncode) {
  for (const char* text :
       {"0.1", "-0.001", "99999999999999999999.99999", "42", "-7", "1E+3", "-1.2E+2", "1E-7",
        "1.5E-8", "0E-7", "0.00", "-12.3400", "123456789012345678901234567890.123456789",
        "9.99E+100", "1.7976931348623157E+308"}) {
    ASSERT_OK_AND_ASSIGN(EncodedDecimal d, EncodeDecimal(text));
    EXPECT_EQ(DecimalToJavaString(d.scale, d.bytes), text);
  }
}

double Strtod(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

TEST(DecimalTest, DoubleOfSmallValuesIsExactlyRounded) {
  EXPECT_EQ(DecimalToDouble(2, Bytes{0x30, 0x39}), 123.45);
  EXPECT_EQ(DecimalToDouble(2, Bytes{0xB0, 0x39}), -123.45);
  EXPECT_EQ(DecimalToDouble(1, Bytes{0x01}), 0.1);
  EXPECT_EQ(DecimalToDouble(-3, Bytes{0x01}), 1000.0);
  EXPECT_EQ(DecimalToDouble(22, Bytes{0x01}), 1e-22);
  EXPECT_EQ(DecimalToDouble(-22, Bytes{0x01}), 1e22);
  // 2^53 itself takes the fast path.
  EXPECT_EQ(DecimalToDouble(0, Bytes{0x20, 0, 0, 0, 0, 0, 0}), 9007199254740992.0);
}

TEST(DecimalTest, DoubleOfZeroIsPositiveZero) {
  for (const Bytes& zero : {Bytes{}, Bytes{0x00}, Bytes{0x80}, Bytes{0x80, 0x00, 0x00}}) {
    for (int32_t scale : {0, 5, -5, INT32_MAX, INT32_MIN}) {
      double v = DecimalToDouble(scale, zero);
      EXPECT_EQ(v, 0.0);
      EXPECT_FALSE(std::signbit(v)) << scale;
    }
  }
}

TEST(DecimalTest, DoubleBeyondTheFastPathIsStillExactlyRounded) {
  // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: to even.
  EXPECT_EQ(DecimalToDouble(0, Bytes{0x20, 0, 0, 0, 0, 0, 1}), 9007199254740992.0);
  // 2^53 + 3: a tie, to even (2^53 + 4).
  EXPECT_EQ(DecimalToDouble(0, Bytes{0x20, 0, 0, 0, 0, 0, 3}), 9007199254740996.0);
  EXPECT_EQ(DecimalToDouble(23, Bytes{0x01}), 1e-23);
  EXPECT_EQ(DecimalToDouble(-23, Bytes{0x01}), 1e23);
  EXPECT_EQ(DecimalToDouble(-308, Bytes{0x11}),
            std::numeric_limits<double>::infinity());  // 17E+308
  EXPECT_EQ(DecimalToDouble(-400, Bytes{0x01}), std::numeric_limits<double>::infinity());
  EXPECT_EQ(DecimalToDouble(-400, Bytes{0x81}), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(DecimalToDouble(INT32_MIN, Bytes{0x01}), std::numeric_limits<double>::infinity());
  double tiny = DecimalToDouble(400, Bytes{0x81});
  EXPECT_EQ(tiny, 0.0);
  EXPECT_TRUE(std::signbit(tiny));  // -1E-400 is -0.0, as BigDecimal.doubleValue()
  EXPECT_EQ(DecimalToDouble(INT32_MAX, Bytes{0x01}), 0.0);
  Bytes max(32, 0xFF);
  max[0] = 0x7F;
  EXPECT_EQ(DecimalToDouble(0, max),
            5.7896044618658097711785492504343953926634992332820282019728792003956564819967e76);
  EXPECT_EQ(DecimalToDouble(330, max),
            5.7896044618658097711785492504343953926634992332820282019728792003956564819967e-254);
}

// Against glibc's strtod (exactly rounded) of the exact text, over random unscaled values up to
// 2^63 and scales around the fast path's bounds.
TEST(DecimalTest, DoubleAgreesWithStrtodOfTheText) {
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int i = 0; i < 200000; ++i) {
    const int bits = static_cast<int>(next() % 64);
    uint64_t unscaled = bits == 0 ? 0 : next() >> (64 - bits);
    const int32_t scale = static_cast<int32_t>(next() % 61) - 30;
    const bool negative = (next() & 1) != 0;
    Bytes magnitude;
    for (int b = 7; b >= 0; --b) magnitude.push_back(static_cast<uint8_t>(unscaled >> (b * 8)));
    magnitude.insert(magnitude.begin(), 0);  // room for the sign bit
    if (negative) magnitude[0] |= 0x80;
    const std::string text = DecimalToJavaString(scale, magnitude);
    const double want = unscaled == 0 ? 0.0 : Strtod(text);
    ASSERT_EQ(DecimalToDouble(scale, magnitude), want) << text;
  }
}

TEST(DecimalTest, EncodeMatchesJava) {
  ASSERT_OK_AND_ASSIGN(EncodedDecimal d, EncodeDecimal("123.45"));
  EXPECT_EQ(d.scale, 2);
  EXPECT_EQ(d.bytes, (Bytes{0x30, 0x39}));
  ASSERT_OK_AND_ASSIGN(d, EncodeDecimal("-123.45"));
  EXPECT_EQ(d.bytes, (Bytes{0xB0, 0x39}));
  ASSERT_OK_AND_ASSIGN(d, EncodeDecimal("255"));
  EXPECT_EQ(d.scale, 0);
  EXPECT_EQ(d.bytes, (Bytes{0x00, 0xFF}));  // BigInteger(255).toByteArray()
  ASSERT_OK_AND_ASSIGN(d, EncodeDecimal("1e3"));
  EXPECT_EQ(d.scale, -3);
  EXPECT_EQ(d.bytes, (Bytes{0x01}));
  ASSERT_OK_AND_ASSIGN(d, EncodeDecimal("0"));
  EXPECT_EQ(d.bytes, (Bytes{0x00}));
}

TEST(DecimalTest, RoundTrips) {
  for (const char* text : {"0.1", "-0.001", "99999999999999999999.99999", "42", "-7"}) {
    ASSERT_OK_AND_ASSIGN(EncodedDecimal d, EncodeDecimal(text));
    EXPECT_EQ(DecimalToJavaString(d.scale, d.bytes), text);
  }
}

TEST(DecimalTest, RejectsGarbage) {
  for (const char* text : {"", "-", "1.2.3", "abc", "1e", "1e99999999"}) {
    EXPECT_FALSE(EncodeDecimal(text).ok()) << text;
  }
}

}  // namespace
}  // namespace ignite_tf
