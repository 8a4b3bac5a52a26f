// fuzz_support.h: what the libFuzzer targets share: binary type metadata captured from a real
// node (loaded once into an in-memory TypeResolver) and an in-memory Transport that serves the
// fuzzer's bytes in chunks of a chosen size.
#ifndef IGNITE_TF_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define IGNITE_TF_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "core/binary/binary_type.h"
#include "core/common/error.h"
#include "core/net/transport.h"
#include "core/wire/reader.h"

namespace ignite_tf {
namespace fuzz {

// A TypeResolver over a fixed set of types, like the client's registry once it has fetched them.
class StaticTypeResolver : public TypeResolver {
 public:
  void Add(BinaryType type) {
    int32_t id = type.type_id;
    types_[id] = std::make_shared<const BinaryType>(std::move(type));
  }
  size_t size() const { return types_.size(); }

  absl::StatusOr<std::shared_ptr<const BinaryType>> Resolve(int32_t type_id,
                                                            int32_t schema_id) override {
    auto it = types_.find(type_id);
    if (it == types_.end()) return ProtocolError(absl::StrCat("no binary type id ", type_id));
    if (it->second->Schema(schema_id) == nullptr) {
      return ProtocolError(absl::StrCat("type id ", type_id, " has no schema id ", schema_id));
    }
    return it->second;
  }
  absl::StatusOr<std::shared_ptr<const BinaryType>> ResolveType(int32_t type_id) override {
    auto it = types_.find(type_id);
    if (it == types_.end()) return ProtocolError(absl::StrCat("no binary type id ", type_id));
    return it->second;
  }

 private:
  absl::flat_hash_map<int32_t, std::shared_ptr<const BinaryType>> types_;
};

// Loads `int32 count | count x metadata block` (the body of OP_GET_BINARY_TYPE replies after
// their `exists` flag), as tests/fuzz/capture_corpus.py writes it. Aborts on a broken file: the
// fuzzer must not silently run without the metadata.
inline std::vector<BinaryType> LoadTypes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) bytes.clear();
  Reader r(bytes);
  absl::StatusOr<int32_t> count = r.ReadInt32();
  if (!count.ok()) {
    std::fprintf(stderr, "cannot read binary type metadata from %s\n", path.c_str());
    std::abort();
  }
  std::vector<BinaryType> types;
  for (int32_t i = 0; i < *count; ++i) {
    absl::StatusOr<BinaryType> type = ParseBinaryType(r);
    if (!type.ok()) {
      std::fprintf(stderr, "%s: type #%d: %s\n", path.c_str(), i, type.status().ToString().c_str());
      std::abort();
    }
    types.push_back(std::move(*type));
  }
  return types;
}

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
