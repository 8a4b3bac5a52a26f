#include "core/wire/writer.h"

namespace ignite_tf {

void Writer::WriteString(absl::string_view s) {
  WriteUInt8(9);
  WriteInt32(static_cast<int32_t>(s.size()));
  WriteRaw(s.data(), s.size());
}

}  // namespace ignite_tf
