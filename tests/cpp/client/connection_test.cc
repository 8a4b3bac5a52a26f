// Connection::CallEach: several requests in one write, their replies matched by request id in
// whatever order a server sends them, over a scripted transport (the bytes a node would send).
#include "core/client/connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <utility>
#include <vector>

#include "core/client/protocol.h"
#include "core/common/error.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::Concat;
using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::ScriptedTransport;
using ::ignite_tf::testing::TString;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr ProtocolVersion kVersion{1, 7, 0};

// A reply frame (length prefix included) to request `id`: flags 0 and a bool body.
Bytes BoolReply(int64_t id, bool value) {
  Bytes payload = ByteBuilder().I64(id).I16(0).U8(value ? 1 : 0);
  return Concat({ByteBuilder().I32(static_cast<int32_t>(payload.size())), payload});
}

// A refusal of request `id` with the server's status and message.
Bytes ErrorReply(int64_t id, int32_t status, absl::string_view message) {
  Bytes payload = ByteBuilder().I64(id).I16(1).I32(status).Append(TString(message));
  return Concat({ByteBuilder().I32(static_cast<int32_t>(payload.size())), payload});
}

struct Scripted {
  ScriptedTransport* transport;  // owned by the connection
  std::unique_ptr<Connection> connection;
};

Scripted Over(std::vector<Bytes> replies) {
  auto transport = std::make_unique<ScriptedTransport>(std::move(replies));
  ScriptedTransport* raw = transport.get();
  return {raw, Connection::Adopt(std::move(transport), Address{"node", 10800}, kVersion)};
}

// Three requests whose bodies are one int each; records each reply's bool by request index.
absl::Status CallThree(Connection& c, std::vector<int>* seen) {
  seen->assign(3, -1);
  return c.CallEach(
      OpCode::kCachePutIfAbsent, 3, [](size_t i, Writer& w) { w.WriteInt32(100 + int32_t(i)); },
      [&](size_t i, Reader& body) -> absl::Status {
        IGNITE_ASSIGN_OR_RETURN(bool b, body.ReadBool());
        (*seen)[i] = b ? 1 : 0;
        return absl::OkStatus();
      },
      "three puts");
}

TEST(CallEachTest, SendsEveryRequestInOneWriteWithConsecutiveIds) {
  Scripted s = Over({BoolReply(1, true), BoolReply(2, false), BoolReply(3, true)});
  std::vector<int> seen;
  ASSERT_THAT(CallThree(*s.connection, &seen), IsOk());
  Bytes expected;
  for (int i = 0; i < 3; ++i) {
    Bytes frame = ByteBuilder().I16(1002).I64(i + 1).I32(100 + i);
    expected = Concat({expected, ByteBuilder().I32(static_cast<int32_t>(frame.size())), frame});
  }
  EXPECT_EQ(s.transport->written(), expected);
  EXPECT_THAT(seen, ElementsAre(1, 0, 1));
  EXPECT_EQ(s.connection->request_count(), 3);
}

TEST(CallEachTest, MatchesRepliesThatArriveOutOfOrder) {
  Scripted s = Over({BoolReply(3, true), BoolReply(1, false), BoolReply(2, true),
                     BoolReply(5, false), BoolReply(6, true), BoolReply(4, true)});
  std::vector<int> seen;
  ASSERT_THAT(CallThree(*s.connection, &seen), IsOk());
  EXPECT_THAT(seen, ElementsAre(0, 1, 1));
  // The next call's ids follow on: 4, 5, 6.
  ASSERT_THAT(CallThree(*s.connection, &seen), IsOk());
  EXPECT_THAT(seen, ElementsAre(1, 0, 1));
  EXPECT_EQ(s.connection->request_count(), 6);
}

TEST(CallEachTest, ARefusedRequestIsReportedAfterTheOthersAndTheConnectionStaysUsable) {
  Scripted s =
      Over({BoolReply(1, true), ErrorReply(2, kStatusFailed, "key type mismatch"),
            BoolReply(3, false), BoolReply(4, true), BoolReply(5, true), BoolReply(6, true)});
  std::vector<int> seen;
  absl::Status status = CallThree(*s.connection, &seen);
  EXPECT_THAT(status, ErrorKindIs(ErrorKind::kServer));
  EXPECT_THAT(std::string(status.message()), HasSubstr("key type mismatch"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("three puts"));
  EXPECT_THAT(seen, ElementsAre(1, -1, 0));  // the replies after the refusal were read
  EXPECT_FALSE(s.connection->broken());
  ASSERT_THAT(CallThree(*s.connection, &seen), IsOk());
  EXPECT_THAT(seen, ElementsAre(1, 1, 1));
}

TEST(CallEachTest, AReplyToNoWaitingRequestBreaksTheConnection) {
  for (int64_t wrong : {int64_t{0}, int64_t{4}, int64_t{2}}) {
    // 0 and 4 were never sent; the second reply to 2 answers it twice.
    Scripted s = Over({BoolReply(2, true), BoolReply(wrong, true), BoolReply(3, true)});
    std::vector<int> seen;
    absl::Status status = CallThree(*s.connection, &seen);
    EXPECT_THAT(status, ErrorKindIs(ErrorKind::kProtocol)) << wrong;
    EXPECT_THAT(std::string(status.message()), HasSubstr("expected one of 1..3")) << wrong;
    EXPECT_TRUE(s.connection->broken()) << wrong;
    EXPECT_THAT(CallThree(*s.connection, &seen), ErrorKindIs(ErrorKind::kProtocol)) << wrong;
  }
}

TEST(CallEachTest, ATruncatedOrMissingReplyIsAnErrorNotAHang) {
  Bytes cut = BoolReply(2, true);
  cut.pop_back();
  Scripted s = Over({BoolReply(1, true), cut});
  std::vector<int> seen;
  absl::Status status = CallThree(*s.connection, &seen);
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(s.connection->broken());
}

TEST(CallEachTest, ABodyTheCallerRejectsIsReportedWithoutBreakingTheStream) {
  // Request 2's reply has no body: on_reply fails, the third reply is still read.
  Bytes empty = ByteBuilder().I32(10).I64(2).I16(0);
  Scripted s = Over({BoolReply(1, true), empty, BoolReply(3, true)});
  std::vector<int> seen;
  EXPECT_FALSE(CallThree(*s.connection, &seen).ok());
  EXPECT_THAT(seen, ElementsAre(1, -1, 1));
  EXPECT_FALSE(s.connection->broken());
}

TEST(CallEachTest, NoRequestsSendsNothing) {
  Scripted s = Over({});
  EXPECT_THAT(s.connection->CallEach(
                  OpCode::kCachePutIfAbsent, 0, [](size_t, Writer&) {},
                  [](size_t, Reader&) { return absl::OkStatus(); }, "nothing"),
              IsOk());
  EXPECT_TRUE(s.transport->written().empty());
}

}  // namespace
}  // namespace ignite_tf
