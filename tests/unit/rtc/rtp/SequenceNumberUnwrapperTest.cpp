#include "rtc/rtp/SequenceNumberUnwrapper.hpp"

#include <gtest/gtest.h>

using onair::rtc::rtp::SequenceNumberUnwrapper;

TEST(SequenceNumberUnwrapper, CountsOnAcrossWraps) {
  SequenceNumberUnwrapper u;
  EXPECT_EQ(u.unwrap(65534), 65534);
  EXPECT_EQ(u.unwrap(65535), 65535);
  EXPECT_EQ(u.unwrap(0), 65536);
  EXPECT_EQ(u.unwrap(1), 65537);
  // Three more wraps, in steps under half the range.
  int64_t expected = 65537;
  uint16_t seq = 1;
  for (int i = 0; i < 12; ++i) {
    seq = uint16_t(seq + 20000);
    expected += 20000;
    EXPECT_EQ(u.unwrap(seq), expected);
  }
  EXPECT_EQ(u.highest(), expected);
}

TEST(SequenceNumberUnwrapper, PlacesLatePacketsBehindWithoutMovingTheHighest) {
  SequenceNumberUnwrapper u;
  EXPECT_EQ(u.unwrap(2), 2);
  EXPECT_EQ(u.unwrap(65535), -1);  // reordered before the first, across the wrap
  EXPECT_EQ(u.highest(), 2);
  EXPECT_EQ(u.unwrap(5), 5);
  EXPECT_EQ(u.unwrap(3), 3);
  EXPECT_EQ(u.unwrap(4), 4);
  EXPECT_EQ(u.highest(), 5);
  EXPECT_EQ(u.unwrap(6), 6);
}

TEST(SequenceNumberUnwrapper, LateAcrossAWrapStaysInTheOldCycle) {
  SequenceNumberUnwrapper u;
  u.unwrap(65530);
  EXPECT_EQ(u.unwrap(3), 65539);
  EXPECT_EQ(u.unwrap(65533), 65533);  // late, from before the wrap
  EXPECT_EQ(u.unwrap(4), 65540);
}

TEST(SequenceNumberUnwrapper, HalfTheRangeAheadCountsAsBehind) {
  SequenceNumberUnwrapper u;
  u.unwrap(0);
  EXPECT_EQ(u.unwrap(0x8000), -0x8000);
  EXPECT_EQ(u.unwrap(0x7FFF), 0x7FFF);
  EXPECT_EQ(u.highest(), 0x7FFF);
}
