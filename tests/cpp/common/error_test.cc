#include "core/common/error.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::StatusIs;
using ::testing::Eq;
using ::testing::Optional;

TEST(ErrorTest, HelpersPickCodeAndKind) {
  EXPECT_THAT(ConnectionError("a"), StatusIs(absl::StatusCode::kUnavailable, "a"));
  EXPECT_THAT(ConnectionError("a"), ErrorKindIs(ErrorKind::kConnection));
  EXPECT_THAT(TimeoutError("b"), StatusIs(absl::StatusCode::kDeadlineExceeded, "b"));
  EXPECT_THAT(TimeoutError("b"), ErrorKindIs(ErrorKind::kTimeout));
  EXPECT_THAT(ProtocolError("c"), StatusIs(absl::StatusCode::kDataLoss, "c"));
  EXPECT_THAT(ProtocolError("c"), ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(SchemaError("d"), StatusIs(absl::StatusCode::kInvalidArgument, "d"));
  EXPECT_THAT(SchemaError("d"), ErrorKindIs(ErrorKind::kSchema));
  EXPECT_THAT(UnsupportedError("e"), StatusIs(absl::StatusCode::kUnimplemented, "e"));
  EXPECT_THAT(UnsupportedError("e"), ErrorKindIs(ErrorKind::kUnsupported));
}

TEST(ErrorTest, EveryKindRoundTripsThroughThePayload) {
  std::set<std::string> names;
  for (ErrorKind kind : {
#define IGNITE_ERROR_KIND(enumerator, name) ErrorKind::enumerator,
#include "core/common/error_kinds.inc"
#undef IGNITE_ERROR_KIND
       }) {
    absl::Status s = MakeError(absl::StatusCode::kInternal, kind, "x");
    EXPECT_THAT(GetErrorKind(s), Optional(Eq(kind))) << ErrorKindName(kind);
    EXPECT_TRUE(names.insert(std::string(ErrorKindName(kind))).second) << ErrorKindName(kind);
  }
}

TEST(ErrorTest, AnotherLayersKindIsNotACommonKind) {
  absl::Status s = MakeErrorNamed(absl::StatusCode::kNotFound, "fs_not_found", "x");
  EXPECT_EQ(GetErrorKind(s), std::nullopt);
  EXPECT_EQ(GetErrorKindName(s), "fs_not_found");
}

TEST(ErrorTest, HintsRoundTripInOrderAndSurviveAnnotate) {
  absl::Status s =
      WithHint(TlsError("untrusted"),
               OptionHint{"ca_file", OptionHint::ValueKind::kPlaceholder, "<PEM>", {}, "(a note)"});
  s = WithHint(s, OptionHint{"column_types", OptionHint::ValueKind::kNameMap, "", {"A", "B"}, ""});
  s = Annotate(s, "connecting");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable, "connecting: untrusted"));
  std::vector<OptionHint> hints = GetHints(s);
  ASSERT_EQ(hints.size(), 2u);
  EXPECT_EQ(hints[0].option, "ca_file");
  EXPECT_EQ(hints[0].kind, OptionHint::ValueKind::kPlaceholder);
  EXPECT_EQ(hints[0].value, "<PEM>");
  EXPECT_EQ(hints[0].note, "(a note)");
  EXPECT_EQ(hints[1].option, "column_types");
  EXPECT_EQ(hints[1].kind, OptionHint::ValueKind::kNameMap);
  EXPECT_EQ(hints[1].names, (std::vector<std::string>{"A", "B"}));
  EXPECT_TRUE(GetHints(TlsError("plain")).empty());
  EXPECT_TRUE(WithHint(absl::OkStatus(), hints[0]).ok());
}

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return ProtocolError("odd");
  return n / 2;
}

absl::StatusOr<int> Quarter(int n, bool annotate) {
  if (annotate) {
    IGNITE_ASSIGN_OR_RETURN(int half, Half(n), absl::StrCat("halving ", n));
    IGNITE_ASSIGN_OR_RETURN(int quarter, Half(half), "halving again");
    return quarter;
  }
  IGNITE_ASSIGN_OR_RETURN(int half, Half(n));
  IGNITE_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(ErrorTest, AssignOrReturnAnnotatesWithItsOptionalContext) {
  EXPECT_EQ(Quarter(8, true).value(), 2);
  EXPECT_THAT(Quarter(3, true), StatusIs(absl::StatusCode::kDataLoss, "halving 3: odd"));
  EXPECT_THAT(Quarter(6, true), StatusIs(absl::StatusCode::kDataLoss, "halving again: odd"));
  EXPECT_THAT(Quarter(6, true), ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(Quarter(3, false), StatusIs(absl::StatusCode::kDataLoss, "odd"));
  EXPECT_EQ(Quarter(3, false).status().message(), "odd");
}

TEST(ErrorTest, UntaggedStatusHasNoKind) {
  EXPECT_EQ(GetErrorKind(absl::InternalError("plain")), std::nullopt);
  EXPECT_EQ(GetErrorKind(absl::OkStatus()), std::nullopt);
}

TEST(ErrorTest, AnnotateKeepsCodeAndKind) {
  absl::Status s = Annotate(ProtocolError("bad byte"), "reading page 3");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss, "reading page 3: bad byte"));
  EXPECT_THAT(s, ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_TRUE(Annotate(absl::OkStatus(), "ignored").ok());
}

}  // namespace
}  // namespace ignite_tf
