#include "core/wire/framing.h"

#include "core/common/error.h"
#include "test_util.h"

namespace ignite_tf {
namespace {

using ::ignite_tf::testing::ByteBuilder;
using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::ErrorKindIs;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::IsOkAndHolds;
using ::ignite_tf::testing::ScriptedTransport;
using ::ignite_tf::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

Bytes Frame(const Bytes& payload) {
  return ByteBuilder().I32(static_cast<int32_t>(payload.size())).Append(payload);
}

TEST(ScriptedTransportTest, ServesChunksAndRecordsWrites) {
  ScriptedTransport t({{1, 2, 3}, {4}}, /*max_read=*/2);
  uint8_t buf[8];
  EXPECT_THAT(t.ReadSome(absl::MakeSpan(buf, 8)), IsOkAndHolds(2u));
  EXPECT_THAT(t.ReadSome(absl::MakeSpan(buf, 8)), IsOkAndHolds(1u));
  EXPECT_EQ(buf[0], 3);
  EXPECT_THAT(t.ReadSome(absl::MakeSpan(buf, 8)), IsOkAndHolds(1u));
  EXPECT_EQ(buf[0], 4);
  EXPECT_THAT(t.ReadSome(absl::MakeSpan(buf, 8)), StatusIs(absl::StatusCode::kUnavailable));
  const Bytes out = {9, 8};
  EXPECT_THAT(t.WriteAll(out), IsOk());
  EXPECT_THAT(t.written(), ElementsAre(9, 8));
  t.Close();
  EXPECT_THAT(t.WriteAll(out), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(TransportTest, ReadExactAssemblesManySmallReads) {
  ScriptedTransport t({{1, 2, 3, 4, 5, 6}}, /*max_read=*/1);
  uint8_t buf[6] = {};
  ASSERT_THAT(t.ReadExact(absl::MakeSpan(buf, 6)), IsOk());
  EXPECT_THAT(buf, ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_EQ(t.reads(), 6);
}

TEST(TransportTest, ReadExactFailsWhenThePeerCloses) {
  ScriptedTransport t({{1, 2}});
  uint8_t buf[4];
  EXPECT_THAT(t.ReadExact(absl::MakeSpan(buf, 4)),
              StatusIs(absl::StatusCode::kUnavailable, "closed"));
}

TEST(FramingTest, ReadsOneFrame) {
  ScriptedTransport t({Frame({0xAA, 0xBB, 0xCC})});
  EXPECT_THAT(ReadFrame(t), IsOkAndHolds(ElementsAre(0xAA, 0xBB, 0xCC)));
  EXPECT_EQ(t.unread(), 0u);
}

TEST(FramingTest, ReadsConsecutiveFramesWithoutOverreading) {
  Bytes stream = Frame({1});
  Bytes second = Frame({2, 3});
  stream.insert(stream.end(), second.begin(), second.end());
  stream.push_back(0x77);  // the start of something else
  ScriptedTransport t({stream});
  EXPECT_THAT(ReadFrame(t), IsOkAndHolds(ElementsAre(1)));
  EXPECT_THAT(ReadFrame(t), IsOkAndHolds(ElementsAre(2, 3)));
  EXPECT_EQ(t.unread(), 1u);
}

TEST(FramingTest, ReassemblesAFrameDeliveredByteByByte) {
  Bytes payload(300);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7);
  ScriptedTransport t({Frame(payload)}, /*max_read=*/1);
  EXPECT_THAT(ReadFrame(t), IsOkAndHolds(ElementsAreArray(payload)));
}

TEST(FramingTest, ReassemblesAFrameSplitAcrossChunks) {
  Bytes frame = Frame({1, 2, 3, 4, 5});
  ScriptedTransport t({Bytes(frame.begin(), frame.begin() + 2),
                       Bytes(frame.begin() + 2, frame.begin() + 6),
                       Bytes(frame.begin() + 6, frame.end())});
  EXPECT_THAT(ReadFrame(t), IsOkAndHolds(ElementsAre(1, 2, 3, 4, 5)));
}

TEST(FramingTest, ZeroLengthIsAProtocolError) {
  ScriptedTransport t({ByteBuilder().I32(0)});
  absl::StatusOr<FrameBytes> frame = ReadFrame(t);
  EXPECT_THAT(frame, StatusIs(absl::StatusCode::kDataLoss, "invalid length 0"));
  EXPECT_THAT(frame, StatusIs(absl::StatusCode::kDataLoss, "scripted-host:10800"));
  EXPECT_THAT(frame, ErrorKindIs(ErrorKind::kProtocol));
}

TEST(FramingTest, NegativeLengthIsAProtocolError) {
  ScriptedTransport t({ByteBuilder().I32(-5).Fill(16, 0)});
  absl::StatusOr<FrameBytes> frame = ReadFrame(t);
  EXPECT_THAT(frame, StatusIs(absl::StatusCode::kDataLoss, "invalid length -5"));
  EXPECT_THAT(frame, ErrorKindIs(ErrorKind::kProtocol));
}

TEST(FramingTest, HttpResponseOnTheWrongPortIsAProtocolError) {
  // "HTTP" read as a little-endian int32 is 0x50545448: larger than a small limit.
  ScriptedTransport t({ByteBuilder().Raw("HTTP/1.1 400 Bad Request\r\n")});
  EXPECT_THAT(ReadFrame(t, /*max_bytes=*/1 << 20),
              StatusIs(absl::StatusCode::kDataLoss, "thin-client port"));
}

TEST(FramingTest, HeadCheckSeesTheFirstBytesBeforeTheRestArrives) {
  // Garbage whose first four bytes read as a 1.3 GB length: the check of the next eight bytes
  // fails it at once; without the check the read would wait for bytes that never come.
  ScriptedTransport t({ByteBuilder().Raw("HTTP/1.1 400 Bad Request\r\n")});
  Bytes seen;
  absl::StatusOr<FrameBytes> frame =
      ReadFrame(t, kDefaultMaxFrameBytes, 0, 8, [&](absl::Span<const uint8_t> head) {
        seen.assign(head.begin(), head.end());
        return ProtocolError("not a reply to our request");
      });
  EXPECT_THAT(frame, StatusIs(absl::StatusCode::kDataLoss, "not a reply to our request"));
  EXPECT_EQ(std::string(seen.begin(), seen.end()), "/1.1 400");
  EXPECT_EQ(t.unread(), 26u - 4 - 8);
}

TEST(FramingTest, HeadCheckThatPassesReadsTheWholeFrame) {
  ScriptedTransport t({Frame({1, 2, 3, 4, 5, 6, 7, 8, 9, 10})}, /*max_read=*/3);
  int checks = 0;
  EXPECT_THAT(ReadFrame(t, kDefaultMaxFrameBytes, 0, 8,
                        [&](absl::Span<const uint8_t> head) {
                          ++checks;
                          EXPECT_EQ(head.size(), 8u);
                          return absl::OkStatus();
                        }),
              IsOkAndHolds(ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)));
  EXPECT_EQ(checks, 1);
  // A frame shorter than the head is checked whole.
  ScriptedTransport short_frame({Frame({1, 2})});
  EXPECT_THAT(ReadFrame(short_frame, kDefaultMaxFrameBytes, 0, 8,
                        [&](absl::Span<const uint8_t> head) {
                          EXPECT_EQ(head.size(), 2u);
                          return absl::OkStatus();
                        }),
              IsOkAndHolds(ElementsAre(1, 2)));
}

TEST(FramingTest, LengthAboveTheLimitIsAProtocolError) {
  ScriptedTransport t({Frame(Bytes(17, 0))});
  absl::StatusOr<FrameBytes> frame = ReadFrame(t, /*max_bytes=*/16);
  EXPECT_THAT(frame, StatusIs(absl::StatusCode::kDataLoss, "invalid length 17"));
  EXPECT_THAT(frame, ErrorKindIs(ErrorKind::kProtocol));
}

TEST(FramingTest, LengthEqualToTheLimitIsAccepted) {
  ScriptedTransport t({Frame(Bytes(16, 5))});
  EXPECT_THAT(ReadFrame(t, /*max_bytes=*/16), IsOkAndHolds(ElementsAreArray(Bytes(16, 5))));
}

TEST(FramingTest, PeerClosingMidFrameIsAConnectionError) {
  ScriptedTransport t({ByteBuilder().I32(10).Fill(4, 1)});
  absl::StatusOr<FrameBytes> frame = ReadFrame(t);
  EXPECT_THAT(frame, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(frame, ErrorKindIs(ErrorKind::kConnection));
}

TEST(FramingTest, PeerClosingMidLengthPrefixIsAConnectionError) {
  ScriptedTransport t({{0x05, 0x00}});
  EXPECT_THAT(ReadFrame(t), ErrorKindIs(ErrorKind::kConnection));
}

TEST(FramingTest, PeerClosingBeforeAnyByteIsAConnectionError) {
  ScriptedTransport t({});
  EXPECT_THAT(ReadFrame(t), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(FramingTest, HugeClaimedLengthWithAShortStreamFailsQuickly) {
  // Just under 2 GiB claimed, 8 bytes sent: the reader must fail on the closed connection (it
  // grows its buffer chunk by chunk rather than allocating the claimed size).
  ScriptedTransport t({ByteBuilder().I32(0x7FFFFFFF).Fill(8, 0)});
  EXPECT_THAT(ReadFrame(t), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(FrameBuilderTest, PatchesTheLengthPrefix) {
  FrameBuilder b;
  b.writer().WriteInt16(2000);
  b.writer().WriteInt64(42);
  b.writer().WriteUInt8(0xEE);
  std::vector<uint8_t> frame = b.Finish();
  EXPECT_EQ(frame, ByteBuilder().I32(11).I16(2000).I64(42).U8(0xEE).Build());
}

TEST(FrameBuilderTest, EmptyFrameHasLengthZero) {
  FrameBuilder b;
  EXPECT_THAT(b.Finish(), ElementsAre(0, 0, 0, 0));
}

TEST(FrameBuilderTest, BuiltFramesReadBack) {
  FrameBuilder b;
  b.writer().WriteString("ping");
  std::vector<uint8_t> frame = b.Finish();
  ScriptedTransport t({frame}, /*max_read=*/3);
  ASSERT_OK_AND_ASSIGN(FrameBytes payload, ReadFrame(t));
  EXPECT_THAT(payload, ElementsAreArray(frame.begin() + 4, frame.end()));
  EXPECT_THAT(t.written(), IsEmpty());
}

TEST(FrameBuilderTest, TheTensorFlowHandshakeIsByteExact) {
  // From the protocol notes: 1.1.0 handshake, thin client, empty credentials.
  FrameBuilder b;
  Writer& w = b.writer();
  w.WriteUInt8(1);
  w.WriteInt16(1);
  w.WriteInt16(1);
  w.WriteInt16(0);
  w.WriteUInt8(2);
  w.WriteNull();
  w.WriteNull();
  EXPECT_THAT(b.Finish(), ElementsAre(0x0A, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00,
                                      0x00, 0x02, 0x65, 0x65));
}

// Found by framing_fuzzer (rss 386 MB at 15 runs/s): a 6-byte message claiming ~2 GiB made
// ReadFrame allocate and zero a 64 MiB buffer before any payload byte arrived. The buffer now
// grows with the bytes received: 64 KiB first, then at most doubling.
class LargestReadTransport : public ScriptedTransport {
 public:
  using ScriptedTransport::ScriptedTransport;
  absl::StatusOr<size_t> ReadSome(absl::Span<uint8_t> buffer) override {
    largest = std::max(largest, buffer.size());
    return ScriptedTransport::ReadSome(buffer);
  }
  size_t largest = 0;
};

TEST(FramingTest, BufferGrowsOnlyWithTheBytesReceived) {
  LargestReadTransport t({{0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x00}});
  EXPECT_THAT(ReadFrame(t), ErrorKindIs(ErrorKind::kConnection));
  EXPECT_LE(t.largest, size_t{64} << 10);

  // A real 1 MiB frame still arrives whole.
  LargestReadTransport big({Frame(Bytes(1 << 20, 7))});
  EXPECT_THAT(ReadFrame(big), IsOkAndHolds(ElementsAreArray(Bytes(1 << 20, 7))));
}

}  // namespace
}  // namespace ignite_tf
