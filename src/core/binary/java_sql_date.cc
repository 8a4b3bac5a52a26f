#include "core/binary/java_sql_date.h"

#include "core/binary/ids.h"
#include "core/wire/reader.h"

namespace ignite_tf {

absl::optional<int64_t> DecodeJavaSqlDate(absl::Span<const uint8_t> payload) {
  static const int32_t kClassHash = JavaStringHash("java.sql.Date");
  if (payload.size() != 15 || payload[0] != 0x66) return absl::nullopt;
  if (LoadUnaligned<int32_t>(payload.data() + 1) != kClassHash) return absl::nullopt;
  return LoadUnaligned<int64_t>(payload.data() + 7);
}

}  // namespace ignite_tf
