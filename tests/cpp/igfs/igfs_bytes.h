// igfs_bytes.h: IGFS bytes written by hand for the igfs tests (big-endian, java.io.DataOutput's
// layout), independent of core/igfs/data_io.h so the tests do not trust the code they check.
#ifndef IGNITE_TF_TESTS_CPP_IGFS_IGFS_BYTES_H_
#define IGNITE_TF_TESTS_CPP_IGFS_IGFS_BYTES_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace ignite_tf::testing {

class BeBytes {
 public:
  BeBytes& U8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  BeBytes& Raw(std::initializer_list<uint8_t> v) {
    bytes_.insert(bytes_.end(), v);
    return *this;
  }
  BeBytes& Raw(const std::vector<uint8_t>& v) {
    bytes_.insert(bytes_.end(), v.begin(), v.end());
    return *this;
  }
  BeBytes& I32(int32_t v) { return Be(static_cast<uint32_t>(v), 4); }
  BeBytes& I64(int64_t v) { return Be(static_cast<uint64_t>(v), 8); }
  // writeUTF of ASCII text (callers spell out other bytes with Raw).
  BeBytes& Utf(const std::string& ascii) {
    Be(ascii.size(), 2);
    bytes_.insert(bytes_.end(), ascii.begin(), ascii.end());
    return *this;
  }
  // IgniteUtils.writeString: an is-null flag, then writeUTF.
  BeBytes& Str(const std::string& ascii) { return U8(0).Utf(ascii); }
  BeBytes& NullStr() { return U8(1); }
  // A request header: reqId, command, stream id, length.
  BeBytes& Header(int64_t id, int32_t command, int64_t stream = 0, int32_t length = 0) {
    return I64(id).I32(command).I64(stream).I32(length);
  }
  // A reply's headers: reqId, CONTROL_RESPONSE, 12 zero bytes; resType, hasErr, len.
  BeBytes& ReplyHeader(int64_t id, int32_t type, bool error = false, int32_t length = 0) {
    return Header(id, 19).I32(type).U8(error ? 1 : 0).I32(length);
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  operator std::vector<uint8_t>() const { return bytes_; }

 private:
  BeBytes& Be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  std::vector<uint8_t> bytes_;
};

}  // namespace ignite_tf::testing

#endif  // IGNITE_TF_TESTS_CPP_IGFS_IGFS_BYTES_H_
