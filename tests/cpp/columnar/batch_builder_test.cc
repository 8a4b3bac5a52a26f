#include "core/columnar/batch_builder.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/binary/decoder.h"
#include "core/binary/encoder.h"
#include "core/binary/ids.h"
#include "core/binary/type_codes.h"
#include "core/columnar/schema.h"
#include "core/wire/reader.h"
#include "core/wire/writer.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::Concat;
using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::FakeTypeResolver;
using ::ignite_tf::testing::HandObject;
using ::ignite_tf::testing::HasHint;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::MakeType;
using ::ignite_tf::testing::ObjectOf;
using ::ignite_tf::testing::Packed;
using ::ignite_tf::testing::StatusIs;
using ::ignite_tf::testing::TDouble;
using ::ignite_tf::testing::THandle;
using ::ignite_tf::testing::TInt;
using ::ignite_tf::testing::TLong;
using ::ignite_tf::testing::TNull;
using ::ignite_tf::testing::TString;
using ::ignite_tf::testing::TStringArray;
using ::ignite_tf::testing::TWrapped;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

// ---------------------------------------------------------------------------------------------
// Reading columns back.

const Column& Col(const Batch& batch, absl::string_view path) {
  for (const Column& c : batch.columns) {
    if (c.path == path) return c;
  }
  ADD_FAILURE() << "no column " << path;
  static const Column kNone;
  return kNone;
}

template <typename T>
std::vector<T> Fixed(const Column& c) {
  std::vector<T> out(c.data->size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), c.data->data(), out.size() * sizeof(T));
  return out;
}

std::vector<int64_t> Offsets(const AlignedBuffer& b) {
  std::vector<int64_t> out(b.size() / 8);
  if (!out.empty()) std::memcpy(out.data(), b.data(), b.size());
  return out;
}

std::vector<std::string> Strings(const Column& c) {
  std::vector<int64_t> off = Offsets(*c.offsets);
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < off.size(); ++i) {
    out.emplace_back(reinterpret_cast<const char*>(c.data->data()) + off[i], off[i + 1] - off[i]);
  }
  return out;
}

std::vector<std::vector<std::string>> StringLists(const Column& c) {
  std::vector<int64_t> rows = Offsets(*c.offsets);
  std::vector<int64_t> items = Offsets(*c.string_offsets);
  std::vector<std::vector<std::string>> out;
  for (size_t r = 0; r + 1 < rows.size(); ++r) {
    std::vector<std::string> row;
    for (int64_t i = rows[r]; i < rows[r + 1]; ++i) {
      row.emplace_back(reinterpret_cast<const char*>(c.data->data()) + items[i],
                       items[i + 1] - items[i]);
    }
    out.push_back(std::move(row));
  }
  return out;
}

template <typename T>
std::vector<std::vector<T>> Lists(const Column& c) {
  std::vector<int64_t> off = Offsets(*c.offsets);
  std::vector<T> flat = Fixed<T>(c);
  std::vector<std::vector<T>> out;
  for (size_t r = 0; r + 1 < off.size(); ++r) {
    out.emplace_back(flat.begin() + off[r], flat.begin() + off[r + 1]);
  }
  return out;
}

bool IsAligned(const void* p) { return reinterpret_cast<uintptr_t>(p) % kBufferAlignment == 0; }

// ---------------------------------------------------------------------------------------------
// Building pages.

Value Kitten(const std::string& name, int32_t age, double weight,
             std::vector<std::optional<std::string>> tags, std::vector<int32_t> scores) {
  Bytes packed(scores.size() * 4);
  if (!scores.empty()) std::memcpy(packed.data(), scores.data(), packed.size());
  return ObjectOf("Kitten", {{"NAME", Value::String(name)},
                             {"AGE", Value::Integer(kInt, age)},
                             {"WEIGHT", Value::Real(kDouble, weight)},
                             {"TAGS", Value::StringArray(std::move(tags))},
                             {"SCORES", Value::Array(kIntArray, std::move(packed))},
                             {"ALIVE", Value::Integer(kBool, 1)},
                             {"B", Value::Integer(kByte, -1)},
                             {"C", Value::Integer(kChar, 'c')},
                             {"S", Value::Integer(kShort, -2)},
                             {"F", Value::Real(kFloat, 0.5)},
                             {"BORN", Value::Integer(kDate, 1000 + age)}});
}

// A reply frame as ScanCursor sees it: some header bytes, the rows, then the `more` flag.
struct PageBytes {
  Bytes frame;
  size_t begin = 0;
  size_t end = 0;
  int32_t rows = 0;
};

class BatchBuilderTest : public ::testing::Test {
 protected:
  BatchBuilderTest() : types_(std::make_shared<FakeTypeResolver>()) {}

  // Encodes (key, value) pairs; values may also be raw bytes appended as they are.
  struct Row {
    std::optional<Value> key;
    std::optional<Value> value;
    Bytes key_bytes;
    Bytes value_bytes;
  };
  static Row Encoded(Value key, Value value) {
    return Row{std::move(key), std::move(value), {}, {}};
  }
  static Row RawRow(Bytes key, Bytes value) {
    return Row{std::nullopt, std::nullopt, std::move(key), std::move(value)};
  }

  PageBytes Page(const std::vector<Row>& rows) {
    Writer w;
    w.WriteInt64(0x1234);  // stands in for the response header / cursor id
    w.WriteInt32(static_cast<int32_t>(rows.size()));
    PageBytes page;
    page.begin = w.size();
    for (const Row& row : rows) {
      if (row.key.has_value()) {
        EXPECT_THAT(encoder_.Encode(*row.key, w), IsOk());
      } else {
        w.WriteBytes(row.key_bytes);
      }
      if (row.value.has_value()) {
        EXPECT_THAT(encoder_.Encode(*row.value, w), IsOk());
      } else {
        w.WriteBytes(row.value_bytes);
      }
    }
    page.end = w.size();
    w.WriteBool(false);  // more
    page.frame = w.Release();
    page.rows = static_cast<int32_t>(rows.size());
    for (const BinaryType& t : encoder_.types()) types_->Add(t);
    return page;
  }

  // Infers the schema from the first row of `page`, as BatchStream does.
  absl::StatusOr<RowSchema> Infer(const PageBytes& page,
                                  const std::vector<std::string>& fields = {}) {
    ValueDecoder decoder(types_.get());
    size_t pos = page.begin;
    IGNITE_ASSIGN_OR_RETURN(Value key, decoder.Decode(page.frame, &pos, "key"));
    IGNITE_ASSIGN_OR_RETURN(size_t value_pos, SkipValue(page.frame, page.begin, "key"));
    IGNITE_ASSIGN_OR_RETURN(Value value, decoder.Decode(page.frame, &value_pos, "val"));
    return InferSchema(key, value, types_.get(), fields);
  }

  absl::Status Append(BatchBuilder& builder, const PageBytes& page, int64_t first_row = 0) {
    return builder.AppendRows(page.frame, page.begin, page.end, page.rows, first_row);
  }

  ValueEncoder encoder_;
  std::shared_ptr<FakeTypeResolver> types_;
};

TEST_F(BatchBuilderTest, ObjectArraysOfMixedTypesOutsideTheSelectedFieldsAreSkipped) {
  // Each value's Object[] holds a string and a long: legal in Ignite, but no column's type.
  auto row = [](int64_t k) {
    return Encoded(
        Value::Integer(kLong, k),
        ObjectOf("Mixed",
                 {{"a", Value::Integer(kInt, static_cast<int32_t>(k) * 10)},
                  {"mixed", Value::Items(kObjectArray,
                                         {Value::String("s"), Value::Integer(kLong, k)}, -1)}}));
  };
  const PageBytes page = Page({row(1), row(2), row(3)});
  EXPECT_THAT(Infer(page), StatusIs(absl::StatusCode::kInvalidArgument, "val.mixed mixes"));
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page, {"a"}));
  EXPECT_THAT(schema.column_paths, ElementsAre("key", "val.a"));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  EXPECT_THAT(Fixed<int64_t>(Col(batch, "key")), ElementsAre(1, 2, 3));
  EXPECT_THAT(Fixed<int32_t>(Col(batch, "val.a")), ElementsAre(10, 20, 30));
}

TEST_F(BatchBuilderTest, BuildsEveryKindOfColumn) {
  const PageBytes page = Page({
      Encoded(Value::Integer(kLong, 10), Kitten("Tom", 3, 4.5, {"a", "bb"}, {1, 2, 3})),
      Encoded(Value::Integer(kLong, 11), Kitten("", 4, -1, {}, {})),
      Encoded(Value::Integer(kLong, 12), Kitten("Felix", 5, 0.25, {std::nullopt, "c"}, {7})),
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  EXPECT_THAT(schema.column_paths,
              ElementsAre("key", "val.AGE", "val.ALIVE", "val.B", "val.BORN", "val.C", "val.F",
                          "val.NAME", "val.S", "val.SCORES", "val.TAGS", "val.WEIGHT"));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  EXPECT_EQ(builder.num_rows(), 3);
  Batch batch = builder.Finish();
  EXPECT_EQ(batch.num_rows, 3);
  ASSERT_EQ(batch.columns.size(), 12u);
  for (const Column& c : batch.columns) {
    EXPECT_EQ(c.length, 3) << c.path;
    EXPECT_TRUE(IsAligned(c.data->data()) || c.data->size() == 0) << c.path;
    if (c.offsets != nullptr) {
      EXPECT_TRUE(IsAligned(c.offsets->data())) << c.path;
    }
  }

  EXPECT_EQ(Col(batch, "key").element, ElementType::kInt64);
  EXPECT_THAT(Fixed<int64_t>(Col(batch, "key")), ElementsAre(10, 11, 12));
  EXPECT_EQ(Col(batch, "val.AGE").element, ElementType::kInt32);
  EXPECT_THAT(Fixed<int32_t>(Col(batch, "val.AGE")), ElementsAre(3, 4, 5));
  EXPECT_THAT(Fixed<double>(Col(batch, "val.WEIGHT")), ElementsAre(4.5, -1, 0.25));
  EXPECT_THAT(Fixed<uint8_t>(Col(batch, "val.ALIVE")), ElementsAre(1, 1, 1));
  EXPECT_THAT(Fixed<uint8_t>(Col(batch, "val.B")), ElementsAre(0xFF, 0xFF, 0xFF));
  EXPECT_THAT(Fixed<uint16_t>(Col(batch, "val.C")), ElementsAre('c', 'c', 'c'));
  EXPECT_THAT(Fixed<int16_t>(Col(batch, "val.S")), ElementsAre(-2, -2, -2));
  EXPECT_THAT(Fixed<float>(Col(batch, "val.F")), ElementsAre(0.5f, 0.5f, 0.5f));
  EXPECT_THAT(Fixed<int64_t>(Col(batch, "val.BORN")), ElementsAre(1003, 1004, 1005));

  const Column& name = Col(batch, "val.NAME");
  EXPECT_EQ(name.element, ElementType::kString);
  EXPECT_THAT(Offsets(*name.offsets), ElementsAre(0, 3, 3, 8));
  EXPECT_THAT(Strings(name), ElementsAre("Tom", "", "Felix"));

  const Column& scores = Col(batch, "val.SCORES");
  EXPECT_TRUE(scores.is_list);
  EXPECT_THAT(Offsets(*scores.offsets), ElementsAre(0, 3, 3, 4));  // element offsets
  EXPECT_THAT(Fixed<int32_t>(scores), ElementsAre(1, 2, 3, 7));
  EXPECT_EQ(scores.string_offsets, nullptr);

  const Column& tags = Col(batch, "val.TAGS");
  EXPECT_TRUE(tags.is_list);
  EXPECT_EQ(tags.element, ElementType::kString);
  EXPECT_THAT(Offsets(*tags.offsets), ElementsAre(0, 2, 2, 4));            // string index per row
  EXPECT_THAT(Offsets(*tags.string_offsets), ElementsAre(0, 1, 3, 3, 4));  // null -> ""
  EXPECT_THAT(StringLists(tags),
              ElementsAre(ElementsAre("a", "bb"), IsEmpty(), ElementsAre("", "c")));
}

TEST_F(BatchBuilderTest, FinishStartsAFreshBatch) {
  const PageBytes page = Page({Encoded(Value::Integer(kLong, 1), Kitten("a", 1, 1, {"t"}, {1})),
                               Encoded(Value::Integer(kLong, 2), Kitten("b", 2, 2, {"u"}, {2}))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch first = builder.Finish();
  EXPECT_EQ(builder.num_rows(), 0);
  ASSERT_THAT(Append(builder, page), IsOk());
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch second = builder.Finish();
  EXPECT_EQ(first.num_rows, 2);
  EXPECT_EQ(second.num_rows, 4);
  EXPECT_THAT(Fixed<int64_t>(Col(second, "key")), ElementsAre(1, 2, 1, 2));
  EXPECT_THAT(Offsets(*Col(second, "val.NAME").offsets), ElementsAre(0, 1, 2, 3, 4));
  // The first batch's buffers were handed out, not reused.
  EXPECT_THAT(Strings(Col(first, "val.NAME")), ElementsAre("a", "b"));
  EXPECT_THAT(StringLists(Col(second, "val.TAGS")),
              ElementsAre(ElementsAre("t"), ElementsAre("u"), ElementsAre("t"), ElementsAre("u")));
}

TEST_F(BatchBuilderTest, NextBatchReservesWhatTheLastOneUsed) {
  const PageBytes page = Page({Encoded(Value::Integer(kLong, 1), Kitten("a", 1, 1, {"t"}, {1})),
                               Encoded(Value::Integer(kLong, 2), Kitten("b", 2, 2, {"u"}, {2}))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_, /*masks=*/true);
  ASSERT_THAT(Append(builder, page), IsOk());
  const Batch first = builder.Finish();
  const Batch empty = builder.Finish();
  EXPECT_EQ(empty.num_rows, 0);
  ASSERT_EQ(empty.columns.size(), first.columns.size());
  for (size_t i = 0; i < first.columns.size(); ++i) {
    const Column& used = first.columns[i];
    const Column& next = empty.columns[i];
    SCOPED_TRACE(used.path);
    EXPECT_EQ(next.data->size(), 0u);
    EXPECT_GE(next.data->capacity(), used.data->size());
    EXPECT_GE(next.valid->capacity(), used.valid->size());
    if (used.offsets) {
      EXPECT_EQ(next.offsets->size(), 8u);  // the leading 0
      EXPECT_GE(next.offsets->capacity(), used.offsets->size());
    }
    if (used.string_offsets) {
      EXPECT_GE(next.string_offsets->capacity(), used.string_offsets->size());
    }
  }
}

TEST_F(BatchBuilderTest, MissingAndNullFieldsGetDefaults) {
  // Row 1 has every field; row 2 is written without AGE, NAME, TAGS and SCORES (a different
  // schema); row 3 has explicit null fields (a full-footer object written by hand); row 4's
  // value is null altogether.
  const Value full = Kitten("Tom", 3, 4.5, {"a"}, {9});
  const Value sparse = ObjectOf("Kitten", {{"WEIGHT", Value::Real(kDouble, 2)},
                                           {"ALIVE", Value::Integer(kBool, 1)},
                                           {"B", Value::Integer(kByte, 1)},
                                           {"C", Value::Integer(kChar, 1)},
                                           {"S", Value::Integer(kShort, 1)},
                                           {"F", Value::Real(kFloat, 1)},
                                           {"BORN", Value::Integer(kDate, 1)}});
  HandObject nulls;
  nulls.type_id = BinaryNameId("Kitten");
  nulls.compact = false;
  nulls.schema_id = 0x77;
  nulls.Field(BinaryNameId("NAME"), TNull())
      .Field(BinaryNameId("AGE"), TNull())
      .Field(BinaryNameId("TAGS"), TNull())
      .Field(BinaryNameId("SCORES"), TNull())
      .Field(BinaryNameId("WEIGHT"), TDouble(7));
  const PageBytes page =
      Page({Encoded(Value::Integer(kLong, 1), full), Encoded(Value::Integer(kLong, 2), sparse),
            RawRow(TLong(3), nulls.Build()), RawRow(TLong(4), TNull())});
  types_->Add(MakeType(BinaryNameId("Kitten"), "Kitten", {}, {{0x77, {}}}));
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  ASSERT_EQ(batch.num_rows, 4);
  EXPECT_THAT(Fixed<int32_t>(Col(batch, "val.AGE")), ElementsAre(3, 0, 0, 0));
  EXPECT_THAT(Fixed<double>(Col(batch, "val.WEIGHT")), ElementsAre(4.5, 2, 7, 0));
  EXPECT_THAT(Fixed<uint8_t>(Col(batch, "val.ALIVE")), ElementsAre(1, 1, 0, 0));
  EXPECT_THAT(Fixed<int64_t>(Col(batch, "val.BORN")), ElementsAre(1003, 1, 0, 0));
  EXPECT_THAT(Strings(Col(batch, "val.NAME")), ElementsAre("Tom", "", "", ""));
  EXPECT_THAT(Lists<int32_t>(Col(batch, "val.SCORES")),
              ElementsAre(ElementsAre(9), IsEmpty(), IsEmpty(), IsEmpty()));
  EXPECT_THAT(StringLists(Col(batch, "val.TAGS")),
              ElementsAre(ElementsAre("a"), IsEmpty(), IsEmpty(), IsEmpty()));
  for (const Column& c : batch.columns) {
    if (c.has_offsets()) {
      EXPECT_EQ(c.offsets->size(), 5u * 8u) << c.path;
    } else {
      EXPECT_EQ(c.data->size(), 4u * ElementSize(c.element)) << c.path;
    }
  }
}

TEST_F(BatchBuilderTest, FieldsAreFoundByNameWhateverTheWriteOrder) {
  const Value a = ObjectOf("Pair", {{"X", Value::Integer(kInt, 1)}, {"Y", Value::String("one")}});
  const Value b = ObjectOf("Pair", {{"Y", Value::String("two")}, {"X", Value::Integer(kInt, 2)}});
  const PageBytes page =
      Page({Encoded(Value::Integer(kInt, 1), a), Encoded(Value::Integer(kInt, 2), b),
            Encoded(Value::Integer(kInt, 3), a)});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  EXPECT_THAT(Fixed<int32_t>(Col(batch, "val.X")), ElementsAre(1, 2, 1));
  EXPECT_THAT(Strings(Col(batch, "val.Y")), ElementsAre("one", "two", "one"));
}

TEST_F(BatchBuilderTest, ObjectKeysAndNestedObjects) {
  const Value key =
      ObjectOf("KittenKey", {{"ID", Value::Integer(kLong, 5)}, {"CITY", Value::String("Oslo")}});
  const Value value =
      ObjectOf("Owner", {{"NAME", Value::String("Ann")},
                         {"HOME", ObjectOf("Address", {{"ZIP", Value::Integer(kInt, 1234)}})}});
  const PageBytes page = Page({Encoded(key, value), Encoded(key, value)});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  EXPECT_THAT(schema.column_paths, ElementsAre("key.CITY", "key.ID", "val.HOME.ZIP", "val.NAME"));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  EXPECT_THAT(Fixed<int64_t>(Col(batch, "key.ID")), ElementsAre(5, 5));
  EXPECT_THAT(Strings(Col(batch, "key.CITY")), ElementsAre("Oslo", "Oslo"));
  EXPECT_THAT(Fixed<int32_t>(Col(batch, "val.HOME.ZIP")), ElementsAre(1234, 1234));
}

TEST_F(BatchBuilderTest, WrappedValuesAndHandles) {
  // As a scan sends them: values wrapped (27) with a non-zero start; the last row's value is a
  // handle back to the previous row's value.
  Writer w;
  ASSERT_THAT(encoder_.Encode(Kitten("W", 8, 1, {"w"}, {8}), w), IsOk());
  const Bytes object = w.Release();
  for (const BinaryType& t : encoder_.types()) types_->Add(t);
  const Bytes wrapped = TWrapped(Concat({Bytes(5, 0xEE), object}), 5);
  const size_t value_pos_in_row = 9;  // after the long key
  const int32_t handle = static_cast<int32_t>(wrapped.size() + value_pos_in_row);
  const PageBytes page = Page(
      {RawRow(TLong(1), wrapped), RawRow(TLong(2), wrapped), RawRow(TLong(3), THandle(handle))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  EXPECT_THAT(Fixed<int64_t>(Col(batch, "key")), ElementsAre(1, 2, 3));
  EXPECT_THAT(Fixed<int32_t>(Col(batch, "val.AGE")), ElementsAre(8, 8, 8));
  EXPECT_THAT(Strings(Col(batch, "val.NAME")), ElementsAre("W", "W", "W"));
}

TEST_F(BatchBuilderTest, FullFooterObjects) {
  types_->Add(MakeType(50, "Hand", {{"V", kInt, 0}, {"S", kString, 0}}, {{60, {}}}));
  auto hand = [](int32_t v, const char* s) {
    HandObject h;
    h.type_id = 50;
    h.schema_id = 60;
    h.compact = false;
    h.Field(BinaryNameId("S"), TString(s)).Field(BinaryNameId("V"), TInt(v));
    return h.Build();
  };
  const PageBytes page = Page({RawRow(TInt(1), hand(10, "x")), RawRow(TInt(2), hand(20, "yy"))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  EXPECT_THAT(Fixed<int32_t>(Col(batch, "val.V")), ElementsAre(10, 20));
  EXPECT_THAT(Strings(Col(batch, "val.S")), ElementsAre("x", "yy"));
}

TEST_F(BatchBuilderTest, TypeMismatchNamesTheFieldAndRow) {
  const Value good = ObjectOf("T", {{"NAME", Value::String("ok")}});
  const Value bad = ObjectOf("T", {{"NAME", Value::Integer(kInt, 5)}});
  const PageBytes page =
      Page({Encoded(Value::Integer(kLong, 1), good), Encoded(Value::Integer(kLong, 2), good),
            Encoded(Value::Integer(kLong, 3), bad)});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  absl::Status s = Append(builder, page, /*first_row=*/100);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "row 102"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "val.NAME holds int (3)"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "string (9)"));
  EXPECT_THAT(s, ErrorKindIs(ErrorKind::kSchema));
}

TEST_F(BatchBuilderTest, KeyTypeMismatchIsReported) {
  const Value v = ObjectOf("T", {{"X", Value::Integer(kInt, 1)}});
  const PageBytes page =
      Page({Encoded(Value::Integer(kLong, 1), v), Encoded(Value::Integer(kInt, 2), v)});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  absl::Status s = Append(builder, page);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "row 1"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "key holds int (3)"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "long (4)"));
}

TEST_F(BatchBuilderTest, ObjectWhereALeafWasExpectedAndViceVersa) {
  const Value v = ObjectOf("T", {{"X", Value::Integer(kInt, 1)}});
  const PageBytes page = Page({Encoded(Value::Integer(kLong, 1), v),
                               Encoded(Value::Integer(kLong, 2), Value::String("flat"))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  absl::Status s = Append(builder, page);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "row 1"));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "val holds string (9)"));

  const PageBytes swapped = Page({Encoded(Value::Integer(kLong, 1), v), Encoded(v, v)});
  BatchBuilder builder2(schema, types_);
  absl::Status s2 = Append(builder2, swapped);
  EXPECT_THAT(s2, StatusIs(absl::StatusCode::kInvalidArgument, "row 1"));
  EXPECT_THAT(s2, StatusIs(absl::StatusCode::kInvalidArgument, "key holds an object"));
}

TEST_F(BatchBuilderTest, UnknownSchemaInALaterRowIsAnError) {
  const Value v = ObjectOf("T", {{"X", Value::Integer(kInt, 1)}});
  const PageBytes page = Page({Encoded(Value::Integer(kLong, 1), v)});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  HandObject other;
  other.type_id = BinaryNameId("T");
  other.schema_id = 0x0DDBA11;
  other.Field(BinaryNameId("X"), TInt(2));
  const PageBytes page2 = Page({RawRow(TLong(2), other.Build())});
  BatchBuilder builder(schema, types_);
  EXPECT_THAT(Append(builder, page2), StatusIs(absl::StatusCode::kDataLoss, "14531089"));
}

TEST_F(BatchBuilderTest, EveryTruncatedPageFails) {
  const PageBytes page = Page({
      Encoded(Value::Integer(kLong, 10), Kitten("Tom", 3, 4.5, {"a", std::nullopt}, {1, 2})),
      Encoded(Value::Integer(kLong, 11), Kitten("Jerry", 4, 1, {}, {})),
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  {
    BatchBuilder builder(schema, types_);
    ASSERT_THAT(Append(builder, page), IsOk());
  }
  for (size_t end = page.begin; end < page.end; ++end) {
    BatchBuilder builder(schema, types_);
    // Both a short `end` and a buffer that really stops there.
    EXPECT_THAT(builder.AppendRows(page.frame, page.begin, end, page.rows, 0),
                StatusIs(absl::StatusCode::kDataLoss))
        << "end " << end;
    const Bytes cut(page.frame.begin(), page.frame.begin() + end);
    BatchBuilder builder2(schema, types_);
    EXPECT_THAT(builder2.AppendRows(cut, page.begin, end, page.rows, 0), Not(IsOk()))
        << "end " << end;
  }
}

TEST_F(BatchBuilderTest, BytesAfterTheLastRowAreAnError) {
  const Value v = ObjectOf("T", {{"X", Value::Integer(kInt, 1)}});
  const PageBytes page =
      Page({Encoded(Value::Integer(kLong, 1), v), Encoded(Value::Integer(kLong, 2), v)});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  EXPECT_THAT(builder.AppendRows(page.frame, page.begin, page.end, 1, 0),
              StatusIs(absl::StatusCode::kDataLoss, "unexpected bytes after its 1 rows"));
  BatchBuilder builder2(schema, types_);
  EXPECT_THAT(builder2.AppendRows(page.frame, page.begin, page.end + 1, 2, 0),
              StatusIs(absl::StatusCode::kDataLoss, "1 unexpected bytes"));
}

TEST_F(BatchBuilderTest, CorruptLengthsInsideLeavesAreErrors) {
  const Value v = ObjectOf("T", {{"S", Value::String("abc")}, {"L", Value::StringArray({"x"})}});
  const PageBytes page = Page({Encoded(Value::Integer(kLong, 1), v)});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  // Find the string field's length (after key 9 bytes + header 24 + code 1) and corrupt it.
  for (int32_t bad : {-1, 1000, std::numeric_limits<int32_t>::max()}) {
    PageBytes corrupt = page;
    const size_t at = page.begin + 9 + 24 + 1;
    for (int i = 0; i < 4; ++i) {
      corrupt.frame[at + i] = static_cast<uint8_t>(static_cast<uint32_t>(bad) >> (8 * i));
    }
    BatchBuilder builder(schema, types_);
    EXPECT_THAT(Append(builder, corrupt), StatusIs(absl::StatusCode::kDataLoss, "val.S")) << bad;
  }
}

// Found by page_decoder_fuzzer (UBSan: signed overflow in ms * 1000000): a timestamp whose
// nanoseconds do not fit int64 is a schema error naming the field, not undefined behaviour.
TEST_F(BatchBuilderTest, TimestampBeyondInt64NanosecondsIsAnError) {
  const Bytes frame = {
      0x02, 0x00, 0x00, 0x00,                                // 2 rows
      0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // key 1L
      0x21, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // timestamp 1 ms
      0x05, 0x00, 0x00, 0x00,                                // + 5 ns
      0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // key 2L
      0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21, 0x21,  // 2387225703656530209 ms
      0x00, 0x00, 0x00, 0x00,                                //
      0x00};                                                 // more = false
  const PageBytes page{frame, 4, frame.size() - 1, 2};
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  absl::Status s = Append(builder, page);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          "row 1 (key 2): val: timestamp 75650141-01-29T15:42:10.209000000Z does "
                          "not fit int64 nanoseconds"));
  EXPECT_THAT(s, HasHint("timestamp_unit", "us"));
  EXPECT_NE(GetErrorKind(s), ErrorKind::kSchema);  // not a row to skip: its structure fits
  // Too far for microseconds as well: the hint is milliseconds.
  ApplyColumnOptions(DecimalMode::kFloat64, TimestampUnit::kMicroseconds, &schema);
  BatchBuilder micros(schema, types_);
  EXPECT_THAT(Append(micros, page), HasHint("timestamp_unit", "ms"));
  ApplyColumnOptions(DecimalMode::kFloat64, TimestampUnit::kMilliseconds, &schema);
  BatchBuilder millis(schema, types_);
  ASSERT_THAT(Append(millis, page), IsOk());
  EXPECT_THAT(Fixed<int64_t>(Col(millis.Finish(), "val")), ElementsAre(1, 2387225703656530209));
  ApplyColumnOptions(DecimalMode::kFloat64, TimestampUnit::kNanoseconds, &schema);
  BatchBuilder nanos(schema, types_);
  ASSERT_THAT(nanos.AppendRows(frame, 4, 4 + 9 + 13, 1, 0), IsOk());
  Batch batch = nanos.Finish();
  ASSERT_EQ(batch.columns.size(), 2u);
  EXPECT_EQ(reinterpret_cast<const int64_t*>(batch.columns[1].data->data())[0], 1000005);
}

// The sentinels Java code stores for "no date": 0001-01-01 and 9999-12-31T23:59:59.999999999.
TEST_F(BatchBuilderTest, FarTimestampsReadInMicrosecondsAndMilliseconds) {
  const int64_t kFirst = -62135596800000;  // 0001-01-01T00:00:00Z in ms
  const int64_t kLast = 253402300799999;   // 9999-12-31T23:59:59.999Z in ms
  const PageBytes page = Page({
      Encoded(Value::Integer(kLong, 1), Value::Timestamp(kFirst, 0)),
      Encoded(Value::Integer(kLong, 2), Value::Timestamp(kLast, 999999)),
      Encoded(Value::Integer(kLong, 3), Value::Timestamp(-1, 1)),  // 1969-12-31T23:59:59.999000001
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder nanos(schema, types_);
  EXPECT_THAT(Append(nanos, page),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "row 0 (key 1): val: timestamp 0001-01-01T00:00:00.000000000Z does not "
                       "fit int64 nanoseconds since the epoch (years 1677 to 2262); read it in a "
                       "coarser unit"));
  BatchBuilder nanos_again(schema, types_);
  EXPECT_THAT(Append(nanos_again, page), HasHint("timestamp_unit", "us"));
  ApplyColumnOptions(DecimalMode::kFloat64, TimestampUnit::kMicroseconds, &schema);
  BatchBuilder micros(schema, types_);
  ASSERT_THAT(Append(micros, page), IsOk());
  EXPECT_THAT(Fixed<int64_t>(Col(micros.Finish(), "val")),
              ElementsAre(kFirst * 1000, kLast * 1000 + 999, -1000));
  ApplyColumnOptions(DecimalMode::kFloat64, TimestampUnit::kMilliseconds, &schema);
  BatchBuilder millis(schema, types_);
  ASSERT_THAT(Append(millis, page), IsOk());
  EXPECT_THAT(Fixed<int64_t>(Col(millis.Finish(), "val")), ElementsAre(kFirst, kLast, -1));

  const PageBytes last = Page({Encoded(Value::Integer(kLong, 7), Value::Timestamp(kLast, 999999))});
  ApplyColumnOptions(DecimalMode::kFloat64, TimestampUnit::kNanoseconds, &schema);
  BatchBuilder again(schema, types_);
  EXPECT_THAT(Append(again, last, 40),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "row 40 (key 7): val: timestamp 9999-12-31T23:59:59.999999999Z"));
  // The skip mode leaves out rows of another structure, not values out of range.
  BatchBuilder skipping(schema, types_);
  skipping.set_skip_mismatched(true);
  EXPECT_FALSE(Append(skipping, last).ok());
}

TEST_F(BatchBuilderTest, TimestampArraysFollowTheUnit) {
  const int64_t kLast = 253402300799999;
  const PageBytes page =
      Page({Encoded(Value::Integer(kLong, 1),
                    Value::Items(kTimestampArray, {Value::Timestamp(kLast, 5), Value::Null(),
                                                   Value::Timestamp(1, 2000)}))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder nanos(schema, types_);
  EXPECT_THAT(Append(nanos, page), StatusIs(absl::StatusCode::kInvalidArgument,
                                            "val: timestamp 9999-12-31T23:59:59.999000005Z"));
  ApplyColumnOptions(DecimalMode::kFloat64, TimestampUnit::kMicroseconds, &schema);
  BatchBuilder micros(schema, types_);
  ASSERT_THAT(Append(micros, page), IsOk());
  EXPECT_THAT(Lists<int64_t>(Col(micros.Finish(), "val")),
              ElementsAre(ElementsAre(kLast * 1000, 0, 1002)));
}

// Decimals as exact text: alone, in Decimal[], in a collection and as map values; nulls are "".
TEST_F(BatchBuilderTest, DecimalsAsStringsKeepTheExactValue) {
  auto dec = [](const std::string& text) { return Value::Decimal(text, 0); };
  auto row = [&](int64_t key, const std::string& a, const std::string& b) {
    return Encoded(
        Value::Integer(kLong, key),
        ObjectOf("Prices", {{"P", dec(a)},
                            {"PS", Value::Items(kDecimalArray, {dec(b), Value::Null()})},
                            {"C", Value::Items(kCollection, {dec(a), dec(b)}, 1)},
                            {"M", Value::Items(kMap, {Value::String("k"), dec(b)}, 1)}}));
  };
  const PageBytes page = Page({row(1, "-12.3400", "1E+3"), row(2, "0.00", "1E-7"),
                               row(3, "123456789012345678901234567890.5", "-0.000001")});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  {
    BatchBuilder floats(schema, types_);
    ASSERT_THAT(Append(floats, page), IsOk());
    Batch batch = floats.Finish();
    EXPECT_THAT(Fixed<double>(Col(batch, "val.P")),
                ElementsAre(-12.34, 0.0, 123456789012345678901234567890.5));
    EXPECT_THAT(
        Lists<double>(Col(batch, "val.PS")),
        ElementsAre(ElementsAre(1000.0, 0.0), ElementsAre(1e-7, 0.0), ElementsAre(-0.000001, 0.0)));
  }
  ApplyColumnOptions(DecimalMode::kString, TimestampUnit::kNanoseconds, &schema);
  EXPECT_EQ(schema.value.Child("P")->element, ElementType::kString);
  BatchBuilder strings(schema, types_);
  ASSERT_THAT(Append(strings, page), IsOk());
  Batch batch = strings.Finish();
  EXPECT_THAT(Strings(Col(batch, "val.P")),
              ElementsAre("-12.3400", "0.00", "123456789012345678901234567890.5"));
  EXPECT_THAT(
      StringLists(Col(batch, "val.PS")),
      ElementsAre(ElementsAre("1E+3", ""), ElementsAre("1E-7", ""), ElementsAre("-0.000001", "")));
  EXPECT_THAT(StringLists(Col(batch, "val.C")),
              ElementsAre(ElementsAre("-12.3400", "1E+3"), ElementsAre("0.00", "1E-7"),
                          ElementsAre("123456789012345678901234567890.5", "-0.000001")));
  EXPECT_THAT(StringLists(Col(batch, "val.M.values")),
              ElementsAre(ElementsAre("1E+3"), ElementsAre("1E-7"), ElementsAre("-0.000001")));
}

// A Binarylizable object: named fields, then what writeBinary wrote through rawWriter(), which
// reads into the "$raw" column (empty for objects without a raw section).
TEST_F(BatchBuilderTest, RawDataSectionsReadAsBytes) {
  const int32_t type_id = BinaryNameId("Blob");
  types_->Add(MakeType(type_id, "Blob", {{"id", kInt, 0}}, {{0x51, {BinaryNameId("id")}}}));
  auto blob = [&](int32_t id, Bytes raw, bool compact) {
    HandObject h;
    h.type_id = type_id;
    h.schema_id = 0x51;
    h.compact = compact;
    h.Field(BinaryNameId("id"), TInt(id));
    h.raw = std::move(raw);
    return h.Build();
  };
  HandObject only_raw;  // no named fields at all: the header's offset points at the raw data
  only_raw.type_id = type_id;
  only_raw.raw = Bytes{9, 8, 7};
  const PageBytes page = Page({RawRow(TLong(1), blob(10, Bytes{0x01, 0x00, 0xFF, 'x'}, true)),
                               RawRow(TLong(2), blob(20, Bytes{}, true)),  // no raw section
                               RawRow(TLong(3), blob(30, Bytes{0x42}, false)),
                               RawRow(TLong(4), only_raw.Build()), RawRow(TLong(5), TNull())});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  ASSERT_NE(schema.value.Child("$raw"), nullptr);
  BatchBuilder builder(schema, types_, /*masks=*/true);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  EXPECT_THAT(Fixed<int32_t>(Col(batch, "val.id")), ElementsAre(10, 20, 30, 0, 0));
  EXPECT_THAT(Strings(Col(batch, "val.$raw")), ElementsAre(std::string("\x01\x00\xFF"
                                                                       "x",
                                                                       4),
                                                           "", "\x42", "\x09\x08\x07", ""));
  const AlignedBuffer& valid = *Col(batch, "val.$raw").valid;
  EXPECT_THAT(std::vector<uint8_t>(valid.data(), valid.data() + valid.size()),
              ElementsAre(1, 0, 1, 1, 0));
}

// Objects with raw data inside an object array: "$raw" becomes a list of bytes per row.
TEST_F(BatchBuilderTest, RawDataSectionsOfObjectsInAList) {
  const int32_t type_id = BinaryNameId("Blob");
  types_->Add(MakeType(type_id, "Blob", {{"id", kInt, 0}}, {{0x51, {BinaryNameId("id")}}}));
  auto blob = [&](int32_t id, Bytes raw) {
    HandObject h;
    h.type_id = type_id;
    h.schema_id = 0x51;
    h.Field(BinaryNameId("id"), TInt(id));
    h.raw = std::move(raw);
    return h.Build();
  };
  auto list = [&](std::vector<Bytes> items) {
    Bytes out = ByteBuilder().U8(kObjectArray).I32(-1).I32(static_cast<int32_t>(items.size()));
    for (const Bytes& item : items) out.insert(out.end(), item.begin(), item.end());
    return out;
  };
  const PageBytes page =
      Page({RawRow(TLong(1), list({blob(1, Bytes{0xAA}), blob(2, Bytes{}), TNull()})),
            RawRow(TLong(2), list({})), RawRow(TLong(3), list({blob(3, Bytes{0xBB, 0xCC})}))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  EXPECT_THAT(Lists<int32_t>(Col(batch, "val.id")),
              ElementsAre(ElementsAre(1, 2, 0), IsEmpty(), ElementsAre(3)));
  EXPECT_THAT(StringLists(Col(batch, "val.$raw")),
              ElementsAre(ElementsAre("\xAA", "", ""), IsEmpty(), ElementsAre("\xBB\xCC")));
}

TEST_F(BatchBuilderTest, ObjectsWithoutRawDataHaveNoRawColumn) {
  const PageBytes page = Page({Encoded(Value::Integer(kLong, 1), Kitten("Tom", 3, 4.5, {}, {}))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  EXPECT_EQ(schema.value.Child("$raw"), nullptr);
}

TEST_F(BatchBuilderTest, NestedStringArraysAreRejectedBeforeTheyAreSkipped) {
  // A key column of string[]; the second row's key nests string[] in string[] very deeply. The
  // leaf decoder must reject it before SkipValue recurses into it.
  const PageBytes first = Page({Encoded(Value::StringArray({"a"}), Value::Integer(kInt, 1))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(first));
  ByteBuilder deep;
  for (int i = 0; i < 200000; ++i) deep.U8(kStringArray).I32(1);
  deep.Append(TNull());
  const PageBytes page = Page({RawRow(deep, TInt(2))});
  BatchBuilder builder(schema, types_);
  EXPECT_THAT(Append(builder, page), StatusIs(absl::StatusCode::kDataLoss, "is string[] (20)"));
}

TEST_F(BatchBuilderTest, HandleChainsBeyondTheLimitAreErrors) {
  const PageBytes first = Page({Encoded(Value::Integer(kLong, 1), Value::Integer(kInt, 1))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(first));
  // Row: key long, value = int followed by 100 handles? Values are single; build the value as a
  // handle into a chain that precedes the rows (inside the page header area).
  ByteBuilder frame;
  frame.Append(TInt(5));
  for (int i = 0; i < kMaxNestingDepth + 5; ++i) frame.Append(THandle(5));
  const size_t begin = frame.size();
  frame.Append(TLong(1)).Append(THandle(5 + 9));  // points at the last handle of the chain
  const size_t end = frame.size();
  frame.U8(0);
  BatchBuilder builder(schema, types_);
  EXPECT_THAT(builder.AppendRows(frame.Build(), begin, end, 1, 0),
              StatusIs(absl::StatusCode::kDataLoss, "nesting deeper than 64"));
}

TEST_F(BatchBuilderTest, HandlePointingForwardIsAnError) {
  const PageBytes first = Page({Encoded(Value::Integer(kLong, 1), Value::Integer(kInt, 1))});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(first));
  const PageBytes page = Page({RawRow(TLong(1), THandle(-3))});
  BatchBuilder builder(schema, types_);
  EXPECT_THAT(Append(builder, page), StatusIs(absl::StatusCode::kDataLoss, "handle offset -3"));
}

// Every single-byte corruption of a one-row page decodes or fails cleanly (and, under ASan, without
// reading outside the buffer).
TEST_F(BatchBuilderTest, SingleByteCorruptionsFailCleanly) {
  const PageBytes page = Page({
      Encoded(Value::Integer(kLong, 10), Kitten("Tom", 3, 4.5, {"a", std::nullopt}, {1, 2})),
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  static constexpr uint8_t kSet[] = {0x00, 0x01, 0x66, 0x67, 0x7F, 0x80, 0xFF};
  for (size_t i = page.begin; i < page.end; ++i) {
    for (uint8_t value : kSet) {
      PageBytes corrupt = page;
      corrupt.frame[i] = value;
      BatchBuilder builder(schema, types_);
      absl::Status s = Append(builder, corrupt);
      if (!s.ok()) {
        EXPECT_THAT(s.code(), ::testing::AnyOf(absl::StatusCode::kDataLoss,
                                               absl::StatusCode::kInvalidArgument,
                                               absl::StatusCode::kUnimplemented))
            << s;
      }
    }
  }
}

// Regression (fixed in core/columnar/batch_builder.cc, PlanFor/DecodeStruct): plans for
// compact footers are cached per (node, type id, schema id); a later object with the same ids but
// a shorter footer must fail with a protocol error, not read footer entries past its end (a
// heap-buffer-overflow under ASan) or "decode" wrong data. Here the bytes after the page make
// every missing entry point at F0's value.
TEST_F(BatchBuilderTest, CachedPlanIsNotAppliedToAShorterFooter) {
  const int32_t type = BinaryNameId("Wide");
  std::vector<int32_t> ids;
  std::vector<::ignite_tf::testing::FieldSpec> fields;
  HandObject wide;
  wide.type_id = type;
  wide.schema_id = 0x99;
  wide.offset_size = 4;
  for (int i = 0; i < 8; ++i) {
    std::string name = absl::StrCat("F", i);
    ids.push_back(BinaryNameId(name));
    fields.push_back({name, kInt, 0});
    wide.Field(BinaryNameId(name), TInt(100 + i));
  }
  types_->Add(MakeType(type, "Wide", fields, {{0x99, ids}}));
  const PageBytes first = Page({RawRow(TInt(1), wide.Build())});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(first));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, first), IsOk());

  HandObject narrow = wide;
  narrow.fields.resize(1);  // same type and schema id, one footer entry
  ByteBuilder frame;
  frame.Append(TInt(2)).Append(narrow.Build());
  const size_t end = frame.size();
  for (int i = 0; i < 7; ++i) frame.U32(24);  // beyond the page: "offsets" of F1..F7
  EXPECT_THAT(builder.AppendRows(frame.Build(), 0, end, 1, 1),
              StatusIs(absl::StatusCode::kDataLoss));
}

// Found by page_decoder_fuzzer (ASan: heap-use-after-free): DecodeStruct held a pointer to its
// cached plan while decoding a nested object, whose new schema added a plan and rehashed the cache.
TEST_F(BatchBuilderTest, PlansAddedByNestedObjectsKeepTheOuterPlanValid) {
  std::vector<Row> rows;
  for (int i = 0; i < 40; ++i) {
    std::vector<std::pair<std::string, Value>> inner_fields;
    for (int f = 0; f <= i; ++f) {
      inner_fields.emplace_back(absl::StrCat("F", f), Value::Integer(kInt, f));
    }
    rows.push_back(Encoded(Value::Integer(kInt, i),
                           ObjectOf("Outer", {{"A", ObjectOf("Inner", std::move(inner_fields))},
                                              {"Z", Value::Integer(kInt, 1000 + i)}})));
  }
  const PageBytes page = Page(rows);
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  std::vector<int32_t> z = Fixed<int32_t>(Col(batch, "val.Z"));
  ASSERT_EQ(z.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(z[i], 1000 + i);
  EXPECT_THAT(Fixed<int32_t>(Col(batch, "val.A.F0")), ::testing::Each(0));
}

// SQL fields rows: one value per query column, scalars read by copying their bytes, a string and
// nulls among them.
TEST_F(BatchBuilderTest, SqlRowsDecodeAndEveryTruncationFails) {
  const std::vector<std::string> columns = {"ID", "NAME", "X", "D", "DAY", "C"};
  const std::vector<std::vector<Value>> rows = {
      {Value::Integer(kLong, 1), Value::String("a"), Value::Integer(kInt, 7),
       Value::Real(kDouble, 0.5), Value::Integer(kDate, 86400000), Value::Integer(kChar, 'c')},
      {Value::Integer(kLong, 2), Value::Null(), Value::Integer(kInt, -3), Value::Real(kDouble, 1.5),
       Value::Null(), Value::Integer(kChar, 'd')},
  };
  Writer w;
  w.WriteInt64(0x1234);
  const size_t begin = w.size();
  for (const std::vector<Value>& row : rows) {
    for (const Value& v : row) ASSERT_THAT(encoder_.Encode(v, w), IsOk());
  }
  const size_t end = w.size();
  w.WriteBool(false);
  const Bytes frame = w.Release();
  ASSERT_OK_AND_ASSIGN(RowSchema schema, InferSqlSchema(columns, rows, types_.get()));

  BatchBuilder builder(schema, types_);
  ASSERT_THAT(builder.AppendSqlRows(frame, begin, end, 2, 0), IsOk());
  const Batch batch = builder.Finish();
  EXPECT_THAT(Fixed<int64_t>(Col(batch, "ID")), ElementsAre(1, 2));
  EXPECT_THAT(Strings(Col(batch, "NAME")), ElementsAre("a", ""));
  EXPECT_THAT(Fixed<int32_t>(Col(batch, "X")), ElementsAre(7, -3));
  EXPECT_THAT(Fixed<double>(Col(batch, "D")), ElementsAre(0.5, 1.5));
  EXPECT_THAT(Fixed<int64_t>(Col(batch, "DAY")), ElementsAre(86400000, 0));
  EXPECT_THAT(Fixed<uint16_t>(Col(batch, "C")), ElementsAre('c', 'd'));

  for (size_t cut = begin; cut < end; ++cut) {
    BatchBuilder short_end(schema, types_);
    EXPECT_THAT(short_end.AppendSqlRows(frame, begin, cut, 2, 0),
                StatusIs(absl::StatusCode::kDataLoss))
        << "end " << cut;
    const Bytes cut_frame(frame.begin(), frame.begin() + cut);
    BatchBuilder short_buffer(schema, types_);
    EXPECT_THAT(short_buffer.AppendSqlRows(cut_frame, begin, cut, 2, 0), Not(IsOk()))
        << "end " << cut;
  }
}

TEST_F(BatchBuilderTest, SqlSingleByteCorruptionsFailCleanly) {
  const std::vector<std::string> columns = {"ID", "NAME", "X", "D", "DAY", "T"};
  const std::vector<Value> row = {Value::Integer(kLong, 1),   Value::String("ab"),
                                  Value::Integer(kInt, 7),    Value::Real(kDouble, 0.5),
                                  Value::Integer(kDate, 864), Value::Timestamp(5, 6)};
  ASSERT_OK_AND_ASSIGN(RowSchema schema, InferSqlSchema(columns, {row}, types_.get()));
  Writer w;
  for (const Value& v : row) ASSERT_THAT(encoder_.Encode(v, w), IsOk());
  const size_t end = w.size();
  const Bytes frame = w.Release();
  static constexpr uint8_t kSet[] = {0x00, 0x01, 0x03, 0x04, 0x09, 0x65, 0x66, 0x7F, 0x80, 0xFF};
  for (size_t i = 0; i < end; ++i) {
    for (uint8_t value : kSet) {
      Bytes corrupt = frame;
      corrupt[i] = value;
      BatchBuilder builder(schema, types_);
      absl::Status s = builder.AppendSqlRows(corrupt, 0, end, 1, 0);
      if (!s.ok()) {
        EXPECT_THAT(s.code(), ::testing::AnyOf(absl::StatusCode::kDataLoss,
                                               absl::StatusCode::kInvalidArgument,
                                               absl::StatusCode::kUnimplemented))
            << s;
      }
    }
  }
}

TEST_F(BatchBuilderTest, SqlColumnOfAnotherTypeIsASchemaError) {
  const std::vector<std::string> columns = {"ID", "X"};
  ASSERT_OK_AND_ASSIGN(
      RowSchema schema,
      InferSqlSchema(columns, {{Value::Integer(kLong, 1), Value::Integer(kInt, 7)}}, types_.get()));
  Writer w;
  ASSERT_THAT(encoder_.Encode(Value::Integer(kLong, 1), w), IsOk());
  ASSERT_THAT(encoder_.Encode(Value::Integer(kLong, 7), w), IsOk());  // X was an int
  const size_t end = w.size();
  const Bytes frame = w.Release();
  BatchBuilder builder(schema, types_);
  const absl::Status s = builder.AppendSqlRows(frame, 0, end, 1, 5);
  EXPECT_THAT(s, ErrorKindIs(ErrorKind::kSchema));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("X holds"));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("row 5"));
}

TEST_F(BatchBuilderTest, SqlColumnGivenAnotherTypeNamesTheColumnAndBothTypes) {
  ASSERT_OK_AND_ASSIGN(
      SqlSchemaLearner learner,
      SqlSchemaLearner::Create({"ID", "SCORE"}, {{"SCORE", kDouble}}, types_.get()));
  ASSERT_THAT(learner.Add({{Value::Integer(kLong, 1), Value::Null()}}), IsOk());
  ASSERT_OK_AND_ASSIGN(RowSchema schema, learner.Finish(""));
  Writer w;
  ASSERT_THAT(encoder_.Encode(Value::Integer(kLong, 1), w), IsOk());
  ASSERT_THAT(encoder_.Encode(Value::Null(), w), IsOk());  // a NULL fits any given type
  ASSERT_THAT(encoder_.Encode(Value::Integer(kLong, 2), w), IsOk());
  ASSERT_THAT(encoder_.Encode(Value::Real(kDouble, 2.5), w), IsOk());
  const size_t two_rows = w.size();
  ASSERT_THAT(encoder_.Encode(Value::Integer(kLong, 3), w), IsOk());
  ASSERT_THAT(encoder_.Encode(Value::Integer(kInt, 7), w), IsOk());  // SCORE is an int here
  const size_t end = w.size();
  const Bytes frame = w.Release();
  BatchBuilder builder(schema, types_, /*masks=*/true);
  const absl::Status s = builder.AppendSqlRows(frame, 0, end, 3, 10);
  EXPECT_THAT(s, ErrorKindIs(ErrorKind::kSchema));
  EXPECT_THAT(
      std::string(s.message()),
      ::testing::HasSubstr("column SCORE holds int (3) but its given column type is a double (6)"));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("row 12"));

  BatchBuilder good(schema, types_, /*masks=*/true);
  ASSERT_THAT(good.AppendSqlRows(frame, 0, two_rows, 2, 0), IsOk());
  const Batch batch = good.Finish();
  EXPECT_THAT(Fixed<double>(Col(batch, "SCORE")), ElementsAre(0.0, 2.5));
}

// ---------------------------------------------------------------------------------------------
// Lists of lists: arrays, maps and containers inside object arrays and collections.

namespace nested {

// Offsets of `level` (0: rows) of a column.
std::vector<int64_t> LevelOffsets(const Column& c, int level) {
  return Offsets(level == 0 ? *c.offsets : *c.inner_offsets[level - 1]);
}

// rows -> lists -> values of a two-level fixed-width column.
template <typename T>
std::vector<std::vector<std::vector<T>>> Lists2(const Column& c) {
  EXPECT_EQ(c.list_depth, 2) << c.path;
  std::vector<int64_t> rows = LevelOffsets(c, 0);
  std::vector<int64_t> lists = LevelOffsets(c, 1);
  std::vector<T> flat = Fixed<T>(c);
  std::vector<std::vector<std::vector<T>>> out;
  for (size_t r = 0; r + 1 < rows.size(); ++r) {
    std::vector<std::vector<T>> row;
    for (int64_t l = rows[r]; l < rows[r + 1]; ++l) {
      row.emplace_back(flat.begin() + lists[l], flat.begin() + lists[l + 1]);
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<std::vector<std::vector<std::string>>> StringLists2(const Column& c) {
  EXPECT_EQ(c.list_depth, 2) << c.path;
  std::vector<int64_t> rows = LevelOffsets(c, 0);
  std::vector<int64_t> lists = LevelOffsets(c, 1);
  std::vector<int64_t> bytes = Offsets(*c.string_offsets);
  std::vector<std::vector<std::vector<std::string>>> out;
  for (size_t r = 0; r + 1 < rows.size(); ++r) {
    std::vector<std::vector<std::string>> row;
    for (int64_t l = rows[r]; l < rows[r + 1]; ++l) {
      std::vector<std::string> list;
      for (int64_t s = lists[l]; s < lists[l + 1]; ++s) {
        list.emplace_back(reinterpret_cast<const char*>(c.data->data()) + bytes[s],
                          bytes[s + 1] - bytes[s]);
      }
      row.push_back(std::move(list));
    }
    out.push_back(std::move(row));
  }
  return out;
}

// Every level's offsets start at 0, never decrease, and end at the next level's item count.
void ExpectConsistent(const Batch& batch) {
  for (const Column& c : batch.columns) {
    SCOPED_TRACE(c.path);
    ASSERT_EQ(c.inner_offsets.size(), static_cast<size_t>(c.list_depth > 1 ? c.list_depth - 1 : 0));
    if (c.list_depth == 0) continue;
    int64_t items = batch.num_rows;
    for (int level = 0; level < c.list_depth; ++level) {
      std::vector<int64_t> off = LevelOffsets(c, level);
      ASSERT_EQ(off.size(), static_cast<size_t>(items + 1));
      EXPECT_EQ(off.front(), 0);
      for (size_t i = 1; i < off.size(); ++i) EXPECT_LE(off[i - 1], off[i]);
      items = off.back();
    }
    const int64_t values = c.element == ElementType::kString
                               ? static_cast<int64_t>(c.string_offsets->size() / 8 - 1)
                               : static_cast<int64_t>(c.data->size() / ElementSize(c.element));
    EXPECT_EQ(values, items);
  }
}

Value IntArray(std::initializer_list<int32_t> items) {
  return Value::Array(kIntArray, Packed<int32_t>(items));
}

Value Person(Value scores, Value tags) {
  return ObjectOf("Person", {{"scores", std::move(scores)}, {"tags", std::move(tags)}});
}

Value Team(std::vector<Value> people) {
  return ObjectOf("Team", {{"people", Value::Items(kCollection, std::move(people), 1)}});
}

}  // namespace nested

TEST_F(BatchBuilderTest, ArraysInsideACollectionOfObjectsAreListsOfLists) {
  using nested::IntArray;
  using nested::Person;
  using nested::Team;
  const PageBytes page = Page({
      Encoded(Value::Integer(kLong, 1),
              Team({Person(IntArray({1, 2}), Value::StringArray({"a", "bb"})),
                    Person(IntArray({}), Value::StringArray({})),
                    Person(IntArray({3}), Value::StringArray({std::nullopt, "c"}))})),
      Encoded(Value::Integer(kLong, 2), Team({})),
      // A null person, and a person whose arrays are null.
      Encoded(Value::Integer(kLong, 3),
              Team({Value::Null(), Person(Value::Null(), Value::Null()),
                    Person(IntArray({4, 5, 6}), Value::StringArray({"d"}))})),
      Encoded(Value::Integer(kLong, 4), ObjectOf("Team", {{"people", Value::Null()}})),
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  EXPECT_THAT(schema.column_paths, ElementsAre("key", "val.people.scores", "val.people.tags"));
  const SchemaNode* people = schema.value.Child("people");
  ASSERT_NE(people, nullptr);
  EXPECT_EQ(people->list_depth, 1);
  EXPECT_EQ(people->Child("scores")->list_depth, 2);
  EXPECT_EQ(people->Child("tags")->list_depth, 2);
  BatchBuilder builder(schema, types_, /*masks=*/true);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  ASSERT_EQ(batch.num_rows, 4);
  nested::ExpectConsistent(batch);
  const Column& scores = Col(batch, "val.people.scores");
  EXPECT_EQ(scores.element, ElementType::kInt32);
  EXPECT_THAT(nested::LevelOffsets(scores, 0), ElementsAre(0, 3, 3, 6, 6));  // people per row
  EXPECT_THAT(nested::Lists2<int32_t>(scores),
              ElementsAre(ElementsAre(ElementsAre(1, 2), IsEmpty(), ElementsAre(3)), IsEmpty(),
                          ElementsAre(IsEmpty(), IsEmpty(), ElementsAre(4, 5, 6)), IsEmpty()));
  EXPECT_THAT(
      nested::StringLists2(Col(batch, "val.people.tags")),
      ElementsAre(ElementsAre(ElementsAre("a", "bb"), IsEmpty(), ElementsAre("", "c")), IsEmpty(),
                  ElementsAre(IsEmpty(), IsEmpty(), ElementsAre("d")), IsEmpty()));
  // Masks are per row: only the row whose collection was null is missing.
  std::vector<uint8_t> valid(4);
  std::memcpy(valid.data(), scores.valid->data(), 4);
  EXPECT_THAT(valid, ElementsAre(1, 1, 1, 0));
}

TEST_F(BatchBuilderTest, ObjectArraysOfArraysAndCollectionsOfCollections) {
  using nested::IntArray;
  auto grid = [](Value rows, Value words) {
    return ObjectOf("Grid", {{"rows", std::move(rows)}, {"words", std::move(words)}});
  };
  auto strings = [](std::vector<Value> items) {
    return Value::Items(kCollection, std::move(items), 1);
  };
  const PageBytes page = Page({
      // The first inner collection is empty: the element type comes from the next one.
      Encoded(Value::Integer(kInt, 1),
              grid(Value::Items(kObjectArray, {IntArray({1, 2}), Value::Null(), IntArray({})}),
                   strings({strings({}), strings({Value::String("x"), Value::Null()})}))),
      Encoded(Value::Integer(kInt, 2),
              grid(Value::Items(kObjectArray, {}), strings({Value::Null(), strings({})}))),
      Encoded(Value::Integer(kInt, 3),
              grid(Value::Items(kCollection, {IntArray({7})}, 1),
                   // An Object[] where the first row had a collection is as good.
                   Value::Items(kObjectArray, {Value::Items(kObjectArray, {Value::String("y")})}))),
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  const SchemaNode* rows = schema.value.Child("rows");
  ASSERT_NE(rows, nullptr);
  EXPECT_EQ(rows->list_depth, 2);
  EXPECT_EQ(rows->container_code, kIntArray);
  EXPECT_EQ(schema.value.Child("words")->list_depth, 2);
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  nested::ExpectConsistent(batch);
  EXPECT_THAT(nested::Lists2<int32_t>(Col(batch, "val.rows")),
              ElementsAre(ElementsAre(ElementsAre(1, 2), IsEmpty(), IsEmpty()), IsEmpty(),
                          ElementsAre(ElementsAre(7))));
  EXPECT_THAT(nested::StringLists2(Col(batch, "val.words")),
              ElementsAre(ElementsAre(IsEmpty(), ElementsAre("x", "")),
                          ElementsAre(IsEmpty(), IsEmpty()), ElementsAre(ElementsAre("y"))));
}

TEST_F(BatchBuilderTest, MapsAndObjectArraysInsideACollectionNestAnyDepth) {
  using nested::IntArray;
  auto address = [](int32_t zip, Value codes) {
    return ObjectOf("Address", {{"zip", Value::Integer(kInt, zip)}, {"codes", std::move(codes)}});
  };
  auto person = [](Value attrs, std::vector<Value> addresses) {
    return ObjectOf("Owner", {{"attrs", std::move(attrs)},
                              {"homes", Value::Items(kObjectArray, std::move(addresses))}});
  };
  auto map = [](std::vector<Value> items) { return Value::Items(kMap, std::move(items), 1); };
  auto owners = [](std::vector<Value> people) {
    return ObjectOf("Owners", {{"people", Value::Items(kCollection, std::move(people), 1)}});
  };
  const PageBytes page = Page({
      Encoded(Value::Integer(kInt, 1),
              owners({person(map({Value::String("k"), Value::Real(kDouble, 1.5)}),
                             {address(10, IntArray({1, 2})), address(11, IntArray({}))}),
                      person(map({}), {})})),
      Encoded(Value::Integer(kInt, 2),
              owners({person(Value::Null(), {address(12, Value::Null())}),
                      person(map({Value::String("a"), Value::Null(), Value::String("b"),
                                  Value::Real(kDouble, 2)}),
                             {address(13, IntArray({3}))})})),
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  EXPECT_THAT(schema.column_paths,
              ElementsAre("key", "val.people.attrs.keys", "val.people.attrs.values",
                          "val.people.homes.codes", "val.people.homes.zip"));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  nested::ExpectConsistent(batch);
  EXPECT_THAT(nested::StringLists2(Col(batch, "val.people.attrs.keys")),
              ElementsAre(ElementsAre(ElementsAre("k"), IsEmpty()),
                          ElementsAre(IsEmpty(), ElementsAre("a", "b"))));
  EXPECT_THAT(nested::Lists2<double>(Col(batch, "val.people.attrs.values")),
              ElementsAre(ElementsAre(ElementsAre(1.5), IsEmpty()),
                          ElementsAre(IsEmpty(), ElementsAre(0, 2))));
  EXPECT_THAT(nested::Lists2<int32_t>(Col(batch, "val.people.homes.zip")),
              ElementsAre(ElementsAre(ElementsAre(10, 11), IsEmpty()),
                          ElementsAre(ElementsAre(12), ElementsAre(13))));
  // Three levels: rows -> people -> homes -> codes.
  const Column& codes = Col(batch, "val.people.homes.codes");
  ASSERT_EQ(codes.list_depth, 3);
  EXPECT_THAT(nested::LevelOffsets(codes, 0), ElementsAre(0, 2, 4));
  EXPECT_THAT(nested::LevelOffsets(codes, 1), ElementsAre(0, 2, 2, 3, 4));
  EXPECT_THAT(nested::LevelOffsets(codes, 2), ElementsAre(0, 2, 2, 2, 3));
  EXPECT_THAT(Fixed<int32_t>(codes), ElementsAre(1, 2, 3));
}

TEST_F(BatchBuilderTest, NestedListsStartAfreshAfterABatchBoundary) {
  using nested::IntArray;
  using nested::Person;
  using nested::Team;
  auto row = [](int64_t key, int32_t n) {
    std::vector<Value> people;
    for (int32_t i = 0; i < n; ++i) {
      people.push_back(Person(IntArray({i, n}), Value::StringArray({std::string(i, 'x')})));
    }
    return Encoded(Value::Integer(kLong, key), Team(std::move(people)));
  };
  const PageBytes first = Page({row(1, 2), row(2, 1)});
  const PageBytes second = Page({row(3, 0), row(4, 3)});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(first));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, first), IsOk());
  Batch a = builder.Finish();
  ASSERT_THAT(Append(builder, second, 2), IsOk());
  Batch b = builder.Finish();
  nested::ExpectConsistent(a);
  nested::ExpectConsistent(b);
  EXPECT_THAT(nested::Lists2<int32_t>(Col(a, "val.people.scores")),
              ElementsAre(ElementsAre(ElementsAre(0, 2), ElementsAre(1, 2)),
                          ElementsAre(ElementsAre(0, 1))));
  EXPECT_THAT(nested::LevelOffsets(Col(b, "val.people.scores"), 1), ElementsAre(0, 2, 4, 6));
  EXPECT_THAT(
      nested::Lists2<int32_t>(Col(b, "val.people.scores")),
      ElementsAre(IsEmpty(), ElementsAre(ElementsAre(0, 3), ElementsAre(1, 3), ElementsAre(2, 3))));
  EXPECT_THAT(
      nested::StringLists2(Col(b, "val.people.tags")),
      ElementsAre(IsEmpty(), ElementsAre(ElementsAre(""), ElementsAre("x"), ElementsAre("xx"))));
  // The first batch's buffers were handed out whole.
  EXPECT_THAT(nested::LevelOffsets(Col(a, "val.people.scores"), 1), ElementsAre(0, 2, 4, 6));
}

TEST_F(BatchBuilderTest, NestedListMismatchesAreSchemaErrorsAndSkippedRowsLeaveNoTrace) {
  using nested::IntArray;
  using nested::Person;
  using nested::Team;
  const PageBytes page = Page({
      Encoded(Value::Integer(kLong, 1), Team({Person(IntArray({1}), Value::StringArray({"a"}))})),
      // scores is a long where an int[] was: a mismatch after part of the row was appended.
      Encoded(Value::Integer(kLong, 2),
              Team({Person(IntArray({2}), Value::StringArray({"b"})),
                    Person(Value::Integer(kLong, 5), Value::StringArray({"c"}))})),
      Encoded(Value::Integer(kLong, 3), Team({Person(IntArray({3}), Value::StringArray({"d"}))})),
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  {
    BatchBuilder builder(schema, types_);
    EXPECT_THAT(Append(builder, page),
                StatusIs(absl::StatusCode::kInvalidArgument, "val.people.scores holds long"));
  }
  BatchBuilder builder(schema, types_);
  builder.set_skip_mismatched(true);
  ASSERT_THAT(Append(builder, page), IsOk());
  EXPECT_EQ(builder.skipped_rows(), 1);
  Batch batch = builder.Finish();
  nested::ExpectConsistent(batch);
  EXPECT_THAT(nested::Lists2<int32_t>(Col(batch, "val.people.scores")),
              ElementsAre(ElementsAre(ElementsAre(1)), ElementsAre(ElementsAre(3))));
  EXPECT_THAT(nested::StringLists2(Col(batch, "val.people.tags")),
              ElementsAre(ElementsAre(ElementsAre("a")), ElementsAre(ElementsAre("d"))));
}

// An empty array, object array or collection is an empty list in a list column of any type (a
// Python `[]` is written as an empty String[]); a non-empty one of another type still mismatches.
TEST_F(BatchBuilderTest, EmptyContainersOfAnyTypeAreEmptyLists) {
  using nested::IntArray;
  auto bag = [](Value nums, Value names) {
    return ObjectOf("Bag", {{"nums", std::move(nums)}, {"names", std::move(names)}});
  };
  auto strings = [](std::vector<Value> items) {
    return Value::Items(kCollection, std::move(items), 1);
  };
  const PageBytes page = Page({
      Encoded(Value::Integer(kLong, 1), bag(IntArray({1, 2}), strings({Value::String("a")}))),
      Encoded(Value::Integer(kLong, 2), bag(Value::StringArray({}), IntArray({}))),
      Encoded(Value::Integer(kLong, 3),
              bag(Value::Items(kObjectArray, {}), Value::Array(kDoubleArray, {}))),
      Encoded(Value::Integer(kLong, 4), bag(strings({}), Value::Items(kObjectArray, {}))),
      Encoded(Value::Integer(kLong, 5), bag(IntArray({3}), strings({Value::String("b")}))),
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  BatchBuilder builder(schema, types_);
  ASSERT_THAT(Append(builder, page), IsOk());
  Batch batch = builder.Finish();
  EXPECT_THAT(Lists<int32_t>(Col(batch, "val.nums")),
              ElementsAre(ElementsAre(1, 2), IsEmpty(), IsEmpty(), IsEmpty(), ElementsAre(3)));
  EXPECT_THAT(StringLists(Col(batch, "val.names")),
              ElementsAre(ElementsAre("a"), IsEmpty(), IsEmpty(), IsEmpty(), ElementsAre("b")));

  const PageBytes wrong = Page({
      Encoded(Value::Integer(kLong, 1), bag(IntArray({1}), strings({Value::String("a")}))),
      Encoded(Value::Integer(kLong, 2), bag(Value::StringArray({"x"}), strings({}))),
  });
  BatchBuilder strict(schema, types_);
  EXPECT_THAT(Append(strict, wrong),
              StatusIs(absl::StatusCode::kInvalidArgument, "val.nums holds"));
}

// Every single-byte corruption of a page of lists of lists decodes into consistent columns or
// fails cleanly.
TEST_F(BatchBuilderTest, NestedListSingleByteCorruptionsFailCleanly) {
  using nested::IntArray;
  using nested::Person;
  using nested::Team;
  const PageBytes page = Page({
      Encoded(
          Value::Integer(kLong, 1),
          Team({Person(IntArray({1, 2}), Value::StringArray({"a", std::nullopt})), Value::Null()})),
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  static constexpr uint8_t kSet[] = {0x00, 0x01, 0x02, 0x65, 0x7F, 0x80, 0xFF};
  for (size_t i = page.begin; i < page.end; ++i) {
    for (uint8_t value : kSet) {
      PageBytes corrupt = page;
      corrupt.frame[i] = value;
      BatchBuilder builder(schema, types_);
      absl::Status s = Append(builder, corrupt);
      if (s.ok()) {
        nested::ExpectConsistent(builder.Finish());
      } else {
        EXPECT_THAT(s.code(), ::testing::AnyOf(absl::StatusCode::kDataLoss,
                                               absl::StatusCode::kInvalidArgument,
                                               absl::StatusCode::kUnimplemented))
            << s;
      }
    }
  }
}

// Large arrays stay in the frame they arrived in when the builder is given it: the column says
// where (views) and keeps the frame; FillViews writes them where copying would have put them.
TEST_F(BatchBuilderTest, LargeArraysAreViewedInTheFrameUntilFilled) {
  auto image = [](size_t n, uint8_t seed) {
    Bytes bytes(n);
    for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(seed + i * 7);
    return ObjectOf("Image", {{"id", Value::Integer(kInt, seed)},
                              {"pixels", Value::Array(kByteArray, std::move(bytes))}});
  };
  const PageBytes page = Page({
      Encoded(Value::Integer(kLong, 1), image(100000, 1)),
      Encoded(Value::Integer(kLong, 2), image(10, 2)),
      Encoded(Value::Integer(kLong, 3),
              ObjectOf("Image", {{"id", Value::Integer(kInt, 3)}, {"pixels", Value::Null()}})),
      Encoded(Value::Integer(kLong, 4), image(70000, 4)),
      // A long where the int was, after the array: the row is skipped with its view.
      Encoded(Value::Integer(kLong, 5),
              ObjectOf("Image", {{"pixels", Value::Array(kByteArray, Bytes(80000, 9))},
                                 {"id", Value::Integer(kLong, 5)}})),
  });
  ASSERT_OK_AND_ASSIGN(RowSchema schema, Infer(page));
  auto build = [&](bool views) {
    BatchBuilder builder(schema, types_);
    builder.set_skip_mismatched(true);
    auto frame = std::make_shared<const FrameBytes>(page.frame.begin(), page.frame.end());
    if (views) {
      builder.set_view_min_bytes(65536);
      builder.set_frame(frame);
    }
    EXPECT_THAT(builder.AppendRows(*frame, page.begin, page.end, page.rows, 0), IsOk());
    EXPECT_EQ(builder.skipped_rows(), 1);
    return std::make_pair(builder.Finish(), frame);
  };
  auto [copied, copied_frame] = build(false);
  auto [viewed, viewed_frame] = build(true);
  Column* found = nullptr;
  for (Column& c : viewed.columns) {
    if (c.path == "val.pixels") found = &c;
  }
  ASSERT_NE(found, nullptr);
  Column& pixels = *found;
  EXPECT_TRUE(Col(copied, "val.pixels").views.empty());
  ASSERT_EQ(pixels.views.size(), 2u);  // rows 1 and 4; the 10 bytes of row 2 were copied
  ASSERT_EQ(pixels.frames.size(), 1u);
  EXPECT_EQ(pixels.frames[0], viewed_frame);
  EXPECT_EQ(pixels.views[0].offset, 0u);
  EXPECT_EQ(pixels.views[0].size, 100000u);
  EXPECT_EQ(pixels.views[1].offset, 100010u);
  EXPECT_EQ(pixels.views[1].size, 70000u);
  EXPECT_GE(pixels.views[0].bytes, viewed_frame->data());
  EXPECT_LE(pixels.views[1].bytes + 70000, viewed_frame->data() + viewed_frame->size());
  EXPECT_EQ(Offsets(*pixels.offsets), Offsets(*Col(copied, "val.pixels").offsets));
  EXPECT_EQ(Offsets(*pixels.offsets), (std::vector<int64_t>{0, 100000, 100010, 100010, 170010}));
  EXPECT_EQ(std::memcmp(pixels.data->data() + 100000,
                        Col(copied, "val.pixels").data->data() + 100000, 10),
            0);
  pixels.FillViews();
  EXPECT_TRUE(pixels.views.empty());
  EXPECT_TRUE(pixels.frames.empty());
  ASSERT_EQ(pixels.data->size(), Col(copied, "val.pixels").data->size());
  EXPECT_EQ(
      std::memcmp(pixels.data->data(), Col(copied, "val.pixels").data->data(), pixels.data->size()),
      0);
  EXPECT_THAT(Fixed<int64_t>(Col(viewed, "key")), ElementsAre(1, 2, 3, 4));
}

}  // namespace
}  // namespace ignite_tf
