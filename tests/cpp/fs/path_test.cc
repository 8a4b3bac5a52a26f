#include "core/fs/path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ignite_tf::fs {
namespace {

TEST(NormalizePathTest, CollapsesSlashesDotsAndTrailingSlash) {
  EXPECT_EQ(*NormalizePath("a//b/./c/"), "/a/b/c");
  EXPECT_EQ(*NormalizePath("/"), "/");
  EXPECT_EQ(*NormalizePath(""), "/");
  EXPECT_EQ(*NormalizePath("///x"), "/x");
}

TEST(NormalizePathTest, RefusesDotDotAndNul) {
  EXPECT_TRUE(absl::IsInvalidArgument(NormalizePath("/a/../b").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(NormalizePath(std::string("/a\0b", 4)).status()));
}

TEST(PathTest, ParentBaseNameAndIsUnder) {
  EXPECT_EQ(ParentPath("/a/b"), "/a");
  EXPECT_EQ(ParentPath("/a"), "/");
  EXPECT_EQ(ParentPath("/"), "/");
  EXPECT_EQ(BaseName("/a/b"), "b");
  EXPECT_TRUE(IsUnder("/a/b", "/a"));
  EXPECT_TRUE(IsUnder("/a", "/a"));
  EXPECT_FALSE(IsUnder("/ab", "/a"));
  EXPECT_TRUE(IsUnder("/x", "/"));
}

TEST(ParseUriTest, HostPortAndDefaults) {
  Location loc = *ParseUri("igfs://node1:10900/ckpt//model", "localhost", 10800);
  EXPECT_EQ(loc.addresses.at(0).host, "node1");
  EXPECT_EQ(loc.addresses.at(0).port, 10900);
  EXPECT_EQ(loc.path, "/ckpt/model");
  loc = *ParseUri("igfs:///hello.txt", "h", 1234);
  EXPECT_EQ(loc.addresses.at(0).host, "h");
  EXPECT_EQ(loc.addresses.at(0).port, 1234);
  EXPECT_EQ(loc.path, "/hello.txt");
  loc = *ParseUri("igfs://node2", "h", 1234);
  EXPECT_EQ(loc.addresses.at(0).host, "node2");
  EXPECT_EQ(loc.addresses.at(0).port, 1234);
  EXPECT_EQ(loc.path, "/");
  loc = *ParseUri("igfs://[::1]:10801/x", "h", 1);
  EXPECT_EQ(loc.addresses.at(0).host, "::1");
  EXPECT_EQ(loc.addresses.at(0).port, 10801);
  loc = *ParseUri("/bare/path", "h", 5);
  EXPECT_EQ(loc.path, "/bare/path");
}

TEST(ParseUriTest, SeveralNodes) {
  Location loc = *ParseUri("igfs://n1:10900,n2,[::1]:10802/ckpt", "localhost", 10800);
  ASSERT_EQ(loc.addresses.size(), 3u);
  EXPECT_EQ(loc.addresses[0].ToString(), "n1:10900");
  EXPECT_EQ(loc.addresses[1].ToString(), "n2:10800");  // the default port
  EXPECT_EQ(loc.addresses[2].ToString(), "[::1]:10802");
  EXPECT_EQ(loc.path, "/ckpt");
  // Without an authority, the default host may be a list too (IGFS_HOST="h1:1,h2").
  loc = *ParseUri("igfs:///x", "h1:1,h2", 7);
  ASSERT_EQ(loc.addresses.size(), 2u);
  EXPECT_EQ(loc.addresses[1].ToString(), "h2:7");
  const absl::Status empty = ParseUri("igfs://n1,,n2/x", "h", 1).status();
  EXPECT_TRUE(absl::IsInvalidArgument(empty));
  EXPECT_NE(empty.message().find("'igfs://n1,,n2/x'"), std::string::npos) << empty.message();
  EXPECT_NE(empty.message().find("empty entry"), std::string::npos) << empty.message();
}

TEST(ParseUriTest, RefusesOtherSchemesAndBadPorts) {
  EXPECT_TRUE(absl::IsInvalidArgument(ParseUri("s3://b/x", "h", 1).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ParseUri("igfs://h:0/x", "h", 1).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ParseUri("igfs://h:99999/x", "h", 1).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ParseUri("igfs://h:ab/x", "h", 1).status()));
}

TEST(DefaultsTest, AUriWithoutAuthorityTakesTheCallersDefaults) {
  Location loc = *ParseUri("igfs:///a", "node7", 10900);
  EXPECT_EQ(loc.addresses.at(0).host, "node7");
  EXPECT_EQ(loc.addresses.at(0).port, 10900);
  loc = *ParseUri("igfs://other/a", "node7", 10900);
  EXPECT_EQ(loc.addresses.at(0).host, "other");
  EXPECT_EQ(loc.addresses.at(0).port, 10900);
}

}  // namespace
}  // namespace ignite_tf::fs
