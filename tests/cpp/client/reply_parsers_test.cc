// The reply parsers the connection and the SQL cursor use, called on bytes (as the fuzzers call
// them): ParseHandshakeReply and ParseSqlFirstReply.
#include <vector>

#include "core/binary/type_codes.h"
#include "core/client/connection.h"
#include "core/client/sql_cursor.h"
#include "core/common/error.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::StatusIs;
using ::ignite_tf::testing::TInt;
using ::ignite_tf::testing::TString;

constexpr ProtocolVersion kV170{1, 7, 0};
constexpr ProtocolVersion kV140{1, 4, 0};
constexpr ProtocolVersion kV110{1, 1, 0};

TEST(ParseHandshakeReplyTest, AcceptedWithFeaturesAndNodeId) {
  ByteBuilder b;
  b.U8(1).U8(kByteArray).I32(2).U8(0xff).U8(0x01).U8(kUuid);
  for (int i = 0; i < 16; ++i) b.U8(static_cast<uint8_t>(i + 1));
  ASSERT_OK_AND_ASSIGN(HandshakeReply reply, ParseHandshakeReply(b.Build(), kV170, "h:1"));
  EXPECT_TRUE(reply.accepted);
  EXPECT_EQ(reply.node_id[0], 1);
  EXPECT_EQ(reply.node_id[15], 16);
  EXPECT_EQ(reply.offer.major, 0);
}

TEST(ParseHandshakeReplyTest, NodeIdOnlyFrom14) {
  ByteBuilder b;
  b.U8(1).U8(kUuid).Fill(16, 7);
  ASSERT_OK_AND_ASSIGN(HandshakeReply v14, ParseHandshakeReply(b.Build(), kV140, "h:1"));
  EXPECT_EQ(v14.node_id[3], 7);
  ASSERT_OK_AND_ASSIGN(HandshakeReply v11, ParseHandshakeReply(b.Build(), kV110, "h:1"));
  EXPECT_TRUE(v11.accepted);
  EXPECT_EQ(v11.node_id, NodeId{});
}

TEST(ParseHandshakeReplyTest, RefusalCarriesOfferMessageAndStatus) {
  Bytes reply = ByteBuilder()
                    .U8(0)
                    .I16(1)
                    .I16(6)
                    .I16(0)
                    .Append(TString("unsupported version"))
                    .I32(kStatusAuthFailed);
  ASSERT_OK_AND_ASSIGN(HandshakeReply parsed, ParseHandshakeReply(reply, kV170, "h:1"));
  EXPECT_FALSE(parsed.accepted);
  EXPECT_EQ(parsed.offer.ToString(), "1.6.0");
  EXPECT_EQ(parsed.message, "unsupported version");
  EXPECT_EQ(parsed.status, kStatusAuthFailed);
  // Without a status (old servers): a plain failure.
  reply.resize(reply.size() - 4);
  ASSERT_OK_AND_ASSIGN(parsed, ParseHandshakeReply(reply, kV170, "h:1"));
  EXPECT_EQ(parsed.status, kStatusFailed);
}

TEST(ParseHandshakeReplyTest, MalformedRepliesAreProtocolErrors) {
  EXPECT_THAT(ParseHandshakeReply(Bytes{}, kV170, "h:1").status(),
              ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(ParseHandshakeReply(Bytes{2}, kV170, "h:1").status(),
              StatusIs(absl::StatusCode::kDataLoss, "answered the handshake with byte 2"));
  EXPECT_THAT(ParseHandshakeReply(Bytes{1, kInt}, kV170, "h:1").status(),
              ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(ParseHandshakeReply(Bytes{1, kByteArray, 5, 0, 0, 0, 1}, kV170, "h:1").status(),
              ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(ParseHandshakeReply(Bytes{0, 1, 0, 7}, kV170, "h:1").status(),
              ErrorKindIs(ErrorKind::kProtocol));
}

TEST(ParseSqlFirstReplyTest, CursorColumnsAndFirstPage) {
  Bytes body = ByteBuilder()
                   .Fill(3, 0xee)  // what precedes the body in the frame
                   .I64(42)        // cursor id
                   .I32(2)
                   .Append(TString("A"))
                   .Append(TString("B"))
                   .I32(1)  // rows
                   .Append(TInt(5))
                   .Append(TString("x"))
                   .U8(1);  // more
  ASSERT_OK_AND_ASSIGN(SqlFirstReply reply,
                       ParseSqlFirstReply(FrameBytes(body.begin(), body.end()), 3));
  EXPECT_EQ(reply.cursor_id, 42);
  EXPECT_EQ(reply.columns, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(reply.page.row_count, 1);
  EXPECT_TRUE(reply.page.more);
  ASSERT_OK_AND_ASSIGN(auto rows, DecodeSqlRows(reply.page, reply.columns, nullptr));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].integer, 5);
  EXPECT_EQ(rows[0][1].text, "x");
}

TEST(ParseSqlFirstReplyTest, ARowTakesABytePerColumn) {
  // Three columns, a claim of 2 rows in 4 bytes: at least 6 bytes needed.
  Bytes body = ByteBuilder()
                   .I64(1)
                   .I32(3)
                   .Append(TString("A"))
                   .Append(TString("B"))
                   .Append(TString("C"))
                   .I32(2)
                   .Fill(4, kNull)
                   .U8(0);
  EXPECT_THAT(ParseSqlFirstReply(FrameBytes(body.begin(), body.end()), 0).status(),
              ErrorKindIs(ErrorKind::kProtocol));
}

}  // namespace
}  // namespace ignite_tf
