#include "core/common/blocks.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace ignite_tf {
namespace {

TEST(BlocksTest, SmallBlocksRoundToTheAlignment) {
  EXPECT_EQ(BlockCapacity(1), 64u);
  EXPECT_EQ(BlockCapacity(64), 64u);
  EXPECT_EQ(BlockCapacity(65), 128u);
  EXPECT_EQ(BlockCapacity(kLargeBlock - 1), kLargeBlock);
}

TEST(BlocksTest, LargeBlocksRoundToFourClassesPerPowerOfTwo) {
  const size_t mib = size_t{1} << 20;
  EXPECT_EQ(BlockCapacity(mib), mib);
  EXPECT_EQ(BlockCapacity(mib + 1), mib + mib / 4);
  EXPECT_EQ(BlockCapacity(16 * mib + 300), 20 * mib);
  EXPECT_EQ(BlockCapacity(32 * mib), 32 * mib);
  EXPECT_EQ(BlockCapacity(33 * mib), 40 * mib);
  for (size_t bytes : {mib, 3 * mib + 5, 100 * mib + 1}) {
    const size_t c = BlockCapacity(bytes);
    EXPECT_GE(c, bytes);
    EXPECT_LE(c, bytes + bytes / 4 + 64);
    EXPECT_EQ(BlockCapacity(c), c) << "a class is its own capacity";
  }
}

TEST(BlocksTest, AFreedLargeBlockIsReusedForTheSameClass) {
  const size_t bytes = (size_t{16} << 20) + 300;  // a 16-row page of 1 MiB values
  void* first = AllocateBlock(bytes);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % kBlockAlignment, 0u);
  static_cast<uint8_t*>(first)[bytes - 1] = 1;  // the whole block is usable
  FreeBlock(first, bytes);
  void* second = AllocateBlock(bytes + 1000);  // same class
  EXPECT_EQ(second, first);
  FreeBlock(second, bytes + 1000);
}

TEST(BlocksTest, TheCacheStaysBounded) {
  std::vector<void*> blocks;
  const size_t bytes = size_t{40} << 20;
  for (int i = 0; i < 10; ++i) blocks.push_back(AllocateBlock(bytes));
  for (void* b : blocks) FreeBlock(b, bytes);
  EXPECT_LE(CachedBlockBytes(), kMaxCachedBytes);
  EXPECT_LE(CachedBlockCount(), kMaxCachedBlocks);
  EXPECT_GT(CachedBlockCount(), 0u);
}

TEST(BlocksTest, FrameBytesBehaveAsAByteVector) {
  FrameBytes frame(3 << 20);
  frame[0] = 7;
  frame.back() = 9;
  frame.resize(10);
  EXPECT_EQ(frame.size(), 10u);
  EXPECT_EQ(frame[0], 7);
  FrameBytes copy(frame.begin(), frame.end());
  EXPECT_EQ(copy, frame);
}

}  // namespace
}  // namespace ignite_tf
