#include "core/client/connection_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ignite_tf {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConnectionOptionsTest, DefaultsAreValid) {
  ConnectionOptions o;
  EXPECT_TRUE(o.Validate().ok());
  EXPECT_EQ(AddressesToString(o.addresses), "localhost:10800");
  EXPECT_FALSE(o.tls.on());
}

TEST(ConnectionOptionsTest, ValidateNamesTheOptionsThatCannotWorkTogether) {
  ConnectionOptions o;
  o.addresses.front().host = "";
  EXPECT_TRUE(absl::IsInvalidArgument(o.Validate()));
  EXPECT_THAT(o.Validate().message(), HasSubstr("host is empty"));

  o = ConnectionOptions();
  o.addresses.push_back(Address{"second", 70000});
  EXPECT_THAT(o.Validate().message(), HasSubstr("70000"));

  o = ConnectionOptions();
  o.tls.enabled = false;
  o.tls.ca_file = "/ca.pem";
  o.tls.certfile = "/c.pem";
  o.tls.cert_password = "Top-Secret-9";
  const absl::Status off = o.Validate();
  EXPECT_TRUE(absl::IsInvalidArgument(off));
  EXPECT_THAT(off.message(), HasSubstr("TLS is disabled but the TLS options ca_file, certfile, "
                                       "cert_password were given"));
  EXPECT_THAT(off.message(), Not(HasSubstr("Top-Secret-9")));
  EXPECT_THAT(off.message(), Not(HasSubstr("tls=")));

  o = ConnectionOptions();
  o.tls.keyfile = "/k.pem";
  EXPECT_THAT(o.Validate().message(), HasSubstr("keyfile was given without a certfile"));
}

TEST(ConnectionOptionsTest, AnyTlsOptionTurnsTlsOnUnlessDisabled) {
  ConnectionOptions o;
  o.tls.tls_insecure_skip_verify = true;
  EXPECT_TRUE(o.tls.on());
  o.tls.enabled = false;
  EXPECT_FALSE(o.tls.on());
}

TEST(ConnectionOptionsTest, TimeoutsOfZeroOrLessMeanNone) {
  EXPECT_EQ(TimeoutFromSeconds(0), absl::InfiniteDuration());
  EXPECT_EQ(TimeoutFromSeconds(-1), absl::InfiniteDuration());
  EXPECT_EQ(TimeoutFromSeconds(2.5), absl::Milliseconds(2500));
}

TEST(ConnectionOptionsTest, FillFromTakesOnlyWhatIsNotGiven) {
  ConnectionOptions env;
  env.username = "ignite";
  env.password = "pw";
  env.tls.certfile = "/env/c.pem";
  env.tls.keyfile = "/env/k.pem";
  env.tls.cert_password = "kpw";
  env.tls.tls_insecure_skip_verify = true;    // never taken from a fallback
  env.addresses = {Address{"elsewhere", 1}};  // nor the address

  ConnectionOptions o;
  o.addresses = {Address{"h", 2}};
  o.tls.ca_file = "/uri/ca.pem";
  o.tls.keyfile = "/uri/k.pem";
  o.FillFrom(env);
  EXPECT_EQ(AddressesToString(o.addresses), "h:2");
  EXPECT_EQ(o.username, "ignite");
  EXPECT_EQ(o.password, "pw");
  EXPECT_TRUE(o.tls.on());
  EXPECT_EQ(o.tls.ca_file, "/uri/ca.pem");
  EXPECT_EQ(o.tls.certfile, "/env/c.pem");
  EXPECT_EQ(o.tls.keyfile, "/uri/k.pem");  // the explicit value wins
  EXPECT_EQ(o.tls.cert_password, "kpw");
  EXPECT_FALSE(o.tls.tls_insecure_skip_verify);

  // A TLS file of the fallback alone turns TLS on; TLS disabled ignores the fallback's TLS.
  ConnectionOptions from_env;
  from_env.FillFrom(env);
  EXPECT_TRUE(from_env.tls.on());
  ConnectionOptions off;
  off.tls.enabled = false;
  off.FillFrom(env);
  EXPECT_FALSE(off.tls.on());
  EXPECT_EQ(off.tls.certfile, "");
  EXPECT_EQ(off.username, "ignite");
  EXPECT_TRUE(off.Validate().ok());

  // A key password without a certificate to use it with is not taken.
  ConnectionOptions password_only;
  password_only.tls.cert_password = "kpw";
  ConnectionOptions bare;
  bare.FillFrom(password_only);
  EXPECT_FALSE(bare.tls.on());
}

TEST(ConnectionOptionsTest, ConnectionKeysDifferWithEveryOptionAndHideSecrets) {
  ConnectionOptions a;
  a.tls.ca_file = "/a";
  ConnectionOptions b = a;
  b.tls.certfile = "/c";
  ConnectionOptions c = a;
  c.password = "Top-Secret-9";
  ConnectionOptions d = a;
  d.addresses.front().port = 2;
  const std::string ka = ConnectionKey(a);
  EXPECT_EQ(ka, ConnectionKey(a));
  EXPECT_NE(ka, ConnectionKey(b));
  EXPECT_NE(ka, ConnectionKey(d));
  const std::string kc = ConnectionKey(c);
  EXPECT_NE(ka, kc);
  EXPECT_THAT(kc, Not(HasSubstr("Top-Secret-9")));
}

TEST(ParseAddressesTest, ReadsEntriesWithAndWithoutPorts) {
  absl::StatusOr<std::vector<Address>> a =
      ParseAddresses(" h1:10801 , h2,[::1]:10802, [fe80::2] ,::3", 10900);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->size(), 5u);
  EXPECT_EQ((*a)[0].host, "h1");
  EXPECT_EQ((*a)[0].port, 10801);
  EXPECT_EQ((*a)[1].host, "h2");
  EXPECT_EQ((*a)[1].port, 10900);  // the default port
  EXPECT_EQ((*a)[2].host, "::1");
  EXPECT_EQ((*a)[2].port, 10802);
  EXPECT_EQ((*a)[3].host, "fe80::2");
  EXPECT_EQ((*a)[3].port, 10900);
  EXPECT_EQ((*a)[4].host, "::3");  // a bare IPv6 address is a host
  EXPECT_EQ(AddressesToString(*a), "h1:10801,h2:10900,[::1]:10802,[fe80::2]:10900,[::3]:10900");
}

TEST(ParseAddressesTest, NamesTheBadEntry) {
  for (const auto& [text, named] :
       std::vector<std::pair<std::string, std::string>>{{"h1,,h2", "empty entry (entry 2)"},
                                                        {"h1, ", "empty entry (entry 2)"},
                                                        {"h1:0", "'h1:0'"},
                                                        {"h1:65536", "'h1:65536'"},
                                                        {"h1:port", "'h1:port'"},
                                                        {"h1:", "'h1:' in 'h1:' has an empty port"},
                                                        {":10800", "empty host"},
                                                        {"[::1", "closing ']'"},
                                                        {"[::1]x", "'[::1]x'"}}) {
    absl::StatusOr<std::vector<Address>> a = ParseAddresses(text, 10800);
    EXPECT_TRUE(absl::IsInvalidArgument(a.status())) << text;
    EXPECT_THAT(a.status().message(), HasSubstr(named)) << text;
  }
}

TEST(ConnectionOptionsTest, ValidateChecksEveryAddress) {
  ConnectionOptions o;
  o.addresses.clear();
  EXPECT_THAT(o.Validate().message(), HasSubstr("no address"));
  o.addresses = {Address{"a", 1}, Address{"", 2}};
  EXPECT_THAT(o.Validate().message(), HasSubstr("host is empty"));
}

}  // namespace
}  // namespace ignite_tf
