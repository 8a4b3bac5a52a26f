#include "core/columnar/aligned_buffer.h"

#include <cstdint>
#include <utility>

#include "test_util.h"

namespace ignite_tf {
namespace {

bool IsAligned(const void* p) { return reinterpret_cast<uintptr_t>(p) % kBufferAlignment == 0; }

TEST(AlignedBufferTest, StartsEmpty) {
  AlignedBuffer b;
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 0u);
  b.Append(nullptr, 0);  // appending nothing needs no memory
  EXPECT_EQ(b.size(), 0u);
}

TEST(AlignedBufferTest, StaysAlignedAndKeepsContentsWhileGrowing) {
  AlignedBuffer b;
  const uint8_t* last = nullptr;
  int growths = 0;
  for (int64_t i = 0; i < 20000; ++i) {
    b.Push<int64_t>(i * 3 - 7);
    ASSERT_TRUE(IsAligned(b.data())) << "after " << i + 1 << " pushes";
    ASSERT_EQ(b.capacity() % kBufferAlignment, 0u);
    ASSERT_GE(b.capacity(), b.size());
    if (b.data() != last) ++growths;
    last = b.data();
  }
  EXPECT_EQ(b.size(), 20000u * 8u);
  EXPECT_LT(growths, 20);  // geometric growth
  for (int64_t i = 0; i < 20000; ++i) {
    ASSERT_EQ(LoadUnaligned<int64_t>(b.data() + i * 8), i * 3 - 7) << i;
  }
}

TEST(AlignedBufferTest, OddSizedAppendsStayAligned) {
  AlignedBuffer b;
  std::string expected;
  for (int i = 1; i < 200; ++i) {
    std::string chunk(i % 13 + 1, static_cast<char>('a' + i % 26));
    b.Append(chunk.data(), chunk.size());
    expected += chunk;
    ASSERT_TRUE(IsAligned(b.data()));
  }
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data()), b.size()), expected);
}

TEST(AlignedBufferTest, ReserveGrowsCapacityOnly) {
  AlignedBuffer b;
  b.Push<uint8_t>(9);
  b.Reserve(1000);
  EXPECT_GE(b.capacity(), 1000u);
  EXPECT_EQ(b.capacity() % kBufferAlignment, 0u);
  EXPECT_TRUE(IsAligned(b.data()));
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.data()[0], 9);
  const uint8_t* data = b.data();
  size_t capacity = b.capacity();
  b.Reserve(10);  // smaller: no change
  EXPECT_EQ(b.data(), data);
  EXPECT_EQ(b.capacity(), capacity);
}

TEST(AlignedBufferTest, ExtendReturnsTheOldEnd) {
  AlignedBuffer b;
  b.Append("abc", 3);
  uint8_t* out = b.Extend(5);
  EXPECT_EQ(out, b.data() + 3);
  EXPECT_EQ(b.size(), 8u);
  std::memcpy(out, "defgh", 5);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(b.data()), 8), "abcdefgh");
}

TEST(AlignedBufferTest, MoveTransfersOwnership) {
  AlignedBuffer a;
  a.Append("xyz", 3);
  const uint8_t* data = a.data();
  AlignedBuffer b(std::move(a));
  EXPECT_EQ(b.data(), data);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_EQ(a.data(), nullptr);
  AlignedBuffer c;
  c.Append("q", 1);
  c = std::move(b);
  EXPECT_EQ(c.data(), data);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(b.capacity(), 0u);  // NOLINT(bugprone-use-after-move)
  // The moved-from buffer is usable again.
  b.Push<int32_t>(5);
  EXPECT_TRUE(IsAligned(b.data()));
  EXPECT_EQ(b.size(), 4u);
}

}  // namespace
}  // namespace ignite_tf
