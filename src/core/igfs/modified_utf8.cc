#include "core/igfs/modified_utf8.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/common/error.h"

namespace ignite_tf::igfs {
namespace {

bool IsHighSurrogate(char16_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool IsLowSurrogate(char16_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

absl::Status BadUtf8(size_t at, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("not valid UTF-8 at byte ", at, ": ", why, " (IGFS names are Unicode text)"));
}

}  // namespace

absl::StatusOr<std::u16string> Utf8ToUtf16(absl::string_view utf8) {
  std::u16string out;
  out.reserve(utf8.size());
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const size_t n = utf8.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t lead = p[i];
    if (lead < 0x80) {
      out.push_back(lead);
      ++i;
      continue;
    }
    int extra;
    uint32_t cp;
    uint32_t min;
    if ((lead & 0xE0) == 0xC0) {
      extra = 1, cp = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, cp = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, cp = lead & 0x07, min = 0x10000;
    } else {
      return BadUtf8(i, "a byte that starts no character");
    }
    if (n - i <= static_cast<size_t>(extra)) return BadUtf8(i, "a truncated character");
    for (int k = 1; k <= extra; ++k) {
      const uint8_t c = p[i + k];
      if ((c & 0xC0) != 0x80) return BadUtf8(i + k, "a missing continuation byte");
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min) return BadUtf8(i, "an overlong form");
    if (cp > 0x10FFFF) return BadUtf8(i, "a code point beyond U+10FFFF");
    if (cp >= 0xD800 && cp <= 0xDFFF) return BadUtf8(i, "an encoded surrogate");
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += extra + 1;
  }
  return out;
}

absl::StatusOr<std::string> Utf16ToUtf8(std::u16string_view units) {
  std::string out;
  out.reserve(units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    uint32_t cp = units[i];
    if (IsHighSurrogate(units[i]) && i + 1 < units.size() && IsLowSurrogate(units[i + 1])) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (units[i + 1] - 0xDC00);
      ++i;
    } else if (IsHighSurrogate(units[i]) || IsLowSurrogate(units[i])) {
      return ProtocolError(absl::StrCat("the IGFS server sent a name with a lone UTF-16 surrogate ",
                                        "at unit ", i, ", which is not Unicode text"));
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

size_t ModifiedUtf8Length(std::u16string_view units) {
  size_t n = 0;
  for (char16_t u : units) n += (u >= 0x01 && u <= 0x7F) ? 1 : (u <= 0x7FF ? 2 : 3);
  return n;
}

void AppendModifiedUtf8(std::u16string_view units, std::vector<uint8_t>& out) {
  out.reserve(out.size() + ModifiedUtf8Length(units));
  for (char16_t u : units) {
    if (u >= 0x01 && u <= 0x7F) {
      out.push_back(static_cast<uint8_t>(u));
    } else if (u <= 0x7FF) {  // U+0000 lands here: C0 80
      out.push_back(static_cast<uint8_t>(0xC0 | (u >> 6)));
      out.push_back(static_cast<uint8_t>(0x80 | (u & 0x3F)));
    } else {
      out.push_back(static_cast<uint8_t>(0xE0 | (u >> 12)));
      out.push_back(static_cast<uint8_t>(0x80 | ((u >> 6) & 0x3F)));
      out.push_back(static_cast<uint8_t>(0x80 | (u & 0x3F)));
    }
  }
}

absl::StatusOr<std::u16string> DecodeModifiedUtf8(absl::Span<const uint8_t> bytes) {
  std::u16string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    const uint8_t a = bytes[i];
    if (a < 0x80) {
      out.push_back(a);
      ++i;
    } else if ((a & 0xE0) == 0xC0) {
      if (i + 1 >= bytes.size() || (bytes[i + 1] & 0xC0) != 0x80) break;
      out.push_back(static_cast<char16_t>(((a & 0x1F) << 6) | (bytes[i + 1] & 0x3F)));
      i += 2;
    } else if ((a & 0xF0) == 0xE0) {
      if (i + 2 >= bytes.size() || (bytes[i + 1] & 0xC0) != 0x80 || (bytes[i + 2] & 0xC0) != 0x80) {
        break;
      }
      out.push_back(static_cast<char16_t>(((a & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) |
                                          (bytes[i + 2] & 0x3F)));
      i += 3;
    } else {
      break;
    }
  }
  if (i != bytes.size()) {
    return ProtocolError(
        absl::StrCat("the IGFS server sent a string that is not modified UTF-8 (byte ", i, ")"));
  }
  return out;
}

}  // namespace ignite_tf::igfs
