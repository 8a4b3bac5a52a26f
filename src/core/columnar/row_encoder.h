// columnar/row_encoder.h: the write path's first half, the read path run backwards: rows taken
// from column buffers (NumPy arrays viewed in place, never one object per row) encoded as cache
// entries in Ignite's binary format. A row's key comes from a column or is generated (a long
// counting up); its value is one column's value, or an object of a named type whose fields are
// the columns, with dotted names ("meta.source") as nested objects. The bytes are the ones
// ValueEncoder writes for the same values (compact footers, the Java hash of each object).
#ifndef IGNITE_TF_CORE_COLUMNAR_ROW_ENCODER_H_
#define IGNITE_TF_CORE_COLUMNAR_ROW_ENCODER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/binary/binary_type.h"
#include "core/wire/writer.h"

namespace ignite_tf {

// The element type of a column's buffer, as the caller holds it.
enum class SourceType {
  kInt8,
  kUInt8,
  kInt16,
  kUInt16,
  kInt32,
  kUInt32,
  kInt64,
  kUInt64,
  kFloat32,
  kFloat64,
  kBool,
  kUtf8,        // strings: UTF-8 bytes in `data`, byte offsets per row in `offsets`
  kDatetime64,  // int64 counts of `datetime_unit_ns` since the epoch; INT64_MIN is NaT (null)
};

const char* SourceTypeName(SourceType type);
// Bytes of one element (1 for kUtf8: its data is bytes).
size_t SourceSize(SourceType type);

// A column viewed in place. Either one value per row (`width` 0, `offsets` null), a fixed
// number of elements per row (`width` > 0: a 2-D array, written as a Java array per row), or
// a ragged column (`offsets`: rows + 1 element offsets into `data`, written as a Java array per
// row; for kUtf8 these are the strings' byte ranges).
struct ColumnView {
  std::string name;  // the field path: "label", "meta.source"
  SourceType source = SourceType::kInt64;
  int64_t rows = 0;
  const uint8_t* data = nullptr;
  // Bytes from one row's first element to the next row's (fixed-width rows; elements within a
  // row are contiguous).
  int64_t row_stride = 0;
  int64_t width = 0;
  const int64_t* offsets = nullptr;
  int64_t data_elements = 0;  // ragged columns: elements `data` holds (offsets must stay within)
  const uint8_t* valid = nullptr;  // optional, one byte a row: 0 = null
  int64_t datetime_unit_ns = 1;    // kDatetime64 only
  // The Ignite type code written for each row: 0 = the one that keeps the values exactly
  // (uint8 -> byte, its bits; uint16 -> char; uint32 -> long; datetime64 -> Timestamp; arrays
  // -> the primitive array of their element). Integers also convert to any other integer type
  // (checked to fit), float and double; floats to float or double; datetime64 to Date, or to
  // kOptimized: a java.sql.Date as a SQL DATE column holds it.
  int32_t target = 0;
};

// What to write: the columns of a chunk of rows (all the same length).
struct RowSource {
  std::vector<ColumnView> columns;
  int64_t rows = 0;
};

// Bytes a page refers to instead of holding them: `size` bytes at `data` (the caller's column)
// go on the wire before the page's byte at `offset`.
struct ExternalBytes {
  size_t offset = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

struct RowLayout {
  // Indices into the columns of the key's columns. None: keys are generated, a long per row
  // counting up from `first_key` (the next chunk goes on where the last stopped). One, without
  // `key_type_name`: that column's value is the key. With `key_type_name`: the key is an object
  // of that type whose fields are these columns (a SQL table's composite primary key).
  std::vector<int> key_columns;
  std::string key_type_name;
  int64_t first_key = 0;
  // Empty: the value is the single non-key column's value. Else the value is an object of this
  // type; nested objects get "<type_name>.<path>" unless named in `nested_type_names`.
  std::string type_name;
  std::vector<std::pair<std::string, std::string>> nested_type_names;  // path -> type name
};

class RowEncoder {
 public:
  // Plans the encoding of rows with `columns` (their names, sources, shapes and targets: the
  // buffers are not read). InvalidArgument names the column for a type that cannot be
  // written, a conversion that is not allowed, a name used twice, a name that is both a value
  // and an object ("a" and "a.b"), a missing or null-capable key.
  static absl::StatusOr<RowEncoder> Plan(const std::vector<ColumnView>& columns,
                                         const RowLayout& layout);

  // Checks every value of `source` that could fail to encode (integers that do not fit the
  // target, null keys, NaN keys, null plain values, ragged offsets that are not monotone or
  // leave the buffer, invalid UTF-8 is not checked), so that a bad row is found before any row
  // is sent. The columns must match the plan's in order, names and types.
  absl::Status Validate(const RowSource& source) const;

  // Appends row `row`'s key to `w`, as it goes on the wire (type code and payload).
  void EncodeKey(const RowSource& source, int64_t row, Writer& w) const;
  // Appends row `row`'s value to `w`. With `external`, a plain array value of at least
  // kExternalMinBytes (an image, a file's bytes) is not copied: its elements stay in the
  // column, and `external` gets where they go (they must stay there until the page is sent).
  void EncodeValue(const RowSource& source, int64_t row, Writer& w,
                   std::vector<ExternalBytes>* external = nullptr) const;
  static constexpr size_t kExternalMinBytes = size_t{64} << 10;
  // Bytes the user's columns hold for rows [begin, end) (a generated key counts 8), for rates
  // in MB/s.
  int64_t PayloadBytes(const RowSource& source, int64_t begin, int64_t end) const;

  // The generated key of the next chunk's first row.
  int64_t next_key() const { return next_key_; }
  // Moves generated keys on past a chunk of `rows` rows.
  void Advance(int64_t rows) { next_key_ += rows; }

  // Metadata of the object types the values use (one schema each), to register before sending.
  const std::vector<BinaryType>& types() const { return types_; }
  // The Ignite type code each column is written as (the key's too), in column order.
  const std::vector<int32_t>& codes() const { return codes_; }

 private:
  struct Field {
    std::string name;
    int32_t id = 0;
    int column = -1;  // a column's value, or
    int object = -1;  // a nested object (index into objects_)
  };
  struct Object {
    std::string type_name;
    int32_t type_id = 0;
    int32_t schema_id = 0;
    std::vector<Field> fields;
  };

  void EncodeColumnValue(const ColumnView& column, int column_index, int64_t row, Writer& w,
                         std::vector<ExternalBytes>* external = nullptr) const;
  void EncodeObject(const RowSource& source, int object, int64_t row, Writer& w) const;

  std::vector<int32_t> codes_;
  bool IsKey(int column) const;
  // Fills types_ from objects_ (one schema each).
  void RegisterTypes();

  std::vector<int> key_columns_;
  int key_object_ = -1;  // index into objects_ of the key's object, when the key is one
  int64_t next_key_ = 0;
  int value_column_ = -1;        // plain values
  std::vector<Object> objects_;  // objects_[0] is the value's, when it is an object
  std::vector<BinaryType> types_;
};

}  // namespace ignite_tf

#endif  // IGNITE_TF_CORE_COLUMNAR_ROW_ENCODER_H_
