#include "core/fs/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "core/fs/path.h"

namespace ignite_tf::fs {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(OptionsTest, QueryIsStrippedFromThePathAndParsed) {
  Location loc = *ParseUri(
      "igfs://node1:10900/ckpt//m?ca_file=/etc/ca%20dir/ca.pem&certfile=/c.pem&keyfile=/k.pem"
      "&tls_server_name=ignite.example&ca_dir=/d",
      "localhost", 10800);
  EXPECT_EQ(loc.addresses.at(0).host, "node1");
  EXPECT_EQ(loc.addresses.at(0).port, 10900);
  EXPECT_EQ(loc.path, "/ckpt/m");
  EXPECT_EQ(loc.tls.ca_file, "/etc/ca dir/ca.pem");
  EXPECT_EQ(loc.tls.ca_dir, "/d");
  EXPECT_EQ(loc.tls.certfile, "/c.pem");
  EXPECT_EQ(loc.tls.keyfile, "/k.pem");
  EXPECT_EQ(loc.tls.tls_server_name, "ignite.example");
  EXPECT_FALSE(loc.tls.enabled.has_value());

  loc = *ParseUri("igfs:///x?tls=true", "h", 1);
  EXPECT_EQ(loc.path, "/x");
  EXPECT_EQ(loc.tls.enabled, true);
  EXPECT_EQ(ParseUri("igfs:///x?tls=0", "h", 1)->tls.enabled, false);
  EXPECT_EQ(ParseUri("igfs://h:1?ca_file=/a", "h", 1)->path, "/");
  // A bare path has no query: '?' is part of the name.
  EXPECT_EQ(ParseUri("/a?b", "h", 1)->path, "/a?b");
}

TEST(OptionsTest, UnknownRepeatedAndSecretParametersAreRefusedWithoutTheirValues) {
  auto unknown = ParseUri("igfs://h:1/p?ca_file=/a&colour=blue", "h", 1);
  ASSERT_TRUE(absl::IsInvalidArgument(unknown.status()));
  EXPECT_THAT(unknown.status().message(), HasSubstr("'colour' is unknown"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("tls_server_name"));
  EXPECT_THAT(unknown.status().message(), Not(HasSubstr("blue")));

  auto twice = ParseUri("igfs://h:1/p?ca_file=/a&ca_file=/b", "h", 1);
  EXPECT_THAT(twice.status().message(), HasSubstr("given twice"));

  for (const char* name : {"password", "cert_password", "username"}) {
    auto secret = ParseUri(absl::StrCat("igfs://h:1/p?", name, "=Top-Secret-9").c_str(), "h", 1);
    ASSERT_TRUE(absl::IsInvalidArgument(secret.status())) << name;
    EXPECT_THAT(secret.status().message(), HasSubstr("IGNITE_DATASET_"));
    EXPECT_THAT(secret.status().message(), Not(HasSubstr("Top-Secret-9")));
  }
  EXPECT_FALSE(ParseUri("igfs://h:1/p?tls=maybe", "h", 1).ok());
  EXPECT_FALSE(ParseUri("igfs://h:1/p?ca_file=", "h", 1).ok());
  EXPECT_FALSE(ParseUri("igfs://h:1/p?ca_file=%zz", "h", 1).ok());
}

}  // namespace
}  // namespace ignite_tf::fs
