#include "core/binary/ids.h"

#include <algorithm>
#include <iterator>

#include "core/binary/type_codes.h"

namespace ignite_tf {
namespace {

struct LowerCasePair {
  uint16_t unit, lower;
};

constexpr LowerCasePair kJavaLowerCase[] = {
#include "core/binary/java_lower_case_table.inc"
};

// Character.toLowerCase on one UTF-16 unit, as Java 17 defines it (generated table).
uint16_t JavaToLower(uint16_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  const LowerCasePair* end = std::end(kJavaLowerCase);
  const LowerCasePair* it =
      std::lower_bound(std::begin(kJavaLowerCase), end, c,
                       [](const LowerCasePair& pair, uint16_t unit) { return pair.unit < unit; });
  return (it != end && it->unit == c) ? it->lower : c;
}

// Decodes UTF-8 and calls fn(unit) for each UTF-16 unit Java would hold. A malformed sequence
// becomes one U+FFFD per maximal valid prefix, as Java's decoder replaces it.
template <typename Fn>
void ForEachUtf16Unit(absl::string_view s, Fn fn) {
  const size_t n = s.size();
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  size_t i = 0;
  while (i < n) {
    const uint8_t c = byte(i);
    if (c < 0x80) {
      fn(c);
      ++i;
      continue;
    }
    int continuation;
    uint8_t low = 0x80, high = 0xBF;  // allowed range of the first continuation byte
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      continuation = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      continuation = 2;
      cp = c & 0x0F;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;  // no surrogates in UTF-8
    } else if (c >= 0xF0 && c <= 0xF4) {
      continuation = 3;
      cp = c & 0x07;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      fn(0xFFFD);
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool valid = true;
    for (int k = 0; k < continuation; ++k, ++j) {
      const uint8_t lo = k == 0 ? low : 0x80, hi = k == 0 ? high : 0xBF;
      if (j >= n || byte(j) < lo || byte(j) > hi) {
        valid = false;
        break;
      }
      cp = (cp << 6) | (byte(j) & 0x3F);
    }
    i = j;
    if (!valid) {
      fn(0xFFFD);
    } else if (cp >= 0x10000) {
      cp -= 0x10000;
      fn(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      fn(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      fn(static_cast<uint16_t>(cp));
    }
  }
}

}  // namespace

int32_t JavaStringHash(absl::string_view utf8) {
  uint32_t h = 0;
  ForEachUtf16Unit(utf8, [&](uint16_t u) { h = 31 * h + u; });
  return static_cast<int32_t>(h);
}

int32_t BinaryNameId(absl::string_view utf8) {
  uint32_t h = 0;
  ForEachUtf16Unit(utf8, [&](uint16_t u) { h = 31 * h + JavaToLower(u); });
  return static_cast<int32_t>(h);
}

int32_t SchemaIdOf(absl::Span<const int32_t> field_ids) {
  if (field_ids.empty()) return 0;
  uint32_t s = 0x811C9DC5u;
  for (int32_t id : field_ids) {
    uint32_t v = static_cast<uint32_t>(id);
    for (int shift = 0; shift < 32; shift += 8) {
      s ^= (v >> shift) & 0xFF;
      s *= 0x01000193u;
    }
  }
  return static_cast<int32_t>(s);
}

int32_t ObjectHashCode(absl::Span<const uint8_t> data) {
  // Java's `31 * h + b` over signed bytes, 16 bytes a step: h * 31^16 + sum(b[j] * 31^(15-j)),
  // in wrapping 32-bit arithmetic, which the compiler turns into vector multiplies (a MiB-sized
  // byte[] value is hashed at several bytes a cycle instead of one).
  static constexpr int kBlock = 16;
  struct Powers {
    uint32_t of[kBlock];  // of[j] = 31^(15 - j)
    uint32_t block;       // 31^16
  };
  static constexpr Powers kPowers = [] {
    Powers p{};
    uint32_t power = 1;
    for (int j = kBlock - 1; j >= 0; --j) {
      p.of[j] = power;
      power *= 31;
    }
    p.block = power;
    return p;
  }();
  uint32_t h = 1;
  const uint8_t* p = data.data();
  size_t n = data.size();
  for (; n >= kBlock; n -= kBlock, p += kBlock) {
    uint32_t sum = 0;
    for (int j = 0; j < kBlock; ++j) {
      sum += kPowers.of[j] * static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(p[j])));
    }
    h = h * kPowers.block + sum;
  }
  for (; n > 0; --n, ++p) {
    h = 31 * h + static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(*p)));
  }
  return static_cast<int32_t>(h);
}

}  // namespace ignite_tf
