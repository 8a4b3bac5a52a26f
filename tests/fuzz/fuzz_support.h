// fuzz_support.h: what the libFuzzer targets share: binary type metadata captured from a real
// node (loaded once into an in-memory TypeResolver, tests/support/static_types.h) and an in-memory
// Transport that serves the fuzzer's bytes in chunks of a chosen size.
#ifndef IGNITE_TF_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define IGNITE_TF_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "core/binary/binary_type.h"
#include "core/common/error.h"
#include "core/net/transport.h"
#include "core/wire/reader.h"
#include "support/static_types.h"

namespace ignite_tf {
namespace fuzz {

using support::LoadTypes;
using support::StaticTypeResolver;

// The metadata file: $IGNITE_TF_FUZZ_TYPES, else the checked-in one (path compiled in).
inline std::string TypesPath() {
  const char* env = std::getenv("IGNITE_TF_FUZZ_TYPES");
  if (env != nullptr && *env != '\0') return env;
  return IGNITE_TF_FUZZ_TYPES_FILE;
}

// Serves `data` at most `chunk` bytes per ReadSome; then reports the peer as gone.
class ChunkedTransport : public Transport {
 public:
  ChunkedTransport(absl::Span<const uint8_t> data, size_t chunk)
      : data_(data), chunk_(chunk == 0 ? 1 : chunk) {}

  absl::Status WriteAll(absl::Span<const uint8_t>) override { return absl::OkStatus(); }
  absl::StatusOr<size_t> ReadSome(absl::Span<uint8_t> buffer) override {
    if (closed_) return ConnectionError("closed");
    if (pos_ >= data_.size()) return ConnectionError("connection closed by " + peer_);
    size_t n = std::min({chunk_, buffer.size(), data_.size() - pos_});
    std::memcpy(buffer.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  void Close() override { closed_ = true; }
  const std::string& peer() const override { return peer_; }
  bool exhausted() const { return pos_ >= data_.size(); }
  size_t consumed() const { return pos_; }

 private:
  absl::Span<const uint8_t> data_;
  size_t chunk_;
  size_t pos_ = 0;
  bool closed_ = false;
  std::string peer_ = "fuzz:10800";
};

}  // namespace fuzz
}  // namespace ignite_tf

#endif  // IGNITE_TF_TESTS_FUZZ_FUZZ_SUPPORT_H_
