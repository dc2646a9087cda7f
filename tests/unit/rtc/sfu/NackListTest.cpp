#include "rtc/sfu/NackList.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>
#include <set>
#include <vector>

using onair::rtc::sfu::NackItem;
using onair::rtc::sfu::NackList;

namespace {
std::vector<NackItem> encode(std::vector<uint16_t> seqs) { return NackList::encode(seqs); }
std::vector<uint16_t> decode(std::vector<NackItem> items) { return NackList::decode(items); }
}  // namespace

TEST(NackList, EmptyInEmptyOut) {
  EXPECT_TRUE(encode({}).empty());
  EXPECT_TRUE(decode({}).empty());
}

TEST(NackList, OneLossIsAPidWithNoBits) {
  EXPECT_EQ(encode({1234}), (std::vector<NackItem>{{1234, 0}}));
  EXPECT_EQ(decode({{1234, 0}}), (std::vector<uint16_t>{1234}));
}

TEST(NackList, TheSixteenFollowingLossesAreBlpBitsLeastSignificantFirst) {
  EXPECT_EQ(encode({100, 101}), (std::vector<NackItem>{{100, 0x0001}}));
  EXPECT_EQ(encode({100, 116}), (std::vector<NackItem>{{100, 0x8000}}));
  EXPECT_EQ(encode({100, 102, 104}), (std::vector<NackItem>{{100, 0x000A}}));
  std::vector<uint16_t> seventeen;
  for (uint16_t seq = 100; seq <= 116; ++seq) seventeen.push_back(seq);
  EXPECT_EQ(encode(seventeen), (std::vector<NackItem>{{100, 0xFFFF}}));
  EXPECT_EQ(decode({{100, 0xFFFF}}), seventeen);
}

TEST(NackList, ASeventeenthFollowingLossStartsANewItem) {
  EXPECT_EQ(encode({100, 117}), (std::vector<NackItem>{{100, 0}, {117, 0}}));
  EXPECT_EQ(encode({100, 101, 117, 118, 200}), (std::vector<NackItem>{{100, 1}, {117, 1}, {200, 0}}));
}

TEST(NackList, BitsWrapAround65535) {
  EXPECT_EQ(encode({65535, 0, 15}), (std::vector<NackItem>{{65535, 0x8001}}));
  EXPECT_EQ(decode({{65530, 0xFFFF}}),
            (std::vector<uint16_t>{65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(encode({65534, 16}), (std::vector<NackItem>{{65534, 0}, {16, 0}}));
}

TEST(NackList, DuplicatesCostNothing) {
  EXPECT_EQ(encode({5, 5, 6, 6, 5}), (std::vector<NackItem>{{5, 1}}));
}

TEST(NackList, UnsortedInputIsStillCovered) {
  const std::vector<uint16_t> seqs{300, 100, 301, 101};
  std::set<uint16_t> covered;
  for (const uint16_t seq : decode(encode(seqs))) covered.insert(seq);
  EXPECT_EQ(covered, (std::set<uint16_t>{100, 101, 300, 301}));
}

TEST(NackList, EveryBitmaskDecodesAndEncodesBack) {
  // Exhaustive over BLP, at a PID that makes half the bits wrap.
  for (uint32_t blp = 0; blp <= 0xFFFF; ++blp) {
    const NackItem item{65528, static_cast<uint16_t>(blp)};
    const auto seqs = decode({item});
    ASSERT_EQ(seqs.size(), 1u + static_cast<size_t>(std::popcount(blp)));
    ASSERT_EQ(encode(seqs), (std::vector<NackItem>{item})) << blp;
  }
}

TEST(NackList, EveryPidEncodesAlone) {
  for (uint32_t pid = 0; pid <= 0xFFFF; ++pid) {
    const auto seq = static_cast<uint16_t>(pid);
    ASSERT_EQ(encode({seq}), (std::vector<NackItem>{{seq, 0}}));
    ASSERT_EQ(decode({{seq, 0}}), (std::vector<uint16_t>{seq}));
  }
}

TEST(NackList, SortedRunsRoundTripWithTheFewestItems) {
  std::mt19937 random(1313);
  for (int round = 0; round < 2000; ++round) {
    // Increasing sequence numbers from a random start (so some runs wrap), random gaps.
    std::vector<uint16_t> seqs;
    auto seq = static_cast<uint16_t>(random());
    const int count = 1 + static_cast<int>(random() % 60);
    for (int i = 0; i < count; ++i) {
      seqs.push_back(seq);
      seq = static_cast<uint16_t>(seq + 1 + random() % 20);
    }
    const auto items = encode(seqs);
    ASSERT_EQ(decode(items), seqs);
    // Greedy: each item's PID is the first loss more than 16 after the previous PID.
    for (size_t i = 1; i < items.size(); ++i) {
      ASSERT_GT(static_cast<uint16_t>(items[i].pid - items[i - 1].pid), 16);
    }
  }
}

TEST(NackList, ReadsAndWritesTheFciInNetworkByteOrder) {
  const std::vector<NackItem> items{{0x1234, 0x8001}, {0xFFFF, 0x0000}};
  std::vector<uint8_t> bytes;
  NackList::write(items, bytes);
  EXPECT_EQ(bytes, (std::vector<uint8_t>{0x12, 0x34, 0x80, 0x01, 0xFF, 0xFF, 0x00, 0x00}));
  EXPECT_EQ(NackList::read(bytes), items);
}

TEST(NackList, ReadRefusesMalformedFci) {
  EXPECT_FALSE(NackList::read({}));
  const std::vector<uint8_t> partial{0x00, 0x01, 0x00};
  EXPECT_FALSE(NackList::read(partial));
  const std::vector<uint8_t> fiveBytes{0, 1, 0, 0, 9};
  EXPECT_FALSE(NackList::read(fiveBytes));
  const std::vector<uint8_t> largest(NackList::kMaxItems * NackList::kItemBytes, 0);
  EXPECT_TRUE(NackList::read(largest));
  const std::vector<uint8_t> tooLong((NackList::kMaxItems + 1) * NackList::kItemBytes, 0);
  EXPECT_FALSE(NackList::read(tooLong));
}
