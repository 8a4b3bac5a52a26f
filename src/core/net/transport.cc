#include "core/net/transport.h"

#include "core/common/error.h"

namespace ignite_tf {

absl::Status Transport::ReadExact(absl::Span<uint8_t> buffer) {
  size_t done = 0;
  while (done < buffer.size()) {
    IGNITE_ASSIGN_OR_RETURN(size_t n, ReadSome(buffer.subspan(done)));
    done += n;
  }
  return absl::OkStatus();
}

}  // namespace ignite_tf
