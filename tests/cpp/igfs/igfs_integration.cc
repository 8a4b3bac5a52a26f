// igfs_integration: the IGFS client (core/igfs) against a real Ignite 2.8.1 node serving IGFS.
// tests/test_legacy_igfs.py starts the node and runs this with IGNITE_TF_IGFS_HOST and
// IGNITE_TF_IGFS_PORT; by hand: IGNITE_TF_IGFS_PORT=10500 build/cpp-tests/igfs_integration.
// Every test works under a directory of its own, so runs against a long-lived node do not meet.
#include <cstdlib>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/common/error.h"
#include "core/igfs/connection.h"
#include "core/igfs/errors.h"
#include "test_util.h"

namespace ignite_tf::igfs {
namespace {

using ::ignite_tf::testing::Bytes;
using ::ignite_tf::testing::IsOk;
using ::ignite_tf::testing::IsOkAndHolds;
using ::ignite_tf::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

ConnectionOptions NodeOptions() {
  ConnectionOptions options;
  const char* host = std::getenv("IGNITE_TF_IGFS_HOST");
  const char* port = std::getenv("IGNITE_TF_IGFS_PORT");
  options.host = host != nullptr ? host : "127.0.0.1";
  options.port = port != nullptr ? std::atoi(port) : kDefaultPort;
  options.tcp.io_timeout = absl::Seconds(20);
  options.reply_timeout = absl::Seconds(30);
  return options;
}

Bytes RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (uint8_t& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

class IgfsNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Connection>> c = Connection::Connect(NodeOptions());
    ASSERT_THAT(c, IsOk());
    igfs_ = std::move(*c);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    base_ = absl::StrCat("/it-", info->name(), "-", std::random_device()());
    ASSERT_THAT(igfs_->MakeDirectories(base_), IsOk());
  }
  void TearDown() override {
    if (igfs_ != nullptr && igfs_->broken().ok()) (void)igfs_->Delete(base_, true);
  }
  std::string P(absl::string_view name) const { return absl::StrCat(base_, "/", name); }

  void WriteFile(const std::string& path, const Bytes& data) {
    ASSERT_OK_AND_ASSIGN(int64_t stream, igfs_->OpenCreate(path));
    ASSERT_THAT(igfs_->WriteBlock(stream, data), IsOk());
    ASSERT_THAT(igfs_->Close(stream), IsOk());
  }
  Bytes ReadFile(const std::string& path) {
    absl::StatusOr<ReadDescriptor> d = igfs_->OpenRead(path);
    EXPECT_THAT(d, IsOk());
    if (!d.ok()) return {};
    absl::StatusOr<Bytes> data =
        igfs_->ReadBlock(d->stream_id, 0, static_cast<int32_t>(d->length + 100));
    EXPECT_THAT(data, IsOk());
    EXPECT_THAT(igfs_->Close(d->stream_id), IsOk());
    return data.ok() ? *data : Bytes{};
  }

  std::unique_ptr<Connection> igfs_;
  std::string base_;
};

TEST_F(IgfsNodeTest, HandshakeNamesTheNodesFilesystem) {
  EXPECT_EQ(igfs_->handshake().fs_name, "igfs");
  EXPECT_GT(igfs_->handshake().group_block_size, 0);
  // Asking for it by name works too.
  ConnectionOptions named = NodeOptions();
  named.fs_name = igfs_->handshake().fs_name;
  EXPECT_THAT(Connection::Connect(named), IsOk());
}

TEST_F(IgfsNodeTest, AWrongFilesystemNameIsAClearError) {
  ConnectionOptions wrong = NodeOptions();
  wrong.fs_name = "default_fs";  // TensorFlow 1.13's default, which a node named otherwise refuses
  absl::StatusOr<std::unique_ptr<Connection>> c = Connection::Connect(wrong);
  EXPECT_THAT(c, StatusIs(absl::StatusCode::kNotFound, "refused the filesystem name 'default_fs'"));
  EXPECT_THAT(c, StatusIs(absl::StatusCode::kNotFound, "existing=igfs"));
}

TEST_F(IgfsNodeTest, MakeDirectoriesCreatesParentsAndIsIdempotent) {
  ASSERT_THAT(igfs_->MakeDirectories(P("a/b/c")), IsOk());
  EXPECT_THAT(igfs_->MakeDirectories(P("a/b/c")), IsOk());
  EXPECT_THAT(igfs_->Exists(P("a/b")), IsOkAndHolds(true));
  ASSERT_OK_AND_ASSIGN(std::optional<FileInfo> info, igfs_->Info(P("a/b/c")));
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->is_directory());
  EXPECT_EQ(info->path, P("a/b/c"));
}

TEST_F(IgfsNodeTest, CreateWriteAndReadBack) {
  ConnectionOptions small_writes = NodeOptions();
  small_writes.write_chunk_bytes = 7000;  // many WRITE_BLOCKs, none aligned with IGFS blocks
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Connection> writer, Connection::Connect(small_writes));
  const Bytes data = RandomBytes(300000, 1);
  ASSERT_OK_AND_ASSIGN(int64_t stream, writer->OpenCreate(P("deep/er/f.bin")));  // parents made
  ASSERT_THAT(writer->WriteBlock(stream, data), IsOk());
  ASSERT_THAT(writer->Close(stream), IsOk());

  ASSERT_OK_AND_ASSIGN(std::optional<FileInfo> info, igfs_->Info(P("deep/er/f.bin")));
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->is_file());
  EXPECT_EQ(info->length, static_cast<int64_t>(data.size()));
  EXPECT_EQ(ReadFile(P("deep/er/f.bin")), data);

  ASSERT_OK_AND_ASSIGN(ReadDescriptor d, igfs_->OpenRead(P("deep/er/f.bin")));
  EXPECT_EQ(d.length, static_cast<int64_t>(data.size()));
  ASSERT_OK_AND_ASSIGN(Bytes middle, igfs_->ReadBlock(d.stream_id, 65530, 20));  // across a block
  EXPECT_EQ(middle, Bytes(data.begin() + 65530, data.begin() + 65550));
  EXPECT_THAT(igfs_->Close(d.stream_id), IsOk());
}

TEST_F(IgfsNodeTest, ReadingPastTheEndGivesShortAndEmptyReads) {
  WriteFile(P("f"), Bytes{1, 2, 3, 4, 5});
  ASSERT_OK_AND_ASSIGN(ReadDescriptor d, igfs_->OpenRead(P("f")));
  EXPECT_EQ(d.length, 5);
  EXPECT_THAT(igfs_->ReadBlock(d.stream_id, 3, 10), IsOkAndHolds(Bytes{4, 5}));
  EXPECT_THAT(igfs_->ReadBlock(d.stream_id, 5, 10), IsOkAndHolds(Bytes{}));
  EXPECT_THAT(igfs_->ReadBlock(d.stream_id, 1000, 10), IsOkAndHolds(Bytes{}));
  EXPECT_THAT(igfs_->Close(d.stream_id), IsOk());
  EXPECT_THAT(igfs_->broken(), IsOk());
}

TEST_F(IgfsNodeTest, AppendAddsToTheEnd) {
  ASSERT_OK_AND_ASSIGN(int64_t s1, igfs_->OpenAppend(P("log"), /*create=*/true));
  ASSERT_THAT(igfs_->WriteBlock(s1, Bytes{'a', 'b'}), IsOk());
  ASSERT_THAT(igfs_->Close(s1), IsOk());
  ASSERT_OK_AND_ASSIGN(int64_t s2, igfs_->OpenAppend(P("log"), /*create=*/false));
  ASSERT_THAT(igfs_->WriteBlock(s2, Bytes{'c'}), IsOk());
  ASSERT_THAT(igfs_->Close(s2), IsOk());
  EXPECT_EQ(ReadFile(P("log")), Bytes({'a', 'b', 'c'}));
  // Appending to a missing file without create is an error; creating over one without overwrite.
  EXPECT_THAT(igfs_->OpenAppend(P("missing"), false), StatusIs(absl::StatusCode::kNotFound));
  absl::StatusOr<int64_t> again = igfs_->OpenCreate(P("log"), {.overwrite = false});
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(GetServerErrorCode(again.status()), ServerErrorCode::kPathAlreadyExists);
  EXPECT_THAT(igfs_->broken(), IsOk());
}

TEST_F(IgfsNodeTest, ListFilesAndPaths) {
  WriteFile(P("d/x"), Bytes{1});
  ASSERT_THAT(igfs_->MakeDirectories(P("d/sub")), IsOk());
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> paths, igfs_->ListPaths(P("d")));
  EXPECT_THAT(paths, UnorderedElementsAre(P("d/x"), P("d/sub")));
  ASSERT_OK_AND_ASSIGN(std::vector<FileInfo> files, igfs_->ListFiles(P("d")));
  ASSERT_EQ(files.size(), 2u);
  for (const FileInfo& f : files) {
    EXPECT_EQ(f.is_directory(), f.path == P("d/sub")) << f.path;
    if (f.is_file()) {
      EXPECT_EQ(f.length, 1);
    }
  }
  EXPECT_THAT(igfs_->ListFiles(P("nothing")), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(igfs_->Info(P("nothing")), IsOkAndHolds(::testing::Eq(std::nullopt)));
  EXPECT_THAT(igfs_->Exists(P("nothing")), IsOkAndHolds(false));
  // The root lists without a "//" (TensorFlow 1.13 sent one for igfs:///).
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> top, igfs_->ListPaths("/"));
  EXPECT_THAT(top, ::testing::Contains(base_));
}

TEST_F(IgfsNodeTest, RenameMovesButDoesNotReplace) {
  WriteFile(P("a"), Bytes{1});
  WriteFile(P("b"), Bytes{2});
  ASSERT_THAT(igfs_->Rename(P("a"), P("c")), IsOk());
  EXPECT_THAT(igfs_->Exists(P("a")), IsOkAndHolds(false));
  EXPECT_EQ(ReadFile(P("c")), Bytes{1});
  EXPECT_THAT(igfs_->Rename(P("c"), P("b")), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(ReadFile(P("b")), Bytes{2});
  EXPECT_THAT(igfs_->Rename(P("missing"), P("z")), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(IgfsNodeTest, DeleteFilesAndTrees) {
  WriteFile(P("t/u/f"), Bytes{1});
  EXPECT_THAT(igfs_->Delete(P("t"), /*recursive=*/false),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(igfs_->Delete(P("t"), /*recursive=*/true), IsOkAndHolds(true));
  EXPECT_THAT(igfs_->Exists(P("t/u/f")), IsOkAndHolds(false));
  EXPECT_THAT(igfs_->Delete(P("t"), true), IsOkAndHolds(false));  // nothing there
}

TEST_F(IgfsNodeTest, NonBmpNamesRoundTrip) {
  // 😀 (U+1F600, a surrogate pair in Java), é and 字: modified UTF-8 on the wire.
  const std::string name = "\xF0\x9F\x98\x80-\xC3\xA9-\xE5\xAD\x97";
  WriteFile(P(name), Bytes{'h', 'i'});
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> paths, igfs_->ListPaths(base_));
  EXPECT_THAT(paths, ElementsAre(P(name)));
  ASSERT_OK_AND_ASSIGN(std::vector<FileInfo> files, igfs_->ListFiles(base_));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, P(name));
  EXPECT_EQ(ReadFile(P(name)), Bytes({'h', 'i'}));
  ASSERT_THAT(igfs_->MakeDirectories(P(name + "-dir"), Properties{{"\xF0\x9F\x98\x80", "x"}}),
              IsOk());
  EXPECT_THAT(igfs_->Exists(P(name + "-dir")), IsOkAndHolds(true));
  EXPECT_THAT(igfs_->broken(), IsOk());
}

TEST_F(IgfsNodeTest, SeveralThreadsShareOneConnection) {
  const Bytes data = RandomBytes(200000, 2);
  WriteFile(P("shared"), data);
  ASSERT_OK_AND_ASSIGN(ReadDescriptor d, igfs_->OpenRead(P("shared")));
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        const int64_t at = (t * 7919 + i * 4099) % 190000;
        absl::StatusOr<Bytes> got = igfs_->ReadBlock(d.stream_id, at, 5000);
        if (!got.ok() || *got != Bytes(data.begin() + at, data.begin() + at + 5000)) ++failures[t];
        if (i % 10 == 0 && !igfs_->Exists(P("shared")).value_or(false)) ++failures[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(failures, ::testing::Each(0));
  EXPECT_THAT(igfs_->Close(d.stream_id), IsOk());
}

TEST_F(IgfsNodeTest, AWriteToAClosedStreamBreaksTheConnectionWithAClearError) {
  ASSERT_OK_AND_ASSIGN(int64_t stream, igfs_->OpenCreate(P("w")));
  ASSERT_THAT(igfs_->Close(stream), IsOk());
  const absl::Time start = absl::Now();
  ASSERT_THAT(igfs_->WriteBlock(stream, Bytes(100, 0)), IsOk());  // no reply: sent blind
  absl::StatusOr<bool> next = igfs_->Exists(P("w"));
  EXPECT_THAT(next, StatusIs(absl::StatusCode::kInternal, "stream not found"));
  EXPECT_THAT(igfs_->broken(), StatusIs(absl::StatusCode::kInternal, "block write"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  // A new connection is fine.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Connection> fresh, Connection::Connect(NodeOptions()));
  EXPECT_THAT(fresh->Exists(P("w")), IsOkAndHolds(true));
  igfs_ = std::move(fresh);
}

}  // namespace
}  // namespace ignite_tf::igfs
