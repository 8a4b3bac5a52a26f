// binary/decimal.h: Ignite decimals (type 30): scale + big-endian magnitude whose first byte
// carries the sign bit, to and from exact decimal strings.
#ifndef IGNITE_TF_CORE_BINARY_DECIMAL_H_
#define IGNITE_TF_CORE_BINARY_DECIMAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ignite_tf {

// Zeros DecimalToString writes out at most; beyond, it uses scientific notation.
inline constexpr int64_t kMaxDecimalPlainPadding = 1000;

// "-123.45" for scale 2 and magnitude 12345 with the sign bit set (BigDecimal.toPlainString), or
// "-1.2345E-5000" when the plain form would need more than kMaxDecimalPlainPadding zeros.
std::string DecimalToString(int32_t scale, absl::Span<const uint8_t> signed_magnitude);

struct EncodedDecimal {
  int32_t scale = 0;
  std::vector<uint8_t> bytes;  // as Java writes them: minimal magnitude, sign in the top bit
};

// Parses "-123.45", "1e-3", "42" into the wire form. Invalid text is an InvalidArgument error.
absl::StatusOr<EncodedDecimal> EncodeDecimal(absl::string_view text);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_DECIMAL_H_
