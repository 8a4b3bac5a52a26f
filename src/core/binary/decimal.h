// binary/decimal.h: Ignite decimals (type 30): scale + big-endian magnitude whose first byte
// carries the sign bit, to and from exact decimal strings, and to the nearest double.
#ifndef IGNITE_TF_CORE_BINARY_DECIMAL_H_
#define IGNITE_TF_CORE_BINARY_DECIMAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ignite_tf {

// The text Java's BigDecimal.toString() gives for the same value: plain with the scale kept
// ("-12.3400", "0.00") when the scale is >= 0 and the adjusted exponent (digits - 1 - scale) is
// >= -6, scientific otherwise ("1E+3" for unscaled 1 and scale -3, "1.5E-7", "0E-10"). Exact and
// never longer than the digits plus 16 characters, whatever the scale (any int32 is valid on the
// wire: a plain form could need gigabytes of zeros). It is also what Python's
// str(decimal.Decimal(...)) gives, so decimal.Decimal(text) restores value and scale.
std::string DecimalToJavaString(int32_t scale, absl::Span<const uint8_t> signed_magnitude);

// The double nearest to the decimal (ties to even), as BigDecimal.doubleValue(): +-inf when too
// large, +-0 when too small. Small values (an unscaled value below 2^53 and |scale| <= 22) take
// one exact integer-to-double conversion and one correctly rounded multiply or divide; the rest
// go through the decimal digits.
double DecimalToDouble(int32_t scale, absl::Span<const uint8_t> signed_magnitude);

struct EncodedDecimal {
  int32_t scale = 0;
  std::vector<uint8_t> bytes;  // as Java writes them: minimal magnitude, sign in the top bit
};

// Parses "-123.45", "1e-3", "42" into the wire form. Invalid text is an InvalidArgument error.
absl::StatusOr<EncodedDecimal> EncodeDecimal(absl::string_view text);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_DECIMAL_H_
