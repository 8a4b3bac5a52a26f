// binary/java_sql_date.h: SQL DATE values. Ignite stores a DATE column's java.sql.Date with the
// optimized marshaller (type code 254) rather than as a binary Date (11); its payload is
// `0x66 | int32 hash("java.sql.Date") | int16 check sum | int64 ms since the epoch`, the check
// sum being the low 16 bits of java.sql.Date's declared serialVersionUID (0x6697).
#ifndef IGNITE_TF_CORE_BINARY_JAVA_SQL_DATE_H_
#define IGNITE_TF_CORE_BINARY_JAVA_SQL_DATE_H_

#include <cstdint>

#include "absl/types/optional.h"
#include "absl/types/span.h"
#include "core/wire/writer.h"

namespace ignite_tf {

// The milliseconds of an optimized-marshaller payload holding a java.sql.Date; nullopt for any
// other payload.
absl::optional<int64_t> DecodeJavaSqlDate(absl::Span<const uint8_t> payload);

// Writes a whole java.sql.Date value (type code 254, length, payload) as a node stores it.
void EncodeJavaSqlDate(int64_t ms, Writer& w);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_JAVA_SQL_DATE_H_
