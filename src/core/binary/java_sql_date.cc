#include "core/binary/java_sql_date.h"

#include "core/binary/ids.h"
#include "core/binary/type_codes.h"
#include "core/wire/reader.h"

namespace ignite_tf {
namespace {

constexpr uint8_t kSerializable = 0x66;
constexpr uint16_t kCheckSum = 0x6697;
constexpr int32_t kPayloadSize = 15;

int32_t ClassHash() {
  static const int32_t hash = JavaStringHash("java.sql.Date");
  return hash;
}

}  // namespace

absl::optional<int64_t> DecodeJavaSqlDate(absl::Span<const uint8_t> payload) {
  if (payload.size() != kPayloadSize || payload[0] != kSerializable) return absl::nullopt;
  if (LoadUnaligned<int32_t>(payload.data() + 1) != ClassHash()) return absl::nullopt;
  return LoadUnaligned<int64_t>(payload.data() + 7);
}

void EncodeJavaSqlDate(int64_t ms, Writer& w) {
  w.WriteUInt8(kOptimized);
  w.WriteInt32(kPayloadSize);
  w.WriteUInt8(kSerializable);
  w.WriteInt32(ClassHash());
  w.WriteUInt16(kCheckSum);
  w.WriteInt64(ms);
}

}  // namespace ignite_tf
