#include "core/igfs/protocol.h"

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
using ::ignite_tf::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;

// The tail every path request ends with: no destination, flag, colocate, null property map.
BeBytes PathBody(int64_t id, int32_t command, const std::string& path, bool flag = false) {
  return BeBytes()
      .Header(id, command)
      .NullStr()
      .U8(1)
      .Str(path)
      .U8(0)
      .U8(flag ? 1 : 0)
      .U8(0)
      .I32(-1);
}

TEST(IgfsRequestTest, HandshakeForAnyFilesystem) {
  // Request id 0, command 0, then a null name and a null log directory.
  EXPECT_THAT(EncodeHandshake(std::nullopt, std::nullopt),
              IsOkAndHolds(Bytes(BeBytes().Header(0, 0).U8(1).U8(1))));
}

TEST(IgfsRequestTest, HandshakeForANamedFilesystem) {
  absl::StatusOr<Bytes> bytes = EncodeHandshake("igfs", std::nullopt);
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(*bytes, Bytes(BeBytes().Header(0, 0).Str("igfs").U8(1)));
}

TEST(IgfsRequestTest, EveryPathCommandHasTheSameBody) {
  for (Command c : {Command::kExists, Command::kInfo, Command::kMakeDirectories,
                    Command::kListPaths, Command::kListFiles, Command::kOpenRead}) {
    absl::StatusOr<Bytes> bytes = EncodePathRequest(7, {.command = c, .path = "/a/b"});
    ASSERT_THAT(bytes, IsOk());
    EXPECT_EQ(*bytes, Bytes(PathBody(7, static_cast<int32_t>(c), "/a/b"))) << static_cast<int>(c);
  }
}

TEST(IgfsRequestTest, DeleteRecursiveSetsTheFlag) {
  absl::StatusOr<Bytes> bytes =
      EncodePathRequest(3, {.command = Command::kDelete, .path = "/d", .flag = true});
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(*bytes, Bytes(PathBody(3, 7, "/d", /*flag=*/true)));
}

TEST(IgfsRequestTest, RenameCarriesTheDestination) {
  absl::StatusOr<Bytes> bytes = EncodePathRequest(
      9, {.command = Command::kRename, .user = "alice", .path = "/a", .destination = "/b"});
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(
      *bytes,
      Bytes(
          BeBytes().Header(9, 6).Str("alice").U8(1).Str("/a").U8(1).Str("/b").U8(0).U8(0).I32(-1)));
}

TEST(IgfsRequestTest, OpenCreateEndsWithReplicationAndBlockSize) {
  absl::StatusOr<Bytes> bytes = EncodePathRequest(4, {.command = Command::kOpenCreate,
                                                      .path = "/f",
                                                      .flag = true,
                                                      .replication = 0,
                                                      .block_size = 65536});
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(*bytes, Bytes(PathBody(4, 15, "/f", true).I32(0).I64(65536)));
}

TEST(IgfsRequestTest, OpenAppendCreateFlag) {
  absl::StatusOr<Bytes> bytes =
      EncodePathRequest(5, {.command = Command::kOpenAppend, .path = "/f", .flag = true});
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(*bytes, Bytes(PathBody(5, 14, "/f", true)));
}

TEST(IgfsRequestTest, PropertiesAreCountedInUtf16UnitsAndChunked) {
  // {"k": "é😀"}: 1 unit, then 3 units (é, and the surrogate pair) in modified UTF-8.
  absl::StatusOr<Bytes> bytes =
      EncodePathRequest(1, {.command = Command::kMakeDirectories,
                            .path = "/p",
                            .properties = Properties{{"k", "\xC3\xA9\xF0\x9F\x98\x80"}}});
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(*bytes, Bytes(BeBytes()
                              .Header(1, 8)
                              .NullStr()
                              .U8(1)
                              .Str("/p")
                              .U8(0)
                              .U8(0)
                              .U8(0)
                              .I32(1)
                              .I32(1)
                              .Utf("k")
                              .I32(3)
                              .Raw({0x00, 0x08, 0xC3, 0xA9, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80})));
}

TEST(IgfsRequestTest, LongPropertiesGoInChunksOf16383Units) {
  const std::string value(16383 + 2, 'x');
  absl::StatusOr<Bytes> bytes = EncodePathRequest(
      1,
      {.command = Command::kMakeDirectories, .path = "/p", .properties = Properties{{"", value}}});
  ASSERT_THAT(bytes, IsOk());
  const Bytes expected = BeBytes()
                             .Header(1, 8)
                             .NullStr()
                             .U8(1)
                             .Str("/p")
                             .U8(0)
                             .U8(0)
                             .U8(0)
                             .I32(1)
                             .I32(0)
                             .Utf("")
                             .I32(16385)
                             .Utf(std::string(16383, 'x'))
                             .Utf("xx");
  EXPECT_EQ(*bytes, expected);
}

TEST(IgfsRequestTest, NamesInModifiedUtf8) {
  absl::StatusOr<Bytes> bytes = EncodePathRequest(
      2, {.command = Command::kExists, .path = std::string("/\0\xF0\x9F\x98\x80", 6)});
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(*bytes,
            Bytes(BeBytes()
                      .Header(2, 2)
                      .NullStr()
                      .U8(1)
                      .U8(0)
                      .Raw({0x00, 0x09, '/', 0xC0, 0x80, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80})
                      .U8(0)
                      .U8(0)
                      .U8(0)
                      .I32(-1)));
}

TEST(IgfsRequestTest, RefusesWhatCannotBeSent) {
  EXPECT_THAT(EncodePathRequest(1, {.command = Command::kExists, .path = "/\xFF"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      EncodePathRequest(1, {.command = Command::kExists, .path = "/" + std::string(70000, 'a')}),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(EncodePathRequest(1, {.command = Command::kClose, .path = "/a"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(IgfsRequestTest, StreamCommandsPutTheStreamInTheHeader) {
  EXPECT_EQ(EncodeReadBlock(11, 42, 1000, 4096),
            Bytes(BeBytes().Header(11, 17, 42, 4096).I64(1000)));
  EXPECT_EQ(EncodeClose(12, 42), Bytes(BeBytes().Header(12, 16, 42, 0)));
  EXPECT_EQ(EncodeWriteBlock(13, 42, Bytes{1, 2, 3}),
            Bytes(BeBytes().Header(13, 18, 42, 3).Raw({1, 2, 3})));
}

absl::StatusOr<Reply> Parse(const Bytes& bytes) {
  SpanInput in(bytes);
  absl::StatusOr<Reply> reply = ReadReply(in);
  if (reply.ok()) {
    EXPECT_EQ(in.remaining(), 0u);
  }
  return reply;
}

TEST(IgfsReplyTest, BooleanAndLong) {
  absl::StatusOr<Reply> b = Parse(BeBytes().ReplyHeader(5, 0).U8(1));
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(b->request_id, 5);
  EXPECT_EQ(std::get<bool>(b->value), true);
  absl::StatusOr<Reply> l = Parse(BeBytes().ReplyHeader(6, 1).I64(-3));
  ASSERT_THAT(l, IsOk());
  EXPECT_EQ(std::get<int64_t>(l->value), -3);
}

TEST(IgfsReplyTest, ErrorsCarryMessageAndCode) {
  // A node sends errors with result type -1.
  absl::StatusOr<Reply> minus = Parse(BeBytes().ReplyHeader(8, -1, true).Utf("gone").I32(2));
  ASSERT_THAT(minus, IsOk());
  EXPECT_THAT(minus->error(), StatusIs(absl::StatusCode::kNotFound, "gone"));
  absl::StatusOr<Reply> r =
      Parse(BeBytes().ReplyHeader(8, 0, true).Utf("File not found: /x").I32(2));
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->has_error);
  EXPECT_THAT(r->error(), StatusIs(absl::StatusCode::kNotFound, "File not found: /x"));
  EXPECT_THAT(r->error(), ErrorKindIs(ErrorKind::kServer));
  EXPECT_EQ(GetServerErrorCode(r->error()), ServerErrorCode::kFileNotFound);
}

TEST(IgfsReplyTest, StreamErrorsCarryTheStream) {
  absl::StatusOr<Reply> r = Parse(BeBytes().ReplyHeader(8, 9, true).Utf("closed").I32(0).I64(77));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->error_stream_id, 77);
  EXPECT_THAT(r->error(), StatusIs(absl::StatusCode::kInternal));
}

TEST(IgfsReplyTest, Handshake) {
  absl::StatusOr<Reply> r =
      Parse(BeBytes().ReplyHeader(0, 10).U8(1).Str("igfs").I64(1 << 16).U8(1).U8(0));
  ASSERT_THAT(r, IsOk());
  const auto& h = std::get<std::optional<HandshakeInfo>>(r->value);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->fs_name, "igfs");
  EXPECT_EQ(h->group_block_size, 1 << 16);
  EXPECT_EQ(h->sampling, false);
}

BeBytes File(BeBytes b, const std::string& path, int64_t length, uint8_t flags) {
  return b.Str(path)
      .I32(65536)
      .I64(65536)
      .I64(length)
      .I32(1)
      .I32(7)
      .Utf("usrName")
      .I32(4)
      .Utf("root")
      .I64(111)
      .I64(222)
      .U8(flags);
}

TEST(IgfsReplyTest, InfoPresentAndAbsent) {
  absl::StatusOr<Reply> r = Parse(File(BeBytes().ReplyHeader(3, 2).U8(1), "/a/f", 13, 2));
  ASSERT_THAT(r, IsOk());
  const auto& f = std::get<std::optional<FileInfo>>(r->value);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->path, "/a/f");
  EXPECT_EQ(f->length, 13);
  EXPECT_TRUE(f->is_file());
  EXPECT_FALSE(f->is_directory());
  EXPECT_THAT(f->properties, ElementsAre(Pair("usrName", "root")));
  EXPECT_EQ(f->access_time_ms, 111);
  EXPECT_EQ(f->modification_time_ms, 222);
  absl::StatusOr<Reply> missing = Parse(BeBytes().ReplyHeader(3, 2).U8(0));
  ASSERT_THAT(missing, IsOk());
  EXPECT_FALSE(std::get<std::optional<FileInfo>>(missing->value).has_value());
}

TEST(IgfsReplyTest, CollectionItemsHaveNoPresentFlag) {
  absl::StatusOr<Reply> files =
      Parse(File(File(BeBytes().ReplyHeader(4, 5).I32(2), "/d/x", 1, 2), "/d/y", 0, 1));
  ASSERT_THAT(files, IsOk());
  const auto& list = std::get<std::vector<FileInfo>>(files->value);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].path, "/d/y");
  EXPECT_TRUE(list[1].is_directory());
  absl::StatusOr<Reply> paths = Parse(BeBytes().ReplyHeader(4, 6).I32(2).Str("/d/x").Str("/d/y"));
  ASSERT_THAT(paths, IsOk());
  EXPECT_THAT(std::get<std::vector<std::string>>(paths->value), ElementsAre("/d/x", "/d/y"));
}

TEST(IgfsReplyTest, StreamDescriptorAndBlockData) {
  absl::StatusOr<Reply> d = Parse(BeBytes().ReplyHeader(2, 3).U8(1).I64(9).I64(1234));
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(std::get<std::optional<ReadDescriptor>>(d->value)->length, 1234);
  absl::StatusOr<Reply> data = Parse(BeBytes().ReplyHeader(2, 8, false, 3).Raw({7, 8, 9}));
  ASSERT_THAT(data, IsOk());
  EXPECT_EQ(std::get<std::vector<uint8_t>>(data->value), Bytes({7, 8, 9}));
}

TEST(IgfsReplyTest, MalformedRepliesAreProtocolErrors) {
  // Not a CONTROL_RESPONSE.
  EXPECT_THAT(Parse(BeBytes().Header(1, 18).I32(0).U8(0).I32(0).U8(1)),
              ErrorKindIs(ErrorKind::kProtocol));
  // Unknown result type; a type we never ask for.
  EXPECT_THAT(Parse(BeBytes().ReplyHeader(1, 99).U8(1)), ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(Parse(BeBytes().ReplyHeader(1, 11).U8(0)), ErrorKindIs(ErrorKind::kProtocol));
  // Negative and huge lengths and counts.
  EXPECT_THAT(Parse(BeBytes().ReplyHeader(1, 8, false, -1)), ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(Parse(BeBytes().ReplyHeader(1, 5).I32(INT32_MAX)), ErrorKindIs(ErrorKind::kProtocol));
  EXPECT_THAT(
      Parse(BeBytes().ReplyHeader(3, 2).U8(1).Str("/f").I32(0).I64(0).I64(0).I32(INT32_MAX)),
      ErrorKindIs(ErrorKind::kProtocol));
  // A property announced as 5 characters but sent as 3.
  EXPECT_THAT(
      Parse(BeBytes().ReplyHeader(3, 2).U8(1).Str("/f").I32(0).I64(0).I64(0).I32(1).I32(5).Utf(
          "abc")),
      ErrorKindIs(ErrorKind::kProtocol));
  // Bad modified UTF-8 in a path.
  EXPECT_THAT(Parse(BeBytes().ReplyHeader(4, 6).I32(1).U8(0).Raw({0x00, 0x01, 0xFF})),
              ErrorKindIs(ErrorKind::kProtocol));
}

TEST(IgfsReplyTest, EveryTruncationIsAnErrorNotACrash) {
  const std::vector<Bytes> replies = {
      BeBytes().ReplyHeader(5, 0).U8(1),
      BeBytes().ReplyHeader(8, 9, true).Utf("closed").I32(0).I64(77),
      BeBytes().ReplyHeader(0, 10).U8(1).Str("igfs").I64(1 << 16).U8(1).U8(0),
      File(File(BeBytes().ReplyHeader(4, 5).I32(2), "/d/x", 1, 2), "/d/y", 0, 1),
      BeBytes().ReplyHeader(4, 6).I32(2).Str("/d/x").Str("/d/y"),
      BeBytes().ReplyHeader(2, 8, false, 3).Raw({7, 8, 9}),
      BeBytes().ReplyHeader(2, 3).U8(1).I64(9).I64(1234),
  };
  for (const Bytes& whole : replies) {
    ASSERT_THAT(Parse(whole), IsOk());
    for (size_t n = 0; n < whole.size(); ++n) {
      const Bytes cut(whole.begin(), whole.begin() + static_cast<ptrdiff_t>(n));
      SpanInput in(cut);
      EXPECT_THAT(ReadReply(in), ErrorKindIs(ErrorKind::kProtocol)) << n << " of " << whole.size();
    }
  }
}

TEST(IgfsErrorsTest, CodesMapToStatusCodes) {
  EXPECT_THAT(ServerError(2, "m"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ServerError(3, "m"), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(ServerError(4, "m"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(ServerError(5, "m"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(ServerError(7, "m"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ServerError(0, "m"), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ServerError(1234, "m"), StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(GetServerErrorCode(ServerError(1234, "m")), ServerErrorCode::kGeneric);
  EXPECT_EQ(GetServerErrorCode(ServerError(4, "m")), ServerErrorCode::kDirectoryNotEmpty);
  EXPECT_EQ(GetServerErrorCode(Annotate(ServerError(3, "m"), "ctx")),
            ServerErrorCode::kPathAlreadyExists);
  EXPECT_EQ(GetServerErrorCode(absl::NotFoundError("m")), std::nullopt);
}

}  // namespace
}  // namespace ignite_tf::igfs
