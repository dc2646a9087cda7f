// TokenBucket with a clock the test moves.
#include "util/TokenBucket.hpp"

#include <gtest/gtest.h>

namespace onair::util {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, SpendsWhatItHoldsThenRefillsAtItsRate) {
  TokenBucket bucket(100, 50);
  const auto t0 = TokenBucket::Clock::time_point{} + 1h;
  EXPECT_TRUE(bucket.take(60, t0));
  EXPECT_TRUE(bucket.take(40, t0));
  EXPECT_FALSE(bucket.take(1, t0)) << "empty";
  EXPECT_FALSE(bucket.take(30, t0 + 500ms)) << "25 refilled";
  EXPECT_TRUE(bucket.take(25, t0 + 500ms));
  EXPECT_TRUE(bucket.take(100, t0 + 10s)) << "refilled to capacity, not past it";
  EXPECT_FALSE(bucket.take(1, t0 + 10s));
}

TEST(TokenBucket, ARequestLargerThanTheCapacityPassesOnlyFromAFullBucket) {
  TokenBucket bucket(100, 100);
  const auto t0 = TokenBucket::Clock::time_point{} + 1h;
  EXPECT_TRUE(bucket.take(250, t0)) << "one maximal request after a quiet spell";
  EXPECT_FALSE(bucket.take(1, t0)) << "it emptied the bucket";
  EXPECT_FALSE(bucket.take(250, t0 + 500ms)) << "half full is not enough";
  EXPECT_TRUE(bucket.take(250, t0 + 2s));
}

TEST(TokenBucket, TimeGoingBackwardsRefillsNothing) {
  TokenBucket bucket(10, 10);
  const auto t0 = TokenBucket::Clock::time_point{} + 1h;
  EXPECT_TRUE(bucket.take(10, t0));
  EXPECT_FALSE(bucket.take(1, t0 - 5s));
  EXPECT_TRUE(bucket.take(5, t0 + 500ms));
}

}  // namespace
}  // namespace onair::util
