#include "rtc/sfu/RttEstimator.hpp"

#include <gtest/gtest.h>

using onair::rtc::sfu::RttEstimator;
using namespace std::chrono_literals;

TEST(RttEstimator, AssumesTheInitialValueUntilASample) {
  RttEstimator rtt;
  EXPECT_FALSE(rtt.measured());
  EXPECT_EQ(rtt.current(), RttEstimator::kInitial);
}

TEST(RttEstimator, TakesTheFirstSampleThenSmoothsByOneEighth) {
  RttEstimator rtt;
  rtt.sample(8ms);
  EXPECT_TRUE(rtt.measured());
  EXPECT_EQ(rtt.current(), 8ms);
  rtt.sample(88ms);  // 7/8 · 8 + 1/8 · 88 = 18
  EXPECT_EQ(rtt.current(), 18ms);
  for (int i = 0; i < 100; ++i) rtt.sample(2ms);
  EXPECT_EQ(rtt.current(), 2ms);  // converged
}

TEST(RttEstimator, RoundsUpToWholeMillisecondsAndClampsSamples) {
  RttEstimator rtt;
  rtt.sample(300us);
  EXPECT_EQ(rtt.current(), RttEstimator::kMin);
  RttEstimator slow;
  slow.sample(std::chrono::seconds(30));
  EXPECT_EQ(slow.current(), RttEstimator::kMax);
  RttEstimator odd;
  odd.sample(1500us);
  EXPECT_EQ(odd.current(), 2ms);
}
