#include "core/binary/decimal.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace ignite_tf {
namespace {

// Base-256 big-endian magnitude -> base-10 digits, by repeated division.
std::string MagnitudeDigits(std::vector<uint8_t> magnitude) {
  std::string digits;
  auto is_zero = [&] {
    return std::all_of(magnitude.begin(), magnitude.end(), [](uint8_t b) { return b == 0; });
  };
  while (!is_zero()) {
    uint32_t remainder = 0;
    for (uint8_t& b : magnitude) {
      uint32_t current = (remainder << 8) | b;
      b = static_cast<uint8_t>(current / 10);
      remainder = current % 10;
    }
    digits.push_back(static_cast<char>('0' + remainder));
  }
  if (digits.empty()) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace

std::string DecimalToString(int32_t scale, absl::Span<const uint8_t> signed_magnitude) {
  std::vector<uint8_t> magnitude(signed_magnitude.begin(), signed_magnitude.end());
  bool negative = false;
  if (!magnitude.empty() && (magnitude[0] & 0x80)) {
    negative = true;
    magnitude[0] &= 0x7F;
  }
  std::string digits = MagnitudeDigits(std::move(magnitude));
  if (digits == "0") negative = false;
  std::string out;
  // The zeros the plain form needs beyond the digits. The scale is any int32 on the wire, so a
  // plain string could need gigabytes; past a bound, write Java's scientific form instead
  // (BigDecimal.toString: "1.5E+2147483647"), which is as exact and as parseable.
  const int64_t padding =
      scale <= 0 ? (digits == "0" ? 0 : -int64_t{scale})
                 : std::max<int64_t>(0, int64_t{scale} + 1 - static_cast<int64_t>(digits.size()));
  if (padding > kMaxDecimalPlainPadding) {
    const int64_t exponent = static_cast<int64_t>(digits.size()) - 1 - int64_t{scale};
    out = digits.substr(0, 1);
    if (digits.size() > 1) absl::StrAppend(&out, ".", absl::string_view(digits).substr(1));
    absl::StrAppend(&out, "E", exponent >= 0 ? "+" : "", exponent);
  } else if (scale <= 0) {
    out = digits;
    if (digits != "0") out.append(static_cast<size_t>(-static_cast<int64_t>(scale)), '0');
  } else {
    size_t s = static_cast<size_t>(scale);
    if (digits.size() <= s) digits = absl::StrCat(std::string(s - digits.size() + 1, '0'), digits);
    absl::string_view view(digits);
    out = absl::StrCat(view.substr(0, digits.size() - s), ".", view.substr(digits.size() - s));
  }
  return negative ? absl::StrCat("-", out) : out;
}

absl::StatusOr<EncodedDecimal> EncodeDecimal(absl::string_view text) {
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a decimal number"));
  };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::string digits;
  int64_t scale = 0;
  bool point = false, any = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
      any = true;
      if (point) ++scale;
    } else if (c == '.' && !point) {
      point = true;
    } else if (c == 'e' || c == 'E') {
      break;
    } else {
      return bad();
    }
  }
  if (!any) return bad();
  if (i < text.size()) {  // exponent
    std::string exponent(text.substr(i + 1));
    if (exponent.empty()) return bad();
    char* end = nullptr;
    long e = std::strtol(exponent.c_str(), &end, 10);
    if (*end != '\0' || e > 100000 || e < -100000) return bad();
    scale -= e;
  }
  if (scale > INT32_MAX || scale < INT32_MIN) return bad();
  // Decimal digits -> big-endian base-256 magnitude.
  std::vector<uint8_t> magnitude;  // little-endian while building
  for (char c : digits) {
    uint32_t carry = static_cast<uint32_t>(c - '0');
    for (uint8_t& b : magnitude) {
      uint32_t v = b * 10u + carry;
      b = static_cast<uint8_t>(v & 0xFF);
      carry = v >> 8;
    }
    while (carry != 0) {
      magnitude.push_back(static_cast<uint8_t>(carry & 0xFF));
      carry >>= 8;
    }
  }
  while (!magnitude.empty() && magnitude.back() == 0) magnitude.pop_back();
  std::reverse(magnitude.begin(), magnitude.end());
  // Like BigInteger.toByteArray: a leading zero byte when the top bit is taken.
  if (magnitude.empty() || (magnitude[0] & 0x80)) magnitude.insert(magnitude.begin(), 0);
  bool is_zero = std::all_of(magnitude.begin(), magnitude.end(), [](uint8_t b) { return b == 0; });
  if (negative && !is_zero) magnitude[0] |= 0x80;
  return EncodedDecimal{static_cast<int32_t>(scale), std::move(magnitude)};
}

}  // namespace ignite_tf
