#include "core/columnar/schema.h"

#include <string>
#include <vector>

#include "core/binary/type_codes.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::FakeTypeResolver;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::MakeType;
using ::ignite_tf::testing::ObjectOf;
using ::ignite_tf::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(LeafForTest, MapsTypeCodesToElementTypes) {
  struct Case {
    int32_t code;
    ElementType element;
    bool is_list;
  };
  for (const Case& c :
       {Case{kByte, ElementType::kUInt8, false}, Case{kShort, ElementType::kInt16, false},
        Case{kInt, ElementType::kInt32, false}, Case{kLong, ElementType::kInt64, false},
        Case{kFloat, ElementType::kFloat32, false}, Case{kDouble, ElementType::kFloat64, false},
        Case{kChar, ElementType::kUInt16, false}, Case{kBool, ElementType::kBool, false},
        Case{kString, ElementType::kString, false}, Case{kDate, ElementType::kInt64, false},
        Case{kByteArray, ElementType::kUInt8, true}, Case{kShortArray, ElementType::kInt16, true},
        Case{kIntArray, ElementType::kInt32, true}, Case{kLongArray, ElementType::kInt64, true},
        Case{kFloatArray, ElementType::kFloat32, true},
        Case{kDoubleArray, ElementType::kFloat64, true},
        Case{kCharArray, ElementType::kUInt16, true}, Case{kBoolArray, ElementType::kBool, true},
        Case{kStringArray, ElementType::kString, true}}) {
    ASSERT_OK_AND_ASSIGN(SchemaNode leaf, LeafFor(c.code, "f", "val.f"));
    EXPECT_EQ(leaf.element, c.element) << TypeCodeName(c.code);
    EXPECT_EQ(leaf.is_list, c.is_list) << TypeCodeName(c.code);
    // A list leaf keeps the array's wire code as its container and its element's code.
    EXPECT_EQ(c.is_list ? leaf.container_code : leaf.type_code, c.code);
    if (c.is_list) {
      EXPECT_EQ(leaf.type_code, TypedArrayElementCode(c.code));
    }
    EXPECT_FALSE(leaf.is_struct);
  }
}

TEST(LeafForTest, NewerTypesMapToDocumentedColumns) {
  struct Case {
    int32_t code;
    ElementType element;
    bool is_list;
  };
  for (const Case& c :
       {Case{kUuid, ElementType::kString, false}, Case{kTimestamp, ElementType::kInt64, false},
        Case{kTime, ElementType::kInt64, false}, Case{kDecimal, ElementType::kFloat64, false},
        Case{kUuidArray, ElementType::kString, true}, Case{kDateArray, ElementType::kInt64, true},
        Case{kTimestampArray, ElementType::kInt64, true},
        Case{kTimeArray, ElementType::kInt64, true},
        Case{kDecimalArray, ElementType::kFloat64, true}}) {
    ASSERT_OK_AND_ASSIGN(SchemaNode leaf, LeafFor(c.code, "f", "val.f"));
    EXPECT_EQ(leaf.element, c.element) << TypeCodeName(c.code);
    EXPECT_EQ(leaf.is_list, c.is_list) << TypeCodeName(c.code);
  }
  ASSERT_OK_AND_ASSIGN(SchemaNode e, LeafFor(kEnum, "color", "val.color"));
  EXPECT_EQ(e.kind, NodeKind::kEnum);
  ASSERT_EQ(e.children.size(), 2u);
  EXPECT_EQ(e.children[0].name, "name");
  EXPECT_EQ(e.children[1].name, "ordinal");
}

TEST(LeafForTest, UnsupportedCodesNameThePath) {
  // Object arrays, collections and maps need a sample value (InferSchema), not just a code.
  for (int32_t code : {kObjectArray, kCollection, kMap, kComplexObject, kNull, kProxy}) {
    absl::StatusOr<SchemaNode> leaf = LeafFor(code, "f", "val.a.f");
    EXPECT_THAT(leaf, StatusIs(absl::StatusCode::kUnimplemented, "val.a.f has type"));
    EXPECT_THAT(leaf, ErrorKindIs(ErrorKind::kUnsupported));
  }
}

TEST(ElementTypeTest, NamesAndSizes) {
  EXPECT_STREQ(ElementTypeName(ElementType::kUInt16), "uint16");
  EXPECT_STREQ(ElementTypeName(ElementType::kString), "string");
  EXPECT_EQ(ElementSize(ElementType::kBool), 1u);
  EXPECT_EQ(ElementSize(ElementType::kInt16), 2u);
  EXPECT_EQ(ElementSize(ElementType::kFloat32), 4u);
  EXPECT_EQ(ElementSize(ElementType::kFloat64), 8u);
  EXPECT_EQ(ElementSize(ElementType::kString), 0u);
}

TEST(InferSchemaTest, PrimitiveKeyAndObjectValueWithSortedFields) {
  Value key = Value::Integer(kLong, 1);
  Value value = ObjectOf("Kitten", {{"NAME", Value::String("Tom")},
                                    {"AGE", Value::Integer(kInt, 3)},
                                    {"TAGS", Value::StringArray({"a"})}});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, InferSchema(key, value, nullptr));
  EXPECT_THAT(schema.column_paths, ElementsAre("key", "val.AGE", "val.NAME", "val.TAGS"));
  EXPECT_FALSE(schema.key.is_struct);
  EXPECT_EQ(schema.key.element, ElementType::kInt64);
  EXPECT_TRUE(schema.value.is_struct);
  ASSERT_EQ(schema.leaves.size(), 4u);
  for (size_t i = 0; i < schema.leaves.size(); ++i) {
    EXPECT_EQ(schema.leaves[i]->column, static_cast<int>(i));
    EXPECT_EQ(schema.leaves[i]->path, schema.column_paths[i]);
  }
  ASSERT_NE(schema.value.Child("TAGS"), nullptr);
  EXPECT_TRUE(schema.value.Child("TAGS")->is_list);
  EXPECT_EQ(schema.value.Child("missing"), nullptr);
}

TEST(InferSchemaTest, FixedWidthLeavesAreCopiedAsSent) {
  Value value = ObjectOf("K", {{"B", Value::Integer(kByte, 1)},
                               {"C", Value::Integer(kChar, 'c')},
                               {"D", Value::Integer(kDate, 1)},
                               {"F", Value::Real(kFloat, 1)},
                               {"I", Value::Integer(kInt, 1)},
                               {"O", Value::Integer(kBool, 1)},
                               {"S", Value::String("s")},
                               {"T", Value::Timestamp(1, 0)},
                               {"Z", Value::Array(kIntArray, {0, 0, 0, 0})}});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, InferSchema(Value::Integer(kLong, 0), value, nullptr));
  EXPECT_EQ(schema.key.copy_size, 8);
  EXPECT_EQ(schema.value.copy_size, 0);
  std::vector<int> sizes;
  for (const SchemaNode& child : schema.value.children) sizes.push_back(child.copy_size);
  // bool is normalized to 0/1, strings and timestamps converted, arrays are lists.
  EXPECT_THAT(sizes, ElementsAre(1, 2, 8, 4, 4, 0, 0, 0, 0));
}

TEST(InferSchemaTest, NestedObjectsBecomeNestedStructs) {
  Value value = ObjectOf(
      "P", {{"b", ObjectOf("Q", {{"z", Value::Integer(kInt, 1)}, {"y", Value::Real(kDouble, 2)}})},
            {"a", Value::String("s")}});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, InferSchema(Value::Integer(kInt, 0), value, nullptr));
  EXPECT_THAT(schema.column_paths, ElementsAre("key", "val.a", "val.b.y", "val.b.z"));
  EXPECT_TRUE(schema.value.Child("b")->is_struct);
  EXPECT_EQ(schema.struct_count, 2);
  EXPECT_EQ(schema.key.struct_index, -1);
  EXPECT_EQ(schema.value.struct_index, 0);
  EXPECT_EQ(schema.value.Child("b")->struct_index, 1);
  EXPECT_EQ(schema.value.Child("a")->struct_index, -1);
}

TEST(InferSchemaTest, CopiesPointIntoTheirOwnTree) {
  ASSERT_OK_AND_ASSIGN(RowSchema original,
                       InferSchema(Value::Integer(kInt, 0),
                                   ObjectOf("T", {{"x", Value::Integer(kInt, 1)}}), nullptr));
  RowSchema copy = original;
  ASSERT_EQ(copy.leaves.size(), 2u);
  EXPECT_EQ(copy.leaves[0], &copy.key);
  EXPECT_EQ(copy.leaves[1], &copy.value.children[0]);
  RowSchema assigned;
  assigned = original;
  EXPECT_EQ(assigned.leaves[1], &assigned.value.children[0]);
  EXPECT_EQ(assigned.column_paths, original.column_paths);
}

TEST(InferSchemaTest, NullKeyOrValueIsASchemaError) {
  Value value = ObjectOf("T", {{"x", Value::Integer(kInt, 1)}});
  absl::StatusOr<RowSchema> s = InferSchema(Value::Null(), value, nullptr);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "key is null"));
  EXPECT_THAT(s, ErrorKindIs(ErrorKind::kSchema));
  EXPECT_THAT(InferSchema(Value::Integer(kInt, 1), Value::Null(), nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, "val is null"));
}

TEST(InferSchemaTest, NullFieldTakesItsTypeFromMetadata) {
  FakeTypeResolver types;
  types.Add(MakeType(BinaryNameId("Kitten"), "Kitten",
                     {{"NAME", kString, 0}, {"WEIGHT", kDouble, 0}, {"OWNER", kComplexObject, 0}},
                     {{0, {}}}));
  Value value = ObjectOf("Kitten", {{"NAME", Value::Null()}, {"WEIGHT", Value::Real(kDouble, 1)}});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, InferSchema(Value::Integer(kLong, 1), value, &types));
  ASSERT_NE(schema.value.Child("NAME"), nullptr);
  EXPECT_EQ(schema.value.Child("NAME")->element, ElementType::kString);
  // OWNER is absent from the row and an object in the metadata: no column can be made for it.
  EXPECT_THAT(schema.column_paths, ElementsAre("key", "val.NAME", "val.WEIGHT"));
}

TEST(InferSchemaTest, FieldsAbsentFromTheRowGetColumnsFromMetadata) {
  FakeTypeResolver types;
  types.Add(MakeType(
      BinaryNameId("Kitten"), "Kitten",
      {{"NAME", kString, 0}, {"AGE", kInt, 0}, {"CHIP", kUuid, 0}, {"TAGS", kMap, 0}}, {{0, {}}}));
  Value value = ObjectOf("Kitten", {{"NAME", Value::String("x")}});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, InferSchema(Value::Integer(kLong, 1), value, &types));
  // TAGS is a map: its key and value types need a sample, so it is left out rather than failing
  // the whole schema.
  EXPECT_THAT(schema.column_paths, ElementsAre("key", "val.AGE", "val.CHIP", "val.NAME"));
  EXPECT_EQ(schema.value.Child("CHIP")->element, ElementType::kString);
  EXPECT_EQ(schema.value.Child("AGE")->element, ElementType::kInt32);
}

TEST(InferSchemaTest, NullFieldWithoutMetadataIsASchemaError) {
  Value value = ObjectOf("Kitten", {{"NAME", Value::Null()}});
  EXPECT_THAT(InferSchema(Value::Integer(kLong, 1), value, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, "val.NAME is null in the first row"));
  FakeTypeResolver empty;
  EXPECT_THAT(InferSchema(Value::Integer(kLong, 1), value, &empty),
              StatusIs(absl::StatusCode::kInvalidArgument, "val.NAME is null in the first row"));
}

TEST(InferSchemaTest, UnsupportedFieldTypeNamesThePath) {
  Value proxy;
  proxy.code = kProxy;
  Value value = ObjectOf("T", {{"inner", ObjectOf("U", {{"id", proxy}})}});
  EXPECT_THAT(InferSchema(Value::Integer(kLong, 1), value, nullptr),
              StatusIs(absl::StatusCode::kUnimplemented, "val.inner.id has type proxy"));
}

TEST(InferSchemaTest, RefusesAbsurdNesting) {
  Value v = Value::Integer(kInt, 1);
  for (int i = 0; i < 40; ++i) v = ObjectOf("N", {{"n", v}});
  EXPECT_THAT(InferSchema(Value::Integer(kInt, 1), v, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, "nest too deeply"));
}

// Rows of SQL results: one value per column, in query order.
using SqlRows = std::vector<std::vector<Value>>;

TEST(SqlSchemaLearnerTest, TypesComeFromTheFirstNonNullValueOverSeveralPages) {
  ASSERT_OK_AND_ASSIGN(SqlSchemaLearner learner,
                       SqlSchemaLearner::Create({"ID", "NOTE", "SCORE"}, {}, nullptr));
  EXPECT_FALSE(learner.complete());
  // Page 1: NOTE and SCORE are NULL in every row.
  ASSERT_THAT(learner.Add(SqlRows{{Value::Integer(kLong, 1), Value::Null(), Value::Null()},
                                  {Value::Integer(kLong, 2), Value::Null(), Value::Null()}}),
              IsOk());
  EXPECT_THAT(learner.Untyped(), ElementsAre("NOTE", "SCORE"));
  absl::StatusOr<RowSchema> unknown = learner.Finish("all 2 rows of the result");
  EXPECT_THAT(unknown, StatusIs(absl::StatusCode::kInvalidArgument,
                                "columns NOTE, SCORE are NULL in all 2 rows of the result, so "
                                "their types are unknown"));
  // The remedy is a hint the binding renders in its own terms (Python: column_types={...}).
  std::vector<OptionHint> hints = GetHints(unknown.status());
  ASSERT_EQ(hints.size(), 1u);
  EXPECT_EQ(hints[0].option, "column_types");
  EXPECT_EQ(hints[0].kind, OptionHint::ValueKind::kNameMap);
  EXPECT_THAT(hints[0].names, ElementsAre("NOTE", "SCORE"));
  // Page 2: NOTE has a value in its second row; SCORE is still NULL.
  ASSERT_THAT(learner.Add(SqlRows{{Value::Integer(kLong, 3), Value::Null(), Value::Null()},
                                  {Value::Integer(kLong, 4), Value::String("n4"), Value::Null()}}),
              IsOk());
  EXPECT_THAT(learner.Untyped(), ElementsAre("SCORE"));
  unknown = learner.Finish("the first 4 rows");
  EXPECT_THAT(unknown,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "column SCORE is NULL in the first 4 rows, so its type is unknown"));
  EXPECT_THAT(GetHints(unknown.status()).at(0).names, ElementsAre("SCORE"));
  // Page 3: SCORE's first value is a double; a later int does not change the learnt type.
  ASSERT_THAT(
      learner.Add(SqlRows{{Value::Integer(kLong, 5), Value::Null(), Value::Real(kDouble, 1)},
                          {Value::Integer(kLong, 6), Value::Null(), Value::Integer(kInt, 2)}}),
      IsOk());
  EXPECT_TRUE(learner.complete());
  EXPECT_THAT(learner.Untyped(), ElementsAre());
  ASSERT_OK_AND_ASSIGN(RowSchema schema, learner.Finish("unused"));
  EXPECT_THAT(schema.sql_columns, ElementsAre("ID", "NOTE", "SCORE"));
  EXPECT_THAT(schema.column_paths, ElementsAre("ID", "NOTE", "SCORE"));
  EXPECT_EQ(schema.value.Child("ID")->element, ElementType::kInt64);
  EXPECT_EQ(schema.value.Child("NOTE")->element, ElementType::kString);
  EXPECT_EQ(schema.value.Child("SCORE")->type_code, kDouble);
  EXPECT_FALSE(schema.value.Child("SCORE")->given);
}

TEST(SqlSchemaLearnerTest, GivenTypesWinAndNeedNoRows) {
  ASSERT_OK_AND_ASSIGN(SqlSchemaLearner learner,
                       SqlSchemaLearner::Create(
                           {"ID", "SCORE", "PIXELS"},
                           {{"ID", kLong}, {"SCORE", kDouble}, {"PIXELS", kByteArray}}, nullptr));
  EXPECT_TRUE(learner.complete());  // an empty result has its schema too
  // Values of another type do not change a given type (the decoder reports them row by row).
  ASSERT_THAT(
      learner.Add(SqlRows{{Value::Integer(kInt, 1), Value::Integer(kInt, 2), Value::Null()}}),
      IsOk());
  ASSERT_OK_AND_ASSIGN(RowSchema schema, learner.Finish(""));
  EXPECT_EQ(schema.value.Child("ID")->type_code, kLong);
  EXPECT_EQ(schema.value.Child("SCORE")->type_code, kDouble);
  EXPECT_TRUE(schema.value.Child("SCORE")->given);
  EXPECT_TRUE(schema.value.Child("PIXELS")->is_list);
  EXPECT_EQ(schema.value.Child("PIXELS")->element, ElementType::kUInt8);
}

TEST(SqlSchemaLearnerTest, SomeColumnsGivenTheOthersLearnt) {
  ASSERT_OK_AND_ASSIGN(SqlSchemaLearner learner,
                       SqlSchemaLearner::Create({"ID", "NOTE"}, {{"NOTE", kString}}, nullptr));
  EXPECT_THAT(learner.Untyped(), ElementsAre("ID"));
  ASSERT_THAT(learner.Add(SqlRows{{Value::Integer(kInt, 7), Value::Null()}}), IsOk());
  ASSERT_OK_AND_ASSIGN(RowSchema schema, learner.Finish(""));
  EXPECT_EQ(schema.value.Child("ID")->type_code, kInt);
  EXPECT_FALSE(schema.value.Child("ID")->given);
  EXPECT_TRUE(schema.value.Child("NOTE")->given);
}

TEST(SqlSchemaLearnerTest, GivenColumnTheQueryDoesNotReturnIsASchemaError) {
  absl::StatusOr<SqlSchemaLearner> learner =
      SqlSchemaLearner::Create({"ID", "SCORE"}, {{"score", kDouble}}, nullptr);
  EXPECT_THAT(learner, ErrorKindIs(ErrorKind::kSchema));
  EXPECT_THAT(learner,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "a type is given for column score, which the query does not return (did "
                       "you mean SCORE?); its columns are: ID, SCORE"));
  EXPECT_THAT(SqlSchemaLearner::Create({"ID"}, {{"ID", kProxy}}, nullptr),
              StatusIs(absl::StatusCode::kUnimplemented, "ID has type proxy"));
  EXPECT_THAT(SqlSchemaLearner::Create({"ID", "ID"}, {}, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, "two columns named ID"));
}

TEST(SqlSchemaLearnerTest, InferSqlSchemaNeedsAValuePerColumn) {
  EXPECT_THAT(
      InferSqlSchema({"A", "B"}, SqlRows{{Value::Integer(kInt, 1), Value::Null()}}, nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, "column B is NULL in all 1 rows"));
  ASSERT_OK_AND_ASSIGN(RowSchema schema,
                       InferSqlSchema({"B", "A"},
                                      SqlRows{{Value::Null(), Value::Integer(kInt, 1)},
                                              {Value::String("x"), Value::Null()}},
                                      nullptr));
  EXPECT_THAT(schema.sql_columns, ElementsAre("B", "A"));
  EXPECT_THAT(schema.column_paths, ElementsAre("B", "A"));  // leaves in query order
}

TEST(InferSchemaTest, ContainersInsideContainersAreListsOfLists) {
  auto coll = [](std::vector<Value> items) {
    return Value::Items(kCollection, std::move(items), 1);
  };
  Value person = ObjectOf(
      "P", {{"scores", Value::Array(kIntArray, {})},
            {"attrs", Value::Items(kMap, {Value::String("k"), Value::Integer(kLong, 1)}, 1)},
            {"pets", coll({ObjectOf("Pet", {{"tags", Value::StringArray({"a"})}})})}});
  Value value = ObjectOf(
      "T", {{"people", coll({person})},
            {"grid", Value::Items(kObjectArray, {Value::Array(kDoubleArray, {})})},
            // Inner lists that are empty or null say nothing; the first one that does decides.
            {"words", coll({Value::Null(), coll({}), coll({Value::String("w")})})}});
  ASSERT_OK_AND_ASSIGN(RowSchema schema, InferSchema(Value::Integer(kLong, 1), value, nullptr));
  EXPECT_THAT(schema.column_paths,
              ElementsAre("key", "val.grid", "val.people.attrs.keys", "val.people.attrs.values",
                          "val.people.pets.tags", "val.people.scores", "val.words"));
  std::vector<int> depths;
  for (const SchemaNode* leaf : schema.leaves) depths.push_back(leaf->list_depth);
  EXPECT_THAT(depths, ElementsAre(0, 2, 2, 2, 3, 2, 2));
  for (const SchemaNode* leaf : schema.leaves) EXPECT_EQ(leaf->is_list, leaf->list_depth > 0);
  const SchemaNode* grid = schema.value.Child("grid");
  EXPECT_EQ(grid->element, ElementType::kFloat64);
  EXPECT_EQ(grid->container_code, kDoubleArray);  // the innermost list's wire code
  EXPECT_EQ(grid->own_lists, 2);
  EXPECT_EQ(schema.value.Child("words")->element, ElementType::kString);
  EXPECT_EQ(schema.value.Child("people")->Child("pets")->outer_lists, 1);
}

// A value whose Object[] holds a string and a long (legal in Ignite), beside a plain field, and
// an object whose own field is such an array.
Value ValueWithMixedElements() {
  Value mixed = Value::Items(kObjectArray, {Value::String("s"), Value::Integer(kLong, 4)}, -1);
  return ObjectOf("T", {{"a", Value::Integer(kInt, 1)},
                        {"mixed", mixed},
                        {"meta", ObjectOf("M", {{"label", Value::String("x")}, {"odd", mixed}})},
                        {"none", Value::Null()}});
}

TEST(InferSchemaTest, FieldsLeftOutOfTheReadAreNeverTyped) {
  const Value value = ValueWithMixedElements();
  // Read whole, the mixed array has no column type: the error names it and the remedy.
  absl::StatusOr<RowSchema> whole = InferSchema(Value::Integer(kLong, 1), value, nullptr);
  EXPECT_THAT(whole, StatusIs(absl::StatusCode::kInvalidArgument,
                              "val.mixed mixes string (9) and long (4) elements"));
  EXPECT_THAT(whole, ErrorKindIs(ErrorKind::kSchema));
  ASSERT_EQ(GetHints(whole.status()).size(), 1u);
  EXPECT_EQ(GetHints(whole.status())[0].option, "fields");
  EXPECT_THAT(GetHints(whole.status())[0].value, HasSubstr("without \"mixed\""));
  // Selected around it, it is skipped: neither it nor the null field without metadata is typed.
  ASSERT_OK_AND_ASSIGN(RowSchema a, InferSchema(Value::Integer(kLong, 1), value, nullptr, {"a"}));
  EXPECT_THAT(a.column_paths, ElementsAre("key", "val.a"));
  ASSERT_OK_AND_ASSIGN(RowSchema label,
                       InferSchema(Value::Integer(kLong, 1), value, nullptr, {"meta.label", "a"}));
  EXPECT_THAT(label.column_paths, ElementsAre("key", "val.a", "val.meta.label"));
  EXPECT_THAT(InferSchema(Value::Integer(kLong, 1), value, nullptr, {"meta"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "val.meta.odd mixes"));
  // Selecting it still fails on it; an unknown name lists every field, typed or not.
  EXPECT_THAT(InferSchema(Value::Integer(kLong, 1), value, nullptr, {"mixed"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "val.mixed mixes"));
  EXPECT_THAT(InferSchema(Value::Integer(kLong, 1), value, nullptr, {"nope"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "no field 'nope' in the values; they have: a, meta, meta.label, meta.odd, "
                       "mixed, none"));
  EXPECT_THAT(InferSchema(Value::Integer(kLong, 1), value, nullptr, {"mixed.x"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "no field 'mixed.x'"));
}

TEST(InferSchemaTest, ContainersOfOnlyEmptyContainersAreASchemaError) {
  Value value =
      ObjectOf("T", {{"xs", Value::Items(kCollection, {Value::Items(kCollection, {}, 1)}, 1)}});
  EXPECT_THAT(InferSchema(Value::Integer(kLong, 1), value, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, "val.xs is an empty or all-null"));
  Value mixed =
      ObjectOf("T", {{"xs", Value::Items(kCollection,
                                         {Value::Items(kCollection, {Value::Integer(kInt, 1)}, 1),
                                          Value::Array(kIntArray, {})},
                                         1)}});
  EXPECT_THAT(InferSchema(Value::Integer(kLong, 1), mixed, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, "val.xs mixes"));
}

}  // namespace
}  // namespace ignite_tf
