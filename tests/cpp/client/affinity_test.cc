#include "core/client/affinity.h"

#include <cmath>
#include <limits>

#include "core/client/connection.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::TBool;
using ::ignite_tf::testing::TByte;
using ::ignite_tf::testing::TChar;
using ::ignite_tf::testing::TDate;
using ::ignite_tf::testing::TDouble;
using ::ignite_tf::testing::TFloat;
using ::ignite_tf::testing::TInt;
using ::ignite_tf::testing::TIntArray;
using ::ignite_tf::testing::TLong;
using ::ignite_tf::testing::TShort;
using ::ignite_tf::testing::TString;
using ::ignite_tf::testing::TUuid;
using ::ignite_tf::testing::TWrapped;

// Java's hashCode() of each key, and RendezvousAffinityFunction's partition of it among 1024 and
// among 1000 partitions, printed by a Java 17 program (Integer.valueOf(42).hashCode(), ...).
struct Vector {
  Bytes key;
  int32_t hash;
  int32_t of_1024;
  int32_t of_1000;
};

TEST(KeyHashCodeTest, MatchesJavaHashCodeAndPartitionOfEachType) {
  const std::vector<Vector> vectors = {
      {TInt(42), 42, 42, 42},
      {TInt(-7), -7, 6, 7},
      {TLong(int64_t{1} << 40), 256, 256, 256},
      {TLong(-1), 0, 0, 0},
      {TString("hello"), 99162322, 315, 322},
      {TString("\xD0\x9A\xD0\xBB\xD1\x8E\xD1\x87"), 32356570, 311, 570},  // "Ключ"
      {TString(""), 0, 0, 0},
      {TBool(true), 1231, 207, 231},
      {TBool(false), 1237, 213, 237},
      {TDouble(1.5), 1073217536, 1016, 536},
      {TDouble(-0.0), std::numeric_limits<int32_t>::min(), 0, 648},
      {TDouble(std::nan("")), 2146959360, 1016, 360},
      {TFloat(2.5f), 1075838976, 32, 976},
      {TByte(-3), -3, 2, 3},
      {TShort(-300), -300, 299, 300},
      {TChar('x'), 120, 120, 120},
      {TUuid(0x0123456789abcdef, 0x1122334455667788), -858993596, 136, 596},
      {TDate(1700000000123), -807048720, 533, 720},
      {ByteBuilder().U8(kTimestamp).I64(1700000000123).I32(456789), -807048720, 533, 720},
  };
  for (const Vector& v : vectors) {
    const std::optional<int32_t> hash = KeyHashCode(v.key);
    ASSERT_TRUE(hash.has_value()) << "type code " << int{v.key[0]};
    EXPECT_EQ(*hash, v.hash) << "type code " << int{v.key[0]};
    EXPECT_EQ(PartitionOfHash(*hash, 1024), v.of_1024) << v.hash;
    EXPECT_EQ(PartitionOfHash(*hash, 1000), v.of_1000) << v.hash;
  }
}

TEST(KeyHashCodeTest, BinaryObjectsHashTheirHeaderHash) {
  // A bare object (103) and the same wrapped (27): the hash field at offset 8 of the header.
  const Bytes object = ByteBuilder()
                           .U8(kComplexObject)
                           .U8(1)
                           .I16(0x2B)
                           .I32(0x0BADCAFE)  // type id
                           .I32(-123456789)  // hash
                           .I32(24)
                           .I32(0)
                           .I32(24);
  EXPECT_EQ(KeyHashCode(object), -123456789);
  const Bytes wrapped = TWrapped(ByteBuilder().U8(0).Append(object), 1);
  EXPECT_EQ(KeyHashCode(wrapped), -123456789);
  EXPECT_EQ(KeyHashCode(TWrapped(object, 99)), std::nullopt);  // a start outside the payload
}

TEST(KeyHashCodeTest, UnknownTypesAndTruncatedKeysHaveNone) {
  EXPECT_EQ(KeyHashCode(TIntArray({1, 2})), std::nullopt);
  EXPECT_EQ(KeyHashCode(Bytes{kInt, 1, 2}), std::nullopt);
  EXPECT_EQ(KeyHashCode(Bytes{}), std::nullopt);
  EXPECT_EQ(KeyHashCode(Bytes{kString, 9, 0, 0, 0, 'a'}), std::nullopt);
}

TEST(PartitionOfHashTest, PowerOfTwoMasksAndOthersTakeTheRemainder) {
  EXPECT_EQ(PartitionOfHash(0x12345678, 1024), (0x12345678 ^ 0x1234) & 1023);
  EXPECT_EQ(PartitionOfHash(std::numeric_limits<int32_t>::min(), 1000), 648);
  EXPECT_EQ(PartitionOfHash(std::numeric_limits<int32_t>::min(), 7), 2);
  EXPECT_EQ(PartitionOfHash(-1, 1), 0);
}

// Node ids as the protocol writes them: a UUID object (0x0A, int64 most, int64 least).
Bytes NodeUuid(int64_t most, int64_t least) { return TUuid(most, least); }

TEST(ParsePartitionsReplyTest, ReadsEveryGroupWithPrimariesAndKeyConfigs) {
  const Bytes reply = ByteBuilder()
                          .I64(7)  // topology version
                          .I32(2)  // minor
                          .I32(2)  // groups
                          // Group 1: applicable, caches 11 (one key config) and 12 (none).
                          .U8(1)
                          .I32(2)
                          .I32(11)
                          .I32(1)
                          .I32(555)  // key type id
                          .I32(666)  // affinity field id
                          .I32(12)
                          .I32(0)
                          .I32(2)  // nodes
                          .Append(NodeUuid(1, 2))
                          .I32(2)
                          .I32(0)
                          .I32(3)
                          .Append(NodeUuid(3, 4))
                          .I32(1)
                          .I32(1)  // partition 2 has no primary
                          // Group 2: not applicable (a replicated cache): ids only.
                          .U8(0)
                          .I32(1)
                          .I32(13);
  Reader r(reply);
  absl::StatusOr<PartitionsReply> parsed = ParsePartitionsReply(r);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->version, (AffinityVersion{7, 2}));
  ASSERT_EQ(parsed->caches.size(), 3u);
  const CacheAffinity& first = parsed->caches[0];
  EXPECT_EQ(first.cache_id, 11);
  EXPECT_TRUE(first.applicable);
  EXPECT_EQ(first.partition_count, 4);
  ASSERT_EQ(first.key_configs.size(), 1u);
  EXPECT_EQ(first.key_configs[0].key_type_id, 555);
  EXPECT_EQ(first.key_configs[0].affinity_field_id, 666);
  ASSERT_NE(first.PrimaryOf(3), nullptr);
  EXPECT_EQ(NodeIdText(*first.PrimaryOf(3)), "00000000-0000-0001-0000-000000000002");
  EXPECT_EQ(NodeIdText(*first.PrimaryOf(1)), "00000000-0000-0003-0000-000000000004");
  EXPECT_EQ(first.PrimaryOf(2), nullptr);
  EXPECT_EQ(first.PrimaryOf(4), nullptr);
  EXPECT_EQ(parsed->caches[1].cache_id, 12);
  EXPECT_TRUE(parsed->caches[1].key_configs.empty());
  EXPECT_EQ(parsed->caches[1].partition_count, 4);
  EXPECT_EQ(parsed->caches[2].cache_id, 13);
  EXPECT_FALSE(parsed->caches[2].applicable);
  EXPECT_EQ(parsed->caches[2].PrimaryOf(0), nullptr);

  // Keys of a cache with key configurations: objects are not mapped here, plain keys are.
  EXPECT_EQ(PartitionOfKey(first, TInt(3)), 3);
  EXPECT_EQ(PartitionOfKey(first, Bytes{kComplexObject, 1, 0x2B, 0, 0, 0, 0, 0, 5, 0, 0, 0}),
            std::nullopt);
  EXPECT_EQ(PartitionOfKey(parsed->caches[2], TInt(3)), std::nullopt);
}

TEST(ParsePartitionsReplyTest, MalformedRepliesAreProtocolErrors) {
  Bytes reply = ByteBuilder().I64(1).I32(0).I32(1).U8(1).I32(1).I32(5).I32(0).I32(1);
  Bytes bad_node = ByteBuilder().Append(reply).Append(TInt(1));
  Reader r1(bad_node);
  EXPECT_EQ(GetErrorKind(ParsePartitionsReply(r1).status()), ErrorKind::kProtocol);
  Bytes bad_partition = ByteBuilder().Append(reply).Append(NodeUuid(1, 1)).I32(1).I32(-4);
  Reader r2(bad_partition);
  EXPECT_EQ(GetErrorKind(ParsePartitionsReply(r2).status()), ErrorKind::kProtocol);
  Bytes truncated = ByteBuilder().I64(1).I32(0).I32(3).U8(1);
  Reader r3(truncated);
  EXPECT_FALSE(ParsePartitionsReply(r3).ok());
}

TEST(ReplyHeaderTest, ReadsTheAffinityVersionAReplyFlags) {
  const Bytes flagged = ByteBuilder().I64(5).I16(0x02).I64(9).I32(3).U8(0xEE);
  absl::StatusOr<ReplyHeader> header = ParseReplyHeader(flagged, ProtocolVersion{1, 7, 0});
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->affinity_version, (AffinityVersion{9, 3}));
  EXPECT_EQ(header->body_offset, 22u);
  const Bytes plain = ByteBuilder().I64(5).I16(0).U8(0xEE);
  header = ParseReplyHeader(plain, ProtocolVersion{1, 7, 0});
  ASSERT_TRUE(header.ok());
  EXPECT_FALSE(header->affinity_version.known());
  EXPECT_TRUE((AffinityVersion{9, 2}) < (AffinityVersion{9, 3}));
  EXPECT_TRUE((AffinityVersion{8, 7}) < (AffinityVersion{9, 0}));
}

TEST(NodeIdTextTest, WritesJavaUuidText) {
  const Bytes id = TUuid(0x0123456789abcdef, 0x1122334455667788);
  NodeId node{};
  std::copy(id.begin() + 1, id.end(), node.begin());
  EXPECT_EQ(NodeIdText(node), "01234567-89ab-cdef-1122-334455667788");
  EXPECT_EQ(NodeIdText(NodeId{}), "");
}

}  // namespace
}  // namespace ignite_tf
