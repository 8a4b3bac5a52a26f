#include "core/client/protocol.h"

#include "core/common/error.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::StatusIs;

TEST(ProtocolVersionTest, OrdersComponentWise) {
  ProtocolVersion v{1, 4, 0};
  EXPECT_TRUE(v.AtLeast(1, 4, 0));
  EXPECT_TRUE(v.AtLeast(1, 3, 9));
  EXPECT_TRUE(v.AtLeast(0, 9));
  EXPECT_FALSE(v.AtLeast(1, 4, 1));
  EXPECT_FALSE(v.AtLeast(1, 5));
  EXPECT_FALSE(v.AtLeast(2, 0));
  EXPECT_EQ(v.ToString(), "1.4.0");
  EXPECT_EQ(kNewestVersion.ToString(), "1.7.0");
  EXPECT_TRUE(
      kNewestVersion.AtLeast(kOldestVersion.major, kOldestVersion.minor, kOldestVersion.patch));
}

TEST(ProtocolTest, OpCodesMatchTheServer) {
  EXPECT_EQ(static_cast<int16_t>(OpCode::kQueryScan), 2000);
  EXPECT_EQ(static_cast<int16_t>(OpCode::kQueryScanCursorGetPage), 2001);
  EXPECT_EQ(static_cast<int16_t>(OpCode::kGetBinaryType), 3002);
  EXPECT_EQ(static_cast<int16_t>(OpCode::kCachePartitions), 1101);
  EXPECT_EQ(static_cast<int16_t>(OpCode::kResourceClose), 0);
}

TEST(ServerErrorTest, MapsStatusesToCodesAndKinds) {
  struct Case {
    int32_t status;
    absl::StatusCode code;
    ErrorKind kind;
  };
  for (const Case& c : {
           Case{kStatusCacheDoesNotExist, absl::StatusCode::kNotFound, ErrorKind::kCacheNotFound},
           Case{kStatusCacheExists, absl::StatusCode::kAlreadyExists, ErrorKind::kServer},
           Case{kStatusAuthFailed, absl::StatusCode::kPermissionDenied, ErrorKind::kAuthentication},
           Case{kStatusSecurityViolation, absl::StatusCode::kPermissionDenied,
                ErrorKind::kAuthentication},
           Case{kStatusTooManyCursors, absl::StatusCode::kResourceExhausted, ErrorKind::kServer},
           Case{kStatusInvalidOpCode, absl::StatusCode::kUnimplemented, ErrorKind::kServer},
           Case{kStatusFunctionalityDisabled, absl::StatusCode::kUnimplemented, ErrorKind::kServer},
           Case{kStatusFailed, absl::StatusCode::kInternal, ErrorKind::kServer},
           Case{12345, absl::StatusCode::kInternal, ErrorKind::kServer},
       }) {
    absl::Status s = ServerError(c.status, "boom", "h:1", "op");
    EXPECT_THAT(s, StatusIs(c.code)) << c.status;
    EXPECT_THAT(s, ErrorKindIs(c.kind)) << c.status;
  }
}

TEST(ServerErrorTest, MessageNamesOperationPeerAndStatus) {
  absl::Status s = ServerError(kStatusCacheDoesNotExist, "Cache does not exist [cacheId=5]",
                               "node1:10800", "scan of cache 'X'");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound,
                          "scan of cache 'X' failed on node1:10800: Cache does not exist "
                          "[cacheId=5] (status 1000)"));
  EXPECT_THAT(ServerError(kStatusTooManyCursors, "", "h", "op"),
              StatusIs(absl::StatusCode::kResourceExhausted, "maxOpenCursorsPerConnection"));
}

}  // namespace
}  // namespace ignite_tf
