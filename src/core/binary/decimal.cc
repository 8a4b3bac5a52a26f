#include "core/binary/decimal.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <limits>
#include <system_error>

#include "absl/strings/charconv.h"
#include "absl/strings/str_cat.h"

namespace ignite_tf {
namespace {

// The unscaled value's magnitude as a uint64 when it fits, ignoring the sign bit; false otherwise.
bool SmallMagnitude(absl::Span<const uint8_t> signed_magnitude, uint64_t* out) {
  uint64_t v = 0;
  for (size_t i = 0; i < signed_magnitude.size(); ++i) {
    const uint8_t b = i == 0 ? (signed_magnitude[0] & 0x7F) : signed_magnitude[i];
    if ((v >> 56) != 0) return false;
    v = (v << 8) | b;
  }
  *out = v;
  return true;
}

bool IsNegative(absl::Span<const uint8_t> signed_magnitude) {
  return !signed_magnitude.empty() && (signed_magnitude[0] & 0x80) != 0;
}

// The magnitude's base-10 digits, without leading zeros ("0" for zero): by repeated division of
// 32-bit limbs by 10^9, nine digits per pass.
std::string MagnitudeDigits(absl::Span<const uint8_t> signed_magnitude) {
  uint64_t small = 0;
  if (SmallMagnitude(signed_magnitude, &small)) return absl::StrCat(small);
  const size_t n = signed_magnitude.size();
  std::vector<uint32_t> limbs((n + 3) / 4, 0);  // little-endian
  for (size_t i = 0; i < n; ++i) {
    const uint32_t b = i == 0 ? (signed_magnitude[0] & 0x7F) : signed_magnitude[i];
    const size_t from_end = n - 1 - i;
    limbs[from_end / 4] |= b << ((from_end % 4) * 8);
  }
  size_t size = limbs.size();
  while (size > 0 && limbs[size - 1] == 0) --size;
  std::string reversed;  // least significant digit first
  reversed.reserve(n * 5 / 2 + 9);
  while (size > 0) {
    uint64_t remainder = 0;
    for (size_t i = size; i-- > 0;) {
      const uint64_t current = (remainder << 32) | limbs[i];
      limbs[i] = static_cast<uint32_t>(current / 1000000000u);
      remainder = current % 1000000000u;
    }
    while (size > 0 && limbs[size - 1] == 0) --size;
    for (int d = 0; d < 9; ++d) {
      reversed.push_back(static_cast<char>('0' + remainder % 10));
      remainder /= 10;
    }
  }
  while (reversed.size() > 1 && reversed.back() == '0') reversed.pop_back();
  if (reversed.empty()) reversed.push_back('0');
  return std::string(reversed.rbegin(), reversed.rend());
}

constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

}  // namespace

std::string DecimalToJavaString(int32_t scale, absl::Span<const uint8_t> signed_magnitude) {
  // BigDecimal.layoutChars(true), step by step.
  const std::string digits = MagnitudeDigits(signed_magnitude);
  const int64_t length = static_cast<int64_t>(digits.size());
  const int64_t adjusted = length - 1 - int64_t{scale};
  std::string out;
  out.reserve(digits.size() + 16);
  if (IsNegative(signed_magnitude) && digits != "0") out.push_back('-');
  if (scale >= 0 && adjusted >= -6) {  // plain: at most 6 zeros after the point before digits
    if (scale == 0) {
      out += digits;
    } else if (length > scale) {
      out.append(digits, 0, static_cast<size_t>(length - scale));
      out.push_back('.');
      out.append(digits, static_cast<size_t>(length - scale), std::string::npos);
    } else {
      out += "0.";
      out.append(static_cast<size_t>(scale - length), '0');
      out += digits;
    }
    return out;
  }
  out.push_back(digits[0]);
  if (length > 1) {
    out.push_back('.');
    out.append(digits, 1, std::string::npos);
  }
  if (adjusted != 0) absl::StrAppend(&out, "E", adjusted > 0 ? "+" : "", adjusted);
  return out;
}

double DecimalToDouble(int32_t scale, absl::Span<const uint8_t> signed_magnitude) {
  const bool negative = IsNegative(signed_magnitude);
  uint64_t small = 0;
  if (SmallMagnitude(signed_magnitude, &small)) {
    if (small == 0) return 0.0;  // BigDecimal has no negative zero
    if (small <= (uint64_t{1} << 53) && scale >= -22 && scale <= 22) {
      // Both operands are exact doubles, and IEEE division and multiplication round correctly.
      double v = static_cast<double>(small);
      v = scale >= 0 ? v / kPowersOfTen[scale] : v * kPowersOfTen[-scale];
      return negative ? -v : v;
    }
  }
  const std::string digits = MagnitudeDigits(signed_magnitude);
  if (digits == "0") return 0.0;
  const std::string text = absl::StrCat(digits, "e", -int64_t{scale});
  double v = 0;
  absl::from_chars_result parsed = absl::from_chars(text.data(), text.data() + text.size(), v);
  if (parsed.ec == std::errc::result_out_of_range) {
    const int64_t adjusted = static_cast<int64_t>(digits.size()) - 1 - int64_t{scale};
    v = adjusted > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  }
  return negative ? -v : v;
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
