#include "rtc/sfu/KeyframeRequestLimiter.hpp"

#include <gtest/gtest.h>

using onair::rtc::sfu::KeyframeRequestLimiter;
using namespace std::chrono_literals;

namespace {
const KeyframeRequestLimiter::Clock::time_point t0{std::chrono::hours(1)};
}

TEST(KeyframeRequestLimiter, TheFirstRequestGoesAtOnce) {
  KeyframeRequestLimiter limiter;
  EXPECT_TRUE(limiter.request(t0));
  EXPECT_FALSE(limiter.pending());
  EXPECT_FALSE(limiter.nextDue());
  EXPECT_EQ(limiter.counters().sent, 1u);
}

TEST(KeyframeRequestLimiter, RequestsInsideTheWindowCoalesceIntoOne) {
  KeyframeRequestLimiter limiter(500ms);
  ASSERT_TRUE(limiter.request(t0));
  EXPECT_FALSE(limiter.request(t0 + 10ms));
  EXPECT_FALSE(limiter.request(t0 + 200ms));
  EXPECT_FALSE(limiter.request(t0 + 499ms));
  EXPECT_TRUE(limiter.pending());
  EXPECT_EQ(limiter.nextDue(), t0 + 500ms);

  EXPECT_FALSE(limiter.due(t0 + 499ms));
  EXPECT_TRUE(limiter.due(t0 + 500ms));
  EXPECT_FALSE(limiter.due(t0 + 501ms));  // once
  EXPECT_FALSE(limiter.pending());

  const auto& counters = limiter.counters();
  EXPECT_EQ(counters.requests, 4u);
  EXPECT_EQ(counters.sent, 2u);
  EXPECT_EQ(counters.coalesced, 3u);
}

TEST(KeyframeRequestLimiter, TheWindowRestartsAtEachSend) {
  KeyframeRequestLimiter limiter(500ms);
  limiter.request(t0);
  limiter.request(t0 + 100ms);
  ASSERT_TRUE(limiter.due(t0 + 700ms));
  EXPECT_FALSE(limiter.request(t0 + 1100ms));  // 400 ms after the last send
  EXPECT_EQ(limiter.nextDue(), t0 + 1200ms);
  EXPECT_TRUE(limiter.request(t0 + 1200ms));  // a request at the window's opening goes itself
  EXPECT_FALSE(limiter.pending());
}

TEST(KeyframeRequestLimiter, AKeyframeAnswersThePendingRequest) {
  KeyframeRequestLimiter limiter(500ms);
  limiter.request(t0);
  limiter.request(t0 + 50ms);
  limiter.keyframeReceived();
  EXPECT_FALSE(limiter.pending());
  EXPECT_FALSE(limiter.due(t0 + 600ms));
  EXPECT_EQ(limiter.counters().satisfied, 1u);
  EXPECT_EQ(limiter.counters().sent, 1u);
  // A keyframe with nothing pending changes nothing.
  limiter.keyframeReceived();
  EXPECT_EQ(limiter.counters().satisfied, 1u);
}

TEST(KeyframeRequestLimiter, TheIntervalIsConfigurable) {
  KeyframeRequestLimiter limiter(100ms);
  limiter.request(t0);
  EXPECT_FALSE(limiter.request(t0 + 99ms));
  EXPECT_TRUE(limiter.due(t0 + 100ms));
  KeyframeRequestLimiter unlimited(0ms);
  EXPECT_TRUE(unlimited.request(t0));
  EXPECT_TRUE(unlimited.request(t0));
}

TEST(KeyframeRequestLimiter, NothingIsDueWithoutARequest) {
  KeyframeRequestLimiter limiter;
  EXPECT_FALSE(limiter.due(t0));
  EXPECT_FALSE(limiter.nextDue());
  EXPECT_EQ(limiter.counters().sent, 0u);
}

TEST(KeyframeRequestLimiter, ARequestNoKeyframeAnswersIsRetriedEachRetryInterval) {
  KeyframeRequestLimiter limiter(500ms, 1000ms);
  ASSERT_TRUE(limiter.request(t0));
  EXPECT_TRUE(limiter.unanswered());
  EXPECT_FALSE(limiter.retry(t0 + 999ms));
  EXPECT_TRUE(limiter.retry(t0 + 1000ms));
  EXPECT_FALSE(limiter.retry(t0 + 1500ms));  // the retry restarts the wait
  EXPECT_TRUE(limiter.retry(t0 + 2000ms));
  EXPECT_EQ(limiter.counters().sent, 3u);
  EXPECT_EQ(limiter.counters().retried, 2u);
  // A retry is a send: a consumer's request right after it waits for the window.
  EXPECT_FALSE(limiter.request(t0 + 2100ms));
  EXPECT_TRUE(limiter.pending());
}

TEST(KeyframeRequestLimiter, AKeyframeEndsTheRetries) {
  KeyframeRequestLimiter limiter(500ms, 1000ms);
  limiter.request(t0);
  limiter.keyframeReceived();
  EXPECT_FALSE(limiter.unanswered());
  EXPECT_FALSE(limiter.retry(t0 + 5s));
  // Nothing was ever sent: nothing to retry.
  KeyframeRequestLimiter idle;
  EXPECT_FALSE(idle.retry(t0));
  EXPECT_FALSE(idle.unanswered());
}
