#include "core/fs/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "core/fs/path.h"

namespace ignite_tf::fs {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kVariables[] = {
    "IGNITE_DATASET_USERNAME", "IGNITE_DATASET_PASSWORD",       "IGNITE_DATASET_CERT_PASSWORD",
    "IGNITE_DATASET_CERTFILE", "IGNITE_DATASET_KEYFILE",        "IGNITE_DATASET_CA_FILE",
    "IGNITE_DATASET_CA_DIR",   "IGNITE_DATASET_TLS_SERVER_NAME"};

class OptionsTest : public ::testing::Test {
 protected:
  void SetUp() override { Clear(); }
  void TearDown() override { Clear(); }
  static void Clear() {
    for (const char* name : kVariables) unsetenv(name);
  }
};

TEST_F(OptionsTest, QueryIsStrippedFromThePathAndParsed) {
  Location loc = *ParseUri(
      "igfs://node1:10900/ckpt//m?ca_file=/etc/ca%20dir/ca.pem&certfile=/c.pem&keyfile=/k.pem"
      "&tls_server_name=ignite.example&ca_dir=/d",
      "localhost", 10800);
  EXPECT_EQ(loc.host, "node1");
  EXPECT_EQ(loc.port, 10900);
  EXPECT_EQ(loc.path, "/ckpt/m");
  EXPECT_EQ(loc.security.ca_file, "/etc/ca dir/ca.pem");
  EXPECT_EQ(loc.security.ca_dir, "/d");
  EXPECT_EQ(loc.security.cert_file, "/c.pem");
  EXPECT_EQ(loc.security.key_file, "/k.pem");
  EXPECT_EQ(loc.security.server_name, "ignite.example");
  EXPECT_FALSE(loc.security.tls.has_value());

  loc = *ParseUri("igfs:///x?tls=true", "h", 1);
  EXPECT_EQ(loc.path, "/x");
  EXPECT_EQ(loc.security.tls, true);
  EXPECT_EQ(ParseUri("igfs:///x?tls=0", "h", 1)->security.tls, false);
  EXPECT_EQ(ParseUri("igfs://h:1?ca_file=/a", "h", 1)->path, "/");
  // A bare path has no query: '?' is part of the name.
  EXPECT_EQ(ParseUri("/a?b", "h", 1)->path, "/a?b");
}

TEST_F(OptionsTest, UnknownRepeatedAndSecretParametersAreRefusedWithoutTheirValues) {
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

TEST_F(OptionsTest, EnvironmentFillsWhatIsNotGiven) {
  ConnectionOptions plain = *ResolveConnectionOptions("h", 1, {});
  EXPECT_FALSE(plain.tls.enabled);
  EXPECT_EQ(plain.username, "");

  setenv("IGNITE_DATASET_USERNAME", "ignite", 1);
  setenv("IGNITE_DATASET_PASSWORD", "pw", 1);
  setenv("IGNITE_DATASET_CERTFILE", "/env/c.pem", 1);
  setenv("IGNITE_DATASET_KEYFILE", "/env/k.pem", 1);
  setenv("IGNITE_DATASET_CERT_PASSWORD", "kpw", 1);
  SecurityOptions given;
  given.ca_file = "/uri/ca.pem";
  given.key_file = "/uri/k.pem";
  ConnectionOptions o = *ResolveConnectionOptions("h", 1, given);
  EXPECT_EQ(o.username, "ignite");
  EXPECT_EQ(o.password, "pw");
  EXPECT_TRUE(o.tls.enabled);
  EXPECT_EQ(o.tls.ca_file, "/uri/ca.pem");
  EXPECT_EQ(o.tls.cert_file, "/env/c.pem");
  EXPECT_EQ(o.tls.key_file, "/uri/k.pem");  // the explicit value wins
  EXPECT_EQ(o.tls.key_password, "kpw");

  // A TLS file in the environment alone turns TLS on; tls=false turns it off again.
  ConnectionOptions from_env = *ResolveConnectionOptions("h", 1, {});
  EXPECT_TRUE(from_env.tls.enabled);
  SecurityOptions off;
  off.tls = false;
  ConnectionOptions plain_again = *ResolveConnectionOptions("h", 1, off);
  EXPECT_FALSE(plain_again.tls.enabled);
  EXPECT_EQ(plain_again.tls.cert_file, "");
  off.ca_file = "/a";
  EXPECT_THAT(ResolveConnectionOptions("h", 1, off).status().message(),
              HasSubstr("tls=false contradicts the TLS options ca_file"));
}

TEST_F(OptionsTest, ConnectionKeysDifferWithEveryOptionAndHideSecrets) {
  SecurityOptions a;
  a.ca_file = "/a";
  SecurityOptions b = a;
  b.cert_file = "/c";
  SecurityOptions c = a;
  c.password = "Top-Secret-9";
  const std::string ka = ConnectionKey(*ResolveConnectionOptions("h", 1, a));
  EXPECT_EQ(ka, ConnectionKey(*ResolveConnectionOptions("h", 1, a)));
  EXPECT_NE(ka, ConnectionKey(*ResolveConnectionOptions("h", 1, b)));
  EXPECT_NE(ka, ConnectionKey(*ResolveConnectionOptions("h", 2, a)));
  const std::string kc = ConnectionKey(*ResolveConnectionOptions("h", 1, c));
  EXPECT_NE(ka, kc);
  EXPECT_THAT(kc, Not(HasSubstr("Top-Secret-9")));
}

}  // namespace
}  // namespace ignite_tf::fs
