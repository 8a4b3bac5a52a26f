#include "core/binary/decimal.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace ignite_tf {
namespace {

using namespace ::ignite_tf::testing;  // NOLINT: test helpers

// Bytes as Java's BigInteger.toByteArray() of the unscaled value's magnitude, sign bit set when
// negative (BinaryWriterExImpl.doWriteDecimal).
TEST(DecimalTest, ToStringPlacesThePointByScale) {
  EXPECT_EQ(DecimalToString(2, Bytes{0x30, 0x39}), "123.45");   // 12345
  EXPECT_EQ(DecimalToString(2, Bytes{0xB0, 0x39}), "-123.45");  // sign bit
  EXPECT_EQ(DecimalToString(0, Bytes{0x00, 0xFF}), "255");      // leading zero
  EXPECT_EQ(DecimalToString(5, Bytes{0x01}), "0.00001");
  EXPECT_EQ(DecimalToString(-3, Bytes{0x07}), "7000");
  EXPECT_EQ(DecimalToString(3, Bytes{}), "0.000");
  EXPECT_EQ(DecimalToString(0, Bytes{0x80}), "0");  // -0 is 0
}

TEST(DecimalTest, LargeMagnitudes) {
  // 2^64 = 18446744073709551616
  EXPECT_EQ(DecimalToString(0, Bytes{0x01, 0, 0, 0, 0, 0, 0, 0, 0}), "18446744073709551616");
  EXPECT_EQ(DecimalToString(10, Bytes{0x81, 0, 0, 0, 0, 0, 0, 0, 0}), "-1844674407.3709551616");
}

// Found by page_decoder_fuzzer: any int32 scale is valid on the wire, and the plain form of
// 1E-845873155 took an 845 MB string. Beyond 1000 padding zeros the text is scientific instead.
TEST(DecimalTest, HugeScalesUseScientificNotation) {
  EXPECT_EQ(DecimalToString(845873155, Bytes{0x81}), "-1E-845873155");
  EXPECT_EQ(DecimalToString(INT32_MIN, Bytes{0x07}), "7E+2147483648");
  EXPECT_EQ(DecimalToString(INT32_MAX, Bytes{0x30, 0x39}), "1.2345E-2147483643");
  EXPECT_EQ(DecimalToString(INT32_MAX, Bytes{}), "0E-2147483647");
  EXPECT_EQ(DecimalToString(INT32_MIN, Bytes{}), "0");
  // Up to the bound the plain form stays.
  EXPECT_EQ(DecimalToString(-1000, Bytes{0x01}), "1" + std::string(1000, '0'));
  EXPECT_EQ(DecimalToString(-1001, Bytes{0x01}), "1E+1001");
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
    EXPECT_EQ(DecimalToString(d.scale, d.bytes), text);
  }
}

TEST(DecimalTest, RejectsGarbage) {
  for (const char* text : {"", "-", "1.2.3", "abc", "1e", "1e99999999"}) {
    EXPECT_FALSE(EncodeDecimal(text).ok()) << text;
  }
}

}  // namespace
}  // namespace ignite_tf
