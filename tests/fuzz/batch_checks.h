// batch_checks.h: what the page and SQL fuzzers share above the wire: the read options an input
// starts with (the ones a user gives IgniteDataset / Client.scan / SqlDataset), the invariants of
// a finished batch (what python/columns.cc trusts when it adopts the buffers) and a report of
// how far each input got.
#ifndef IGNITE_TF_TESTS_FUZZ_BATCH_CHECKS_H_
#define IGNITE_TF_TESTS_FUZZ_BATCH_CHECKS_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/columnar/column.h"
#include "core/columnar/schema.h"
#include "fuzz_support.h"

namespace ignite_tf {
namespace fuzz {

// The options header:
//   byte 0  bit 0: pages hold at most 1024 rows (the cursor's page size; scans only)
//           bit 1: no type metadata (a registry that knows nothing)
//           bit 2: masks (a validity column per column)
//           bit 3: skip rows that do not fit the schema (skip_mismatched)
//           bit 4: decimals as exact text (decimals="string"), else float64
//           bits 5-6: timestamp unit: 1 us, 2 ms, else ns
//           bit 7: lists follow:
//     byte n, then n fields to read (fields=[...]): byte length + name ("NAME", "tree.level");
//     byte m, then m given SQL column types (column_types={...}): byte length + name + type code
// The rest of the input is what the server sent.
struct ReadOptions {
  bool cap_rows = false;
  bool no_metadata = false;
  bool masks = false;
  bool skip_mismatched = false;
  DecimalMode decimals = DecimalMode::kFloat64;
  TimestampUnit timestamp_unit = TimestampUnit::kNanoseconds;
  std::vector<std::string> fields;
  std::map<std::string, int32_t> column_types;
};

// Parses the header at the front of `data`; advances `*pos` past it. False when truncated.
// The types of the captured metadata (tests/fuzz/binary_types.bin), loaded once by
// LoadKnownTypes (from LLVMFuzzerInitialize).
inline std::shared_ptr<StaticTypeResolver>& KnownTypes() {
  static auto* types = new std::shared_ptr<StaticTypeResolver>();
  return *types;
}

inline void LoadKnownTypes() {
  auto types = std::make_shared<StaticTypeResolver>();
  for (BinaryType& t : LoadTypes(TypesPath())) types->Add(std::move(t));
  KnownTypes() = types;
}

inline bool ParseReadOptions(const uint8_t* data, size_t size, size_t* pos, ReadOptions* out) {
  if (*pos >= size) return false;
  const uint8_t flags = data[(*pos)++];
  out->cap_rows = (flags & 0x01) != 0;
  out->no_metadata = (flags & 0x02) != 0;
  out->masks = (flags & 0x04) != 0;
  out->skip_mismatched = (flags & 0x08) != 0;
  out->decimals = (flags & 0x10) != 0 ? DecimalMode::kString : DecimalMode::kFloat64;
  const int unit = (flags >> 5) & 3;
  out->timestamp_unit = unit == 1   ? TimestampUnit::kMicroseconds
                        : unit == 2 ? TimestampUnit::kMilliseconds
                                    : TimestampUnit::kNanoseconds;
  if ((flags & 0x80) == 0) return true;
  auto name = [&](std::string* s) {
    if (*pos >= size) return false;
    const size_t n = data[(*pos)++];
    if (size - *pos < n) return false;
    s->assign(reinterpret_cast<const char*>(data + *pos), n);
    *pos += n;
    return true;
  };
  if (*pos >= size) return false;
  for (int n = data[(*pos)++]; n > 0; --n) {
    std::string field;
    if (!name(&field)) return false;
    out->fields.push_back(std::move(field));
  }
  if (*pos >= size) return false;
  for (int m = data[(*pos)++]; m > 0; --m) {
    std::string column;
    if (!name(&column) || *pos >= size) return false;
    out->column_types[column] = data[(*pos)++];
  }
  return true;
}

// How far an input got. With IGNITE_TF_FUZZ_STAGES set, each input's last stage is printed to
// stderr ("fuzz-stage: columns-checked fields=2"), so a corpus can be checked for how deep its
// seeds reach: run the target over the seed files and count the lines.
class StageReport {
 public:
  explicit StageReport(bool report = true)
      : on_(report && std::getenv("IGNITE_TF_FUZZ_STAGES") != nullptr) {}
  ~StageReport() {
    if (on_) std::fprintf(stderr, "fuzz-stage: %s fields=%zu\n", stage_, fields_);
  }
  void Reach(const char* stage) { stage_ = stage; }
  void set_fields(size_t n) { fields_ = n; }

 private:
  bool on_;
  const char* stage_ = "start";
  size_t fields_ = 0;
};

[[noreturn]] inline void Fail(const std::string& where, const char* what) {
  std::fprintf(stderr, "invariant violated: %s: %s\n", where.c_str(), what);
  std::abort();
}

// The invariants python/columns.cc relies on when it adopts the buffers.
inline void CheckColumn(const Column& c, int64_t rows, bool masks) {
  const size_t width = ElementSize(c.element);
  auto offsets_ok = [](const AlignedBuffer& b, size_t count, int64_t last) {
    if (b.size() != count * sizeof(int64_t)) return false;
    const auto* o = reinterpret_cast<const int64_t*>(b.data());
    if (o[0] != 0) return false;
    for (size_t i = 1; i < count; ++i) {
      if (o[i] < o[i - 1]) return false;
    }
    return last < 0 || o[count - 1] == last;
  };
  const size_t n = static_cast<size_t>(rows);
  if (c.length != rows) Fail(c.path, "length is not the batch's row count");
  if (masks != (c.valid != nullptr)) Fail(c.path, "a validity buffer without masks, or none");
  if (c.valid != nullptr) {
    if (c.valid->size() != n) Fail(c.path, "validity bytes per row");
    for (size_t i = 0; i < n; ++i) {
      if (c.valid->data()[i] > 1) Fail(c.path, "validity byte neither 0 nor 1");
    }
  }
  if (c.is_list != (c.list_depth > 0)) Fail(c.path, "is_list and list_depth disagree");
  if (c.inner_offsets.size() != static_cast<size_t>(c.list_depth > 1 ? c.list_depth - 1 : 0))
    Fail(c.path, "inner offsets per level");
  if (!c.is_list && c.element != ElementType::kString) {
    if (c.data->size() != n * width) Fail(c.path, "fixed-width data size");
    return;
  }
  if (c.offsets == nullptr) Fail(c.path, "no offsets");
  if (!c.is_list) {  // strings
    if (!offsets_ok(*c.offsets, n + 1, static_cast<int64_t>(c.data->size())))
      Fail(c.path, "string offsets");
    return;
  }
  // Each level's offsets: one more than the items of the level above, ending at the next
  // level's item count.
  size_t count = n + 1;
  for (int level = 0; level < c.list_depth; ++level) {
    const AlignedBuffer& b = level == 0 ? *c.offsets : *c.inner_offsets[level - 1];
    if (b.size() == 0 || !offsets_ok(b, count, -1)) Fail(c.path, "list offsets of a level");
    count = static_cast<size_t>(reinterpret_cast<const int64_t*>(b.data())[count - 1]) + 1;
  }
  const int64_t elements = static_cast<int64_t>(count) - 1;
  if (c.element == ElementType::kString) {
    if (c.string_offsets == nullptr) Fail(c.path, "no string offsets");
    if (!offsets_ok(*c.string_offsets, count, static_cast<int64_t>(c.data->size())))
      Fail(c.path, "element offsets");
    return;
  }
  if (c.data->size() != static_cast<size_t>(elements) * width) Fail(c.path, "list offsets");
}

// A finished batch: one column per leaf of `schema`, in its order and with its paths, each
// consistent.
inline void CheckBatch(const Batch& batch, const RowSchema& schema, bool masks) {
  if (batch.columns.size() != schema.leaves.size()) Fail("batch", "columns per schema leaf");
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    const Column& c = batch.columns[i];
    if (c.path != schema.column_paths[i]) Fail(c.path, "column path is not the schema's");
    if (c.element != schema.leaves[i]->element) Fail(c.path, "element type is not the schema's");
    CheckColumn(c, batch.num_rows, masks);
  }
}

inline bool SameBuffer(const std::shared_ptr<AlignedBuffer>& a,
                       const std::shared_ptr<AlignedBuffer>& b) {
  if ((a == nullptr) != (b == nullptr)) return false;
  if (a == nullptr) return true;
  return a->size() == b->size() &&
         (a->size() == 0 || std::memcmp(a->data(), b->data(), a->size()) == 0);
}

// Two columns hold the same values, byte for byte.
inline bool SameColumn(const Column& a, const Column& b) {
  if (a.element != b.element || a.list_depth != b.list_depth || a.length != b.length) return false;
  if (!SameBuffer(a.data, b.data) || !SameBuffer(a.offsets, b.offsets) ||
      !SameBuffer(a.string_offsets, b.string_offsets) || !SameBuffer(a.valid, b.valid))
    return false;
  if (a.inner_offsets.size() != b.inner_offsets.size()) return false;
  for (size_t i = 0; i < a.inner_offsets.size(); ++i) {
    if (!SameBuffer(a.inner_offsets[i], b.inner_offsets[i])) return false;
  }
  return true;
}

}  // namespace fuzz
}  // namespace ignite_tf

#endif  // IGNITE_TF_TESTS_FUZZ_BATCH_CHECKS_H_
