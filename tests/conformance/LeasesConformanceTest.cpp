// Leases contract (engine/Leases.hpp), run against every engine. Uses the engine's own clock, so
// TTLs here are long enough (minutes) that nothing expires during a test, except where a test
// waits on purpose.
#include <thread>

#include "ConformanceFixture.hpp"

namespace onair::conformance {
namespace {

class LeasesConformance : public EngineConformance {
 protected:
  engine::SlotGrant acquire(const std::string& capKey, const std::string& slotId, uint32_t cap, int64_t ttlMs = 600000) {
    return valueOf(awaitCompletion<engine::Outcome<engine::SlotGrant>>(
                       [&](auto done) { engine().leases().acquire(capKey, slotId, cap, ttlMs, std::move(done)); }, "acquire"),
                   "acquire");
  }
  std::optional<int64_t> renew(const std::string& capKey, const std::string& slotId, int64_t ttlMs = 600000) {
    return valueOf(awaitCompletion<engine::Outcome<std::optional<int64_t>>>(
                       [&](auto done) { engine().leases().renew(capKey, slotId, ttlMs, std::move(done)); }, "renew"),
                   "renew");
  }
  void release(const std::string& capKey, const std::string& slotId) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>(
                [&](auto done) { engine().leases().release(capKey, slotId, std::move(done)); }, "release"),
            "release");
  }
  engine::RateResult hit(const std::string& key, uint32_t limit, int64_t windowMs = 600000) {
    return valueOf(awaitCompletion<engine::Outcome<engine::RateResult>>(
                       [&](auto done) { engine().leases().hit(key, limit, windowMs, std::move(done)); }, "hit"),
                   "hit");
  }
};

TEST_P(LeasesConformance, CapHoldsAndReleaseFreesAPlace) {
  const auto cap = name("user:a");
  EXPECT_TRUE(acquire(cap, "s1", 2).granted);
  auto second = acquire(cap, "s2", 2);
  EXPECT_TRUE(second.granted);
  EXPECT_EQ(second.count, 2u);
  auto third = acquire(cap, "s3", 2);
  EXPECT_FALSE(third.granted);
  EXPECT_EQ(third.count, 2u);
  release(cap, "s1");
  EXPECT_TRUE(acquire(cap, "s3", 2).granted);
}

TEST_P(LeasesConformance, ReacquiringAHeldSlotRenewsItWithinTheCap) {
  const auto cap = name("user:a");
  EXPECT_TRUE(acquire(cap, "s1", 1).granted);
  auto again = acquire(cap, "s1", 1);
  EXPECT_TRUE(again.granted);
  EXPECT_EQ(again.count, 1u);
}

TEST_P(LeasesConformance, ReleaseIsIdempotentAndRenewOfAReleasedSlotFails) {
  const auto cap = name("user:a");
  EXPECT_TRUE(acquire(cap, "s1", 1).granted);
  EXPECT_TRUE(renew(cap, "s1").has_value());
  release(cap, "s1");
  release(cap, "s1");
  release(name("never"), "s9");
  EXPECT_FALSE(renew(cap, "s1").has_value());
}

TEST_P(LeasesConformance, AnExpiredSlotFreesItsPlaceAtOnce) {
  const auto cap = name("user:a");
  EXPECT_TRUE(acquire(cap, "short", 1, 50).granted);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_FALSE(renew(cap, "short").has_value());
  auto next = acquire(cap, "next", 1);
  EXPECT_TRUE(next.granted);
  EXPECT_EQ(next.count, 1u);
}

TEST_P(LeasesConformance, SetsEmptiedManyTimesOverStillHoldTheirCaps) {
  // Thousands of scopes that fill and empty (users cycling attach and release) must neither
  // lose a held slot nor let a cap slip while the engine tidies emptied sets.
  for (int i = 0; i < 5000; ++i) {
    const auto cap = name("user:" + std::to_string(i));
    ASSERT_TRUE(acquire(cap, "a", 1).granted);
    release(cap, "a");
  }
  const auto held = name("user:held");
  ASSERT_TRUE(acquire(held, "kept", 1).granted);
  for (int i = 5000; i < 10000; ++i) {
    const auto cap = name("user:" + std::to_string(i));
    ASSERT_TRUE(acquire(cap, "a", 1).granted);
    release(cap, "a");
  }
  EXPECT_FALSE(acquire(held, "other", 1).granted);
  EXPECT_TRUE(renew(held, "kept").has_value());
  EXPECT_TRUE(acquire(name("user:42"), "b", 1).granted);
}

TEST_P(LeasesConformance, RateWindowRefusesOverTheLimitWithTheTimeLeft) {
  const auto key = name("attach:u1");
  EXPECT_TRUE(hit(key, 2, 60000).allowed);
  EXPECT_TRUE(hit(key, 2, 60000).allowed);
  auto refused = hit(key, 2, 60000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GT(refused.retryAfterMs, 0);
  EXPECT_LE(refused.retryAfterMs, 60000);
  EXPECT_TRUE(hit(name("attach:u2"), 2, 60000).allowed);
}

ONAIR_INSTANTIATE_CONFORMANCE(LeasesConformance);

}  // namespace
}  // namespace onair::conformance
