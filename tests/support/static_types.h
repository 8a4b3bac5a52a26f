// static_types.h: binary type metadata captured from a real node (tests/fuzz/capture_corpus.py),
// loaded into an in-memory TypeResolver. Shared by the fuzzers (tests/fuzz) and the decode
// benchmark (benchmarks/decode).
#ifndef IGNITE_TF_TESTS_SUPPORT_STATIC_TYPES_H_
#define IGNITE_TF_TESTS_SUPPORT_STATIC_TYPES_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/binary/binary_type.h"
#include "core/common/error.h"
#include "core/wire/reader.h"

namespace ignite_tf {
namespace support {

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
// their `exists` flag), as tests/fuzz/capture_corpus.py writes it. Aborts on a broken file: a
// fuzzer or benchmark must not silently run without the metadata.
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

}  // namespace support
}  // namespace ignite_tf

#endif  // IGNITE_TF_TESTS_SUPPORT_STATIC_TYPES_H_
