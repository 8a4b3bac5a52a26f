#include "core/common/error.h"

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
  EXPECT_THAT(TimeoutError("b"), ErrorKindIs(ErrorKind::kConnection));
  EXPECT_THAT(ProtocolError("c"), StatusIs(absl::StatusCode::kDataLoss, "c"));
  EXPECT_THAT(ProtocolError("c"), ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(SchemaError("d"), StatusIs(absl::StatusCode::kInvalidArgument, "d"));
  EXPECT_THAT(SchemaError("d"), ErrorKindIs(ErrorKind::kSchema));
  EXPECT_THAT(UnsupportedError("e"), StatusIs(absl::StatusCode::kUnimplemented, "e"));
  EXPECT_THAT(UnsupportedError("e"), ErrorKindIs(ErrorKind::kUnsupported));
}

TEST(ErrorTest, EveryKindRoundTripsThroughThePayload) {
  for (ErrorKind kind :
       {ErrorKind::kConnection, ErrorKind::kAuthentication, ErrorKind::kTls, ErrorKind::kProtocol,
        ErrorKind::kCacheNotFound, ErrorKind::kSchema, ErrorKind::kServer, ErrorKind::kUnsupported,
        ErrorKind::kIsADirectory, ErrorKind::kNotADirectory}) {
    absl::Status s = MakeError(absl::StatusCode::kInternal, kind, "x");
    EXPECT_THAT(GetErrorKind(s), Optional(Eq(kind))) << ErrorKindName(kind);
  }
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
