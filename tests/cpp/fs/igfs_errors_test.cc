#include "core/fs/igfs_errors.h"

#include "core/common/error.h"
#include "core/fs/errors.h"
#include "core/igfs/errors.h"
#include "test_util.h"

namespace ignite_tf::fs {
namespace {

using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::StatusIs;

TEST(FsErrorFromIgfsTest, ServerCodesBecomeFsKinds) {
  const struct {
    int32_t code;
    FsErrorKind kind;
    absl::StatusCode status_code;
  } cases[] = {
      {2, FsErrorKind::kNotFound, absl::StatusCode::kNotFound},
      {3, FsErrorKind::kExists, absl::StatusCode::kAlreadyExists},
      {4, FsErrorKind::kState, absl::StatusCode::kFailedPrecondition},
      {5, FsErrorKind::kNotADirectory, absl::StatusCode::kFailedPrecondition},
  };
  for (const auto& c : cases) {
    const absl::Status s = FsErrorFromIgfs(Annotate(igfs::ServerError(c.code, "said"), "ctx"));
    EXPECT_EQ(GetFsErrorKind(s), c.kind) << c.code;
    EXPECT_THAT(s, StatusIs(c.status_code, "ctx: said"));
    EXPECT_EQ(igfs::GetServerErrorCode(s), static_cast<igfs::ServerErrorCode>(c.code));
  }
}

TEST(FsErrorFromIgfsTest, OtherStatusesStayAsTheyAre) {
  EXPECT_THAT(FsErrorFromIgfs(igfs::ServerError(0, "generic")), ErrorKindIs(ErrorKind::kServer));
  EXPECT_THAT(FsErrorFromIgfs(ProtocolError("bad")), ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(FsErrorFromIgfs(absl::OkStatus()), StatusIs(absl::StatusCode::kOk));
}

}  // namespace
}  // namespace ignite_tf::fs
