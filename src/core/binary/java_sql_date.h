// binary/java_sql_date.h: SQL DATE values. Ignite stores a DATE column's java.sql.Date with the
// optimized marshaller (type code 254) rather than as a binary Date (11); its payload is
// `0x66 | int32 hash("java.sql.Date") | 2 bytes | int64 ms since the epoch`.
#ifndef IGNITE_TF_CORE_BINARY_JAVA_SQL_DATE_H_
#define IGNITE_TF_CORE_BINARY_JAVA_SQL_DATE_H_

#include <cstdint>

#include "absl/types/optional.h"
#include "absl/types/span.h"

namespace ignite_tf {

// The milliseconds of an optimized-marshaller payload holding a java.sql.Date; nullopt for any
// other payload.
absl::optional<int64_t> DecodeJavaSqlDate(absl::Span<const uint8_t> payload);

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_BINARY_JAVA_SQL_DATE_H_
