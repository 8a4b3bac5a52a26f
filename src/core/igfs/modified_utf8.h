// igfs/modified_utf8.h: Java's modified UTF-8 (java.io.DataOutput.writeUTF) and the UTF-16 code
// units of a Java String it encodes.
//
// Modified UTF-8 encodes each UTF-16 unit on its own: U+0000 as the two bytes C0 80, U+0001 to
// U+007F as one byte, up to U+07FF as two, everything else (each half of a surrogate pair too)
// as three. A character beyond the BMP is thus six bytes, not UTF-8's four, which an IGFS node
// refuses (it drops the connection).
#ifndef IGNITE_TF_CORE_IGFS_MODIFIED_UTF8_H_
#define IGNITE_TF_CORE_IGFS_MODIFIED_UTF8_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ignite_tf::igfs {

// The UTF-16 units of well-formed UTF-8 (InvalidArgument for anything else: overlong forms,
// encoded surrogates, code points beyond U+10FFFF, truncated sequences).
absl::StatusOr<std::u16string> Utf8ToUtf16(absl::string_view utf8);

// UTF-8 of UTF-16 units; a lone surrogate is a protocol error (the units came from the server).
absl::StatusOr<std::string> Utf16ToUtf8(std::u16string_view units);

// The modified UTF-8 length of `units` in bytes.
size_t ModifiedUtf8Length(std::u16string_view units);

// Appends the modified UTF-8 bytes of `units` to `out`.
void AppendModifiedUtf8(std::u16string_view units, std::vector<uint8_t>& out);

// The UTF-16 units of modified UTF-8 bytes, accepting what java.io.DataInput.readUTF accepts;
// anything else is a protocol error.
absl::StatusOr<std::u16string> DecodeModifiedUtf8(absl::Span<const uint8_t> bytes);

}  // namespace ignite_tf::igfs

#endif  // IGNITE_TF_CORE_IGFS_MODIFIED_UTF8_H_
