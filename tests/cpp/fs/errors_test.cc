#include "core/fs/errors.h"

#include <set>
#include <string>

#include "core/common/error.h"
#include "test_util.h"

namespace ignite_tf::fs {
namespace {

using ::ignite_tf::testing::StatusIs;

TEST(FsErrorsTest, EveryKindKeepsItsCodeAndRoundTrips) {
  std::set<std::string> names;
  for (FsErrorKind kind : {
#define IGNITE_FS_ERROR_KIND(enumerator, name, code) FsErrorKind::enumerator,
#include "core/fs/error_kinds.inc"
#undef IGNITE_FS_ERROR_KIND
       }) {
    absl::Status s = FsError(kind, "x");
    EXPECT_EQ(GetFsErrorKind(s), kind) << FsErrorKindName(kind);
    // Not one of the common layer's kinds: the binding tells the two tables apart by name.
    EXPECT_EQ(GetErrorKind(s), std::nullopt) << FsErrorKindName(kind);
    EXPECT_TRUE(names.insert(std::string(FsErrorKindName(kind))).second);
  }
  EXPECT_THAT(FsError(FsErrorKind::kNotFound, "gone"),
              StatusIs(absl::StatusCode::kNotFound, "gone"));
  EXPECT_THAT(FsError(FsErrorKind::kConflict, "lost"),
              StatusIs(absl::StatusCode::kAborted, "lost"));
  EXPECT_EQ(GetFsErrorKind(ProtocolError("bad")), std::nullopt);
  EXPECT_EQ(GetFsErrorKind(absl::NotFoundError("untagged")), std::nullopt);
}

}  // namespace
}  // namespace ignite_tf::fs
