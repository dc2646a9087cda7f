#include "rtc/sfu/NackGenerator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

using onair::rtc::sfu::NackGenerator;
using namespace std::chrono_literals;

namespace {

using Clock = NackGenerator::Clock;
const Clock::time_point t0{std::chrono::hours(1)};
constexpr auto kRtt = 100ms;

std::vector<uint16_t> due(NackGenerator& generator, Clock::time_point now, std::chrono::milliseconds rtt = kRtt) {
  const auto seqs = generator.due(now, rtt);
  return {seqs.begin(), seqs.end()};
}

// Feeds seqs first..last (inclusive, wrapping) except those in `lost`.
void feed(NackGenerator& generator, uint16_t first, uint16_t last, const std::vector<uint16_t>& lost = {},
          Clock::time_point now = t0) {
  for (uint16_t seq = first;; ++seq) {
    if (std::find(lost.begin(), lost.end(), seq) == lost.end()) generator.received(seq, false, now);
    if (seq == last) break;
  }
}

}  // namespace

TEST(NackGenerator, InOrderPacketsLeaveNothingMissing) {
  NackGenerator generator;
  feed(generator, 1, 500);
  EXPECT_EQ(generator.missingCount(), 0u);
  EXPECT_TRUE(due(generator, t0).empty());
  EXPECT_FALSE(generator.nextDue(kRtt));
}

TEST(NackGenerator, AGapIsRequestedAtOnce) {
  NackGenerator generator;
  feed(generator, 10, 20, {13, 15, 16});
  EXPECT_EQ(generator.missingCount(), 3u);
  EXPECT_TRUE(generator.isMissing(13));
  EXPECT_FALSE(generator.isMissing(14));
  EXPECT_EQ(generator.nextDue(kRtt), t0);
  EXPECT_EQ(due(generator, t0), (std::vector<uint16_t>{13, 15, 16}));
  EXPECT_EQ(generator.counters().requested, 3u);
  // Not again before the retry interval.
  EXPECT_TRUE(due(generator, t0 + 99ms).empty());
}

TEST(NackGenerator, RetriesEveryRttThenGivesUpAfterTheLastRetry) {
  NackGenerator generator(1000, 10);
  feed(generator, 1, 3, {2});
  ASSERT_EQ(due(generator, t0), (std::vector<uint16_t>{2}));
  for (int retry = 1; retry <= 10; ++retry) {
    const auto at = t0 + retry * kRtt;
    EXPECT_TRUE(due(generator, at - 1ms).empty()) << retry;
    EXPECT_EQ(due(generator, at), (std::vector<uint16_t>{2})) << retry;
  }
  EXPECT_EQ(generator.counters().retried, 10u);
  // One more interval for the last retransmission to arrive, then it is given up.
  EXPECT_EQ(generator.nextDue(kRtt), t0 + 11 * kRtt);
  EXPECT_TRUE(due(generator, t0 + 11 * kRtt).empty());
  EXPECT_EQ(generator.missingCount(), 0u);
  EXPECT_EQ(generator.counters().givenUp, 1u);
  EXPECT_EQ(generator.counters().requested, 1u);
}

TEST(NackGenerator, RetriesAreAtLeastTheMinimumIntervalApart) {
  NackGenerator generator;
  feed(generator, 1, 3, {2});
  ASSERT_EQ(due(generator, t0, 1ms).size(), 1u);
  EXPECT_TRUE(due(generator, t0 + 19ms, 1ms).empty());
  EXPECT_EQ(due(generator, t0 + 20ms, 1ms), (std::vector<uint16_t>{2}));
}

TEST(NackGenerator, ARecoveredPacketIsNoLongerRequested) {
  NackGenerator generator;
  feed(generator, 1, 10, {4, 5});
  ASSERT_EQ(due(generator, t0).size(), 2u);
  const auto result = generator.received(4, false, t0 + 50ms);
  EXPECT_TRUE(result.recovered);
  EXPECT_FALSE(generator.isMissing(4));
  EXPECT_EQ(due(generator, t0 + kRtt), (std::vector<uint16_t>{5}));
  EXPECT_EQ(generator.counters().recovered, 1u);
}

TEST(NackGenerator, ReorderedPacketsAreRecoveredEvenBeforeAnyNack) {
  NackGenerator generator;
  generator.received(1, false, t0);
  generator.received(3, false, t0);
  generator.received(2, false, t0);
  EXPECT_EQ(generator.missingCount(), 0u);
  EXPECT_TRUE(due(generator, t0).empty());
  EXPECT_EQ(generator.counters().recovered, 1u);
  EXPECT_EQ(generator.counters().requested, 0u);
}

TEST(NackGenerator, DuplicatesChangeNothing) {
  NackGenerator generator;
  feed(generator, 1, 5, {3});
  EXPECT_FALSE(generator.received(5, false, t0).recovered);  // the newest again
  EXPECT_FALSE(generator.received(4, false, t0).recovered);  // an older one again
  EXPECT_EQ(generator.missingCount(), 1u);
  EXPECT_TRUE(generator.received(3, false, t0).recovered);
  EXPECT_FALSE(generator.received(3, false, t0).recovered);  // recovered twice counts once
  EXPECT_EQ(generator.counters().recovered, 1u);
}

TEST(NackGenerator, GapsWrapAround65535) {
  NackGenerator generator;
  feed(generator, 65530, 5, {65534, 65535, 0, 2});
  EXPECT_EQ(generator.missingCount(), 4u);
  EXPECT_EQ(due(generator, t0), (std::vector<uint16_t>{65534, 65535, 0, 2}));
  EXPECT_TRUE(generator.received(0, false, t0).recovered);
  EXPECT_TRUE(generator.received(65535, false, t0).recovered);
  EXPECT_EQ(due(generator, t0 + kRtt), (std::vector<uint16_t>{65534, 2}));
}

TEST(NackGenerator, AStreamThatWrapsManyTimesKeepsItsOrder) {
  NackGenerator generator;
  uint16_t seq = 0;
  for (int i = 0; i < 200500; ++i, ++seq) {
    if (i % 1000 == 999) continue;  // one loss every thousand
    generator.received(seq, false, t0);
    const auto seqs = due(generator, t0);
    for (const uint16_t s : seqs) generator.received(s, false, t0);  // retransmitted at once
  }
  EXPECT_EQ(generator.missingCount(), 0u);
  EXPECT_EQ(generator.counters().requested, 200u);
  EXPECT_EQ(generator.counters().recovered, 200u);
}

TEST(NackGenerator, AnOverflowingGapDropsLossesOlderThanAKeyframe) {
  NackGenerator generator(10);
  feed(generator, 1, 10, {2, 3, 4, 5, 6});      // 5 missing, before the keyframe
  generator.received(20, true, t0);              // a keyframe start after a gap of 9: 5 + 9 > 10
  EXPECT_FALSE(generator.isMissing(2));
  EXPECT_EQ(generator.missingCount(), 9u);       // 11..19
  EXPECT_TRUE(generator.isMissing(11));
  EXPECT_EQ(generator.counters().dropped, 5u);
  EXPECT_EQ(generator.counters().keyframesNeeded, 0u);
}

TEST(NackGenerator, AnOverflowWithoutAKeyframeDropsEverythingAndAsksForOne) {
  NackGenerator generator(10);
  feed(generator, 1, 10, {2, 3, 4, 5, 6});
  const auto result = generator.received(20, false, t0);
  EXPECT_TRUE(result.keyframeNeeded);
  EXPECT_EQ(generator.missingCount(), 0u);
  EXPECT_EQ(generator.counters().dropped, 5u);
  EXPECT_EQ(generator.counters().keyframesNeeded, 1u);
  // It carries on from the new packet.
  generator.received(22, false, t0);
  EXPECT_EQ(due(generator, t0), (std::vector<uint16_t>{21}));
}

TEST(NackGenerator, AKeyframeWithNoLossesBeforeItIsSkippedWhenTrimming) {
  NackGenerator generator(10);
  generator.received(1, true, t0);                 // keyframe, nothing missing before it
  feed(generator, 2, 10, {3, 4, 5});
  generator.received(11, true, t0);
  feed(generator, 12, 14, {13});                   // 3, 4, 5, 13 missing
  generator.received(22, false, t0);               // gap of 7: 4 + 7 > 10, trim up to 11
  EXPECT_FALSE(generator.isMissing(3));
  EXPECT_TRUE(generator.isMissing(13));
  EXPECT_EQ(generator.missingCount(), 8u);
}

TEST(NackGenerator, AHugeJumpForwardResetsTheList) {
  NackGenerator generator;
  feed(generator, 1, 10, {5});
  const auto result = generator.received(5000, false, t0);
  EXPECT_TRUE(result.keyframeNeeded);
  EXPECT_EQ(generator.missingCount(), 0u);
  generator.received(5001, false, t0);
  EXPECT_EQ(generator.missingCount(), 0u);
}

TEST(NackGenerator, APacketFarBehindIsASequenceRestart) {
  NackGenerator generator;
  feed(generator, 30000, 30010, {30005});
  const auto restart = static_cast<uint16_t>(30000 - NackGenerator::kMaxPacketAge - 1);
  generator.received(restart, false, t0);
  EXPECT_EQ(generator.missingCount(), 0u);
  EXPECT_EQ(generator.counters().resets, 1u);
  generator.received(static_cast<uint16_t>(restart + 2), false, t0);
  EXPECT_EQ(due(generator, t0), (std::vector<uint16_t>{static_cast<uint16_t>(restart + 1)}));
}

TEST(NackGenerator, TheListNeverExceedsItsCap) {
  NackGenerator generator(50);
  uint16_t seq = 0;
  for (int i = 0; i < 5000; ++i) {
    seq = static_cast<uint16_t>(seq + 1 + (i * 7919) % 13);  // gaps of up to 12
    generator.received(seq, i % 97 == 0, t0 + i * 1ms);
    ASSERT_LE(generator.missingCount(), 50u);
    due(generator, t0 + i * 1ms);
  }
}

TEST(NackGenerator, ResetForgetsTheStream) {
  NackGenerator generator;
  feed(generator, 1, 10, {5});
  generator.reset();
  EXPECT_EQ(generator.missingCount(), 0u);
  generator.received(100, false, t0);  // starts again, no gap from 10
  EXPECT_EQ(generator.missingCount(), 0u);
}

TEST(NackGenerator, ARepairOfAPacketNackedOnceGivesARoundTripSample) {
  NackGenerator generator;
  feed(generator, 1, 5, {2, 4});
  ASSERT_EQ(due(generator, t0 + 1ms), (std::vector<uint16_t>{2, 4}));
  const auto repaired = generator.received(2, false, t0 + 8ms);
  EXPECT_TRUE(repaired.recovered);
  ASSERT_TRUE(repaired.roundTrip);
  EXPECT_EQ(*repaired.roundTrip, 7ms);
  // 4 is NACKed a second time: its repair could answer either request, so it is no sample.
  ASSERT_EQ(due(generator, t0 + 101ms), (std::vector<uint16_t>{4}));
  const auto late = generator.received(4, false, t0 + 103ms);
  EXPECT_TRUE(late.recovered);
  EXPECT_FALSE(late.roundTrip);
}

TEST(NackGenerator, APacketArrivingBeforeItsNackIsNoSample) {
  NackGenerator generator;
  feed(generator, 1, 5, {3});
  const auto reordered = generator.received(3, false, t0 + 2ms);
  EXPECT_TRUE(reordered.recovered);
  EXPECT_FALSE(reordered.roundTrip);
  EXPECT_FALSE(generator.received(6, false, t0 + 3ms).roundTrip);
}
