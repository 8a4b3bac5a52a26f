#include "core/client/cache_config.h"

#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::TString;

TEST(CacheConfigurationTest, WritesTheNameAndOnlyTheSettingsGiven) {
  Writer w;
  CacheSettings settings;
  settings.backups = 1;
  settings.write_synchronization = WriteSynchronization::kFullSync;
  WriteCacheConfiguration(w, "C", settings);
  // int32 length | int16 count | (int16 code, value)...: name (0), backups (3), sync (4).
  const Bytes expected = ByteBuilder()
                             .I32(2 + 2 + 6 + 2 + 4 + 2 + 4)
                             .I16(3)
                             .I16(0)
                             .Append(TString("C"))
                             .I16(3)
                             .I32(1)
                             .I16(4)
                             .I32(0);
  EXPECT_EQ(w.Release(), expected);

  Writer all;
  settings.mode = CacheMode::kReplicated;
  settings.atomicity = CacheAtomicity::kTransactional;
  WriteCacheConfiguration(all, "C", settings);
  const Bytes expected_all = ByteBuilder()
                                 .I32(2 + 8 + 4 * 6)
                                 .I16(5)
                                 .I16(0)
                                 .Append(TString("C"))
                                 .I16(1)
                                 .I32(1)
                                 .I16(2)
                                 .I32(0)
                                 .I16(3)
                                 .I32(1)
                                 .I16(4)
                                 .I32(0);
  EXPECT_EQ(all.Release(), expected_all);
  EXPECT_FALSE(CacheSettings{}.mode.has_value());
  EXPECT_TRUE(CacheSettings{}.empty());
  CacheSettings negative;
  negative.backups = -1;
  EXPECT_TRUE(absl::IsInvalidArgument(negative.Validate()));
}

TEST(CacheConfigurationTest, ReadsTheSettingsOfAConfigurationReply) {
  // The leading fields of ClientCacheConfigurationSerializer.write, up to the sync mode.
  const Bytes body = ByteBuilder()
                         .I32(0)  // length (not checked)
                         .I32(0)  // atomicity: TRANSACTIONAL
                         .I32(2)  // backups
                         .I32(1)  // mode: REPLICATED
                         .U8(1)   // copyOnRead
                         .U8(kNull)
                         .U8(1)
                         .U8(0)
                         .Append(TString("group"))
                         .I64(0)
                         .I32(500)
                         .I32(1024)
                         .Append(TString("NAME"))
                         .U8(0)
                         .I32(0)
                         .I32(0)
                         .I32(1)
                         .U8(1)
                         .I32(512 * 1024)
                         .I64(2)
                         .I64(0)
                         .I32(1)
                         .I32(0)
                         .I64(0)
                         .I64(10000)
                         .U8(0)
                         .I32(-1)
                         .U8(kNull)
                         .I32(1)  // FULL_ASYNC
                         .I32(0)  // (key configurations follow)
                         .Build();
  Reader r(body);
  std::string name;
  absl::StatusOr<CacheSettings> settings = ReadCacheConfiguration(r, &name);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(name, "NAME");
  EXPECT_EQ(settings->atomicity, CacheAtomicity::kTransactional);
  EXPECT_EQ(settings->backups, 2);
  EXPECT_EQ(settings->mode, CacheMode::kReplicated);
  EXPECT_EQ(settings->write_synchronization, WriteSynchronization::kFullAsync);

  Reader truncated(absl::MakeConstSpan(body).first(40));
  EXPECT_EQ(GetErrorKind(ReadCacheConfiguration(truncated).status()), ErrorKind::kProtocol);
}

}  // namespace
}  // namespace ignite_tf
