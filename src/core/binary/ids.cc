#include "core/binary/ids.h"

#include "core/binary/type_codes.h"

namespace ignite_tf {
namespace {

// Decodes UTF-8 and calls fn(code unit) for each UTF-16 unit Java would store. Invalid bytes are
// taken as U+FFFD, which is what Java's decoder produces.
template <typename Fn>
void ForEachUtf16Unit(absl::string_view s, Fn fn) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 0x6 && i + 1 < n) {
      cp = ((c & 0x1F) << 6) | (static_cast<uint8_t>(s[i + 1]) & 0x3F);
      len = 2;
    } else if ((c >> 4) == 0xE && i + 2 < n) {
      cp = ((c & 0x0F) << 12) | ((static_cast<uint8_t>(s[i + 1]) & 0x3F) << 6) |
           (static_cast<uint8_t>(s[i + 2]) & 0x3F);
      len = 3;
    } else if ((c >> 3) == 0x1E && i + 3 < n) {
      cp = ((c & 0x07) << 18) | ((static_cast<uint8_t>(s[i + 1]) & 0x3F) << 12) |
           ((static_cast<uint8_t>(s[i + 2]) & 0x3F) << 6) | (static_cast<uint8_t>(s[i + 3]) & 0x3F);
      len = 4;
    } else {
      cp = 0xFFFD;
      len = 1;
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      fn(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      fn(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      fn(static_cast<uint16_t>(cp));
    }
  }
}

// Character.toLowerCase for the ranges field and type names realistically use.
uint16_t JavaToLower(uint16_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;  // Latin-1
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
      c != 0x178 && c != 0x17F) {  // Latin Extended-A
    bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_upper) return (c & 1) ? c + 1 : c;
    return (c & 1) ? c : c + 1;
  }
  if (c == 0x178) return 0xFF;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 32;                // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
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
  uint32_t h = 1;
  for (uint8_t b : data)
    h = 31 * h + static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(b)));
  return static_cast<int32_t>(h);
}

}  // namespace ignite_tf
