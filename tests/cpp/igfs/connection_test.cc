#include "core/igfs/connection.h"

#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "core/common/error.h"
#include "core/igfs/errors.h"
#include "igfs/igfs_bytes.h"
#include "test_util.h"

namespace ignite_tf::igfs {
namespace {

using ::ignite_tf::testing::BeBytes;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::IsOkAndHolds;
using ::ignite_tf::testing::ScriptedTransport;
using ::ignite_tf::testing::StatusIs;

Bytes HandshakeReply() { return BeBytes().ReplyHeader(0, 10).U8(1).Str("igfs").I64(65536).U8(0); }

// A transport for several threads: past the handshake reply, replies are released only once
// `release_after` bytes of requests have been written, so the script can answer requests in any
// order.
class GatedTransport final : public Transport {
 public:
  GatedTransport(Bytes replies, size_t release_after)
      : replies_(std::move(replies)), release_after_(release_after) {}
  absl::Status WriteAll(absl::Span<const uint8_t> data) override {
    absl::MutexLock lock(&mu_);
    written_.insert(written_.end(), data.begin(), data.end());
    ++writes_;
    return absl::OkStatus();
  }
  absl::StatusOr<size_t> ReadSome(absl::Span<uint8_t> buffer) override {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(this, &GatedTransport::Readable),
                              absl::Seconds(10))) {
      return TimeoutError("gated transport: nothing to read");
    }
    const size_t n = std::min(buffer.size(), Available() - pos_);
    std::memcpy(buffer.data(), replies_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  void Close() override {}
  const std::string& peer() const override { return peer_; }
  int writes() {
    absl::MutexLock lock(&mu_);
    return writes_;
  }

 private:
  size_t Available() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return written_.size() >= release_after_ ? replies_.size() : HandshakeReply().size();
  }
  bool Readable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return pos_ < Available(); }

  absl::Mutex mu_;
  const Bytes replies_;
  const size_t release_after_;
  size_t pos_ ABSL_GUARDED_BY(mu_) = 0;
  Bytes written_ ABSL_GUARDED_BY(mu_);
  int writes_ ABSL_GUARDED_BY(mu_) = 0;
  std::string peer_ = "gated:10500";
};

absl::StatusOr<std::unique_ptr<Connection>> OpenScripted(std::vector<Bytes> replies,
                                                         ScriptedTransport** transport,
                                                         ConnectionOptions options = {}) {
  auto scripted = std::make_unique<ScriptedTransport>(std::move(replies));
  *transport = scripted.get();
  return Connection::Open(std::move(scripted), options);
}

TEST(IgfsConnectionTest, HandshakeIsRequestZeroThenIdsCount) {
  ScriptedTransport* t;
  ASSERT_OK_AND_ASSIGN(auto c,
                       OpenScripted({HandshakeReply(), BeBytes().ReplyHeader(1, 0).U8(1)}, &t));
  EXPECT_EQ(c->handshake().fs_name, "igfs");
  EXPECT_EQ(c->handshake().group_block_size, 65536);
  EXPECT_THAT(c->Exists("/a"), IsOkAndHolds(true));
  const Bytes expected = BeBytes()
                             .Header(0, 0)
                             .U8(1)
                             .U8(1)
                             .Header(1, 2)
                             .NullStr()
                             .U8(1)
                             .Str("/a")
                             .U8(0)
                             .U8(0)
                             .U8(0)
                             .I32(-1);
  EXPECT_EQ(t->written(), expected);
}

TEST(IgfsConnectionTest, AWrongFilesystemNameIsAClearError) {
  ScriptedTransport* t;
  ConnectionOptions options;
  options.fs_name = "default_fs";
  absl::StatusOr<std::unique_ptr<Connection>> c = OpenScripted(
      {BeBytes()
           .ReplyHeader(0, 0, true)
           .Utf("Failed to perform handshake because existing IGFS name differs from requested")
           .I32(0)},
      &t, options);
  EXPECT_THAT(c, StatusIs(absl::StatusCode::kNotFound, "refused the filesystem name 'default_fs'"));
  EXPECT_THAT(c, StatusIs(absl::StatusCode::kNotFound, "Leave the filesystem name unset"));
}

TEST(IgfsConnectionTest, ServerErrorsKeepTheConnection) {
  ScriptedTransport* t;
  ASSERT_OK_AND_ASSIGN(auto c, OpenScripted({HandshakeReply(),
                                             BeBytes().ReplyHeader(1, 0, true).Utf("exists").I32(3),
                                             BeBytes().ReplyHeader(2, 0).U8(1)},
                                            &t));
  absl::Status renamed = c->Rename("/a", "/b");
  EXPECT_THAT(renamed, StatusIs(absl::StatusCode::kAlreadyExists, "IGFS rename /a to /b"));
  EXPECT_EQ(GetServerErrorCode(renamed), ServerErrorCode::kPathAlreadyExists);
  EXPECT_THAT(c->broken(), IsOk());
  EXPECT_THAT(c->Delete("/a", true), IsOkAndHolds(true));
}

TEST(IgfsConnectionTest, AWriteBlockErrorBreaksTheConnection) {
  ScriptedTransport* t;
  ASSERT_OK_AND_ASSIGN(
      auto c,
      OpenScripted({HandshakeReply(), BeBytes().ReplyHeader(1, 1).I64(5),
                    // No reply to the WRITE_BLOCK (2), but an error about it.
                    BeBytes().ReplyHeader(2, 9, true).Utf("Output stream not found").I32(0).I64(5),
                    BeBytes().ReplyHeader(3, 0).U8(1)},
                   &t));
  ASSERT_THAT(c->OpenCreate("/f"), IsOkAndHolds(5));
  ASSERT_THAT(c->WriteBlock(5, Bytes{1, 2, 3}), IsOk());
  // The close reads the write's error first: the stream is out of step, so the link is done.
  EXPECT_THAT(c->Close(5), StatusIs(absl::StatusCode::kInternal, "Output stream not found"));
  EXPECT_THAT(c->broken(), StatusIs(absl::StatusCode::kInternal, "block write (request 2)"));
  const size_t written = t->written().size();
  EXPECT_THAT(c->Exists("/f"),
              StatusIs(absl::StatusCode::kInternal, "closed after an earlier error"));
  EXPECT_THAT(c->WriteBlock(5, Bytes{4}), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(t->written().size(), written);  // nothing more was sent
}

TEST(IgfsConnectionTest, AnUnwaitedCloseReturnsAtOnceAndItsReplyIsDropped) {
  ScriptedTransport* t;
  ASSERT_OK_AND_ASSIGN(auto c, OpenScripted({HandshakeReply(),
                                             // CLOSE (1) fails; nobody waits for it.
                                             BeBytes().ReplyHeader(1, 0, true).Utf("gone").I32(0),
                                             BeBytes().ReplyHeader(2, 0).U8(1)},
                                            &t));
  const size_t before = t->written().size();
  c->CloseUnwaited(7);
  const Bytes sent(t->written().begin() + static_cast<ptrdiff_t>(before), t->written().end());
  EXPECT_EQ(sent, EncodeClose(1, 7));
  // The next call reads past the dropped reply (even an error) to its own.
  EXPECT_THAT(c->Exists("/f"), IsOkAndHolds(true));
  EXPECT_THAT(c->broken(), IsOk());
}

TEST(IgfsConnectionTest, WritesAreChunkedOneRequestEach) {
  ScriptedTransport* t;
  ConnectionOptions options;
  options.write_chunk_bytes = 2;
  ASSERT_OK_AND_ASSIGN(auto c, OpenScripted({HandshakeReply()}, &t, options));
  const size_t before = t->written().size();
  ASSERT_THAT(c->WriteBlock(9, Bytes{1, 2, 3}), IsOk());
  const Bytes sent(t->written().begin() + static_cast<ptrdiff_t>(before), t->written().end());
  EXPECT_EQ(sent, Bytes(BeBytes().Header(1, 18, 9, 2).Raw({1, 2}).Header(2, 18, 9, 1).Raw({3})));
}

TEST(IgfsConnectionTest, ATruncatedReplyBreaksTheConnection) {
  ScriptedTransport* t;
  ASSERT_OK_AND_ASSIGN(auto c,
                       OpenScripted({HandshakeReply(), BeBytes().ReplyHeader(1, 1).I32(0)}, &t));
  EXPECT_THAT(c->OpenAppend("/f", true), ErrorKindIs(ErrorKind::kConnection));
  EXPECT_THAT(c->Exists("/f"), ErrorKindIs(ErrorKind::kConnection));
}

TEST(IgfsConnectionTest, GarbageBreaksTheConnection) {
  ScriptedTransport* t;
  ASSERT_OK_AND_ASSIGN(auto c, OpenScripted({HandshakeReply(), Bytes(64, 0xAB)}, &t));
  EXPECT_THAT(c->Exists("/f"), ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(c->broken(), ErrorKindIs(ErrorKind::kProtocol));
}

TEST(IgfsConnectionTest, AReplyOfTheWrongTypeIsAProtocolError) {
  ScriptedTransport* t;
  ASSERT_OK_AND_ASSIGN(auto c,
                       OpenScripted({HandshakeReply(), BeBytes().ReplyHeader(1, 0).U8(1)}, &t));
  EXPECT_THAT(c->OpenCreate("/f"), ErrorKindIs(ErrorKind::kProtocol));
}

TEST(IgfsConnectionTest, MoreBlockDataThanAskedForIsAProtocolError) {
  ScriptedTransport* t;
  ASSERT_OK_AND_ASSIGN(
      auto c,
      OpenScripted({HandshakeReply(), BeBytes().ReplyHeader(1, 8, false, 3).Raw({1, 2, 3})}, &t));
  EXPECT_THAT(c->ReadBlock(4, 0, 2), ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(c->broken(), ErrorKindIs(ErrorKind::kProtocol));
}

TEST(IgfsConnectionTest, PathsAreCheckedBeforeAnythingIsSent) {
  ScriptedTransport* t;
  ASSERT_OK_AND_ASSIGN(auto c, OpenScripted({HandshakeReply()}, &t));
  const size_t written = t->written().size();
  for (const char* bad : {"", "a", "//", "/a/", "/a//b", "/a/./b", "/a/../b"}) {
    EXPECT_THAT(c->Exists(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(c->Rename("/a", "/b/"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(t->written().size(), written);
  EXPECT_THAT(CheckPath("/"), IsOk());
  EXPECT_THAT(CheckPath("/a/b.c/..d"), IsOk());
}

TEST(IgfsConnectionTest, RepliesOutOfOrderReachTheirCallers) {
  // Two callers; the server answers the second request first.
  const Bytes exists_request =
      BeBytes().Header(1, 2).NullStr().U8(1).Str("/a").U8(0).U8(0).U8(0).I32(-1);
  const Bytes replies =
      BeBytes().Raw(HandshakeReply()).ReplyHeader(2, 1).I64(42).ReplyHeader(1, 0).U8(1);
  // The handshake, EXISTS /a and OPEN_APPEND /b (as long as EXISTS /a).
  const size_t requests_bytes =
      BeBytes().Header(0, 0).U8(1).U8(1).bytes().size() + 2 * exists_request.size();
  auto gated = std::make_unique<GatedTransport>(replies, requests_bytes);
  GatedTransport* t = gated.get();
  ASSERT_OK_AND_ASSIGN(auto c, Connection::Open(std::move(gated), {}));
  absl::StatusOr<bool> exists;
  absl::StatusOr<int64_t> stream;
  std::thread first([&] { exists = c->Exists("/a"); });
  while (t->writes() < 2) absl::SleepFor(absl::Milliseconds(1));
  std::thread second([&] { stream = c->OpenAppend("/b", true); });
  first.join();
  second.join();
  EXPECT_THAT(exists, IsOkAndHolds(true));
  EXPECT_THAT(stream, IsOkAndHolds(42));
}

}  // namespace
}  // namespace ignite_tf::igfs
