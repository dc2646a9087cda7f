#include "engine/redis/RedisLeases.hpp"

#include "RedisEngineFixture.hpp"

using namespace onair::engine;
using namespace onair::engine::redis;

namespace {

class RedisLeasesTest : public onair::engine::redis::testing::RedisEngineFixture {
 protected:
  static SlotGrant acquire(Engine& node, const std::string& capKey, const std::string& slotId, uint32_t cap,
                           int64_t ttlMs = 600000) {
    return valueOf(await<SlotGrant>([&](auto done) { node.leases().acquire(capKey, slotId, cap, ttlMs, done); }));
  }
  static RateResult hit(Engine& node, const std::string& key, uint32_t limit, int64_t windowMs) {
    return valueOf(await<RateResult>([&](auto done) { node.leases().hit(key, limit, windowMs, done); }));
  }
};

// Issue 14: "with a cap of 4, four attaches spread over both nodes succeed, the fifth gets
// cap_exceeded".
TEST_F(RedisLeasesTest, ACapHoldsAcrossNodes) {
  auto one = node();
  auto two = node();
  EXPECT_TRUE(acquire(*one, "user:u", "a", 4).granted);
  EXPECT_TRUE(acquire(*two, "user:u", "b", 4).granted);
  EXPECT_TRUE(acquire(*one, "user:u", "c", 4).granted);
  auto fourth = acquire(*two, "user:u", "d", 4);
  EXPECT_TRUE(fourth.granted);
  EXPECT_EQ(fourth.count, 4u);
  auto fifth = acquire(*one, "user:u", "e", 4);
  EXPECT_FALSE(fifth.granted);
  EXPECT_EQ(fifth.count, 4u);
  valueOf(await<Done>([&](auto done) { two->leases().release("user:u", "a", done); }));  // one node frees another's
  EXPECT_TRUE(acquire(*one, "user:u", "e", 4).granted);
}

TEST_F(RedisLeasesTest, ASlotSetExpiresWithItsLatestSlot) {
  auto one = node();
  auto grant = acquire(*one, "user:u", "a", 2, 200);
  ASSERT_TRUE(grant.granted);
  const std::string key = "t:l:{user:u}";
  const auto left = server_.call({"PTTL", key}).integer();
  EXPECT_GT(left, 0);
  EXPECT_LE(left, 201);
  EXPECT_EQ(server_.call({"PEXPIRETIME", key}).integer(), grant.expiresAtMs + 1) << "the expiry is the slot's, on Redis's clock";
  // Nobody releases it: the set vanishes by itself (bounded polling).
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = server_.call({"EXISTS", key}).integer() == 0;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone);
}

TEST_F(RedisLeasesTest, ARateWindowIsSharedByNodesAndExpires) {
  auto one = node();
  auto two = node();
  EXPECT_TRUE(hit(*one, "attach:u", 2, 60000).allowed);
  EXPECT_TRUE(hit(*two, "attach:u", 2, 60000).allowed);
  auto refused = hit(*one, "attach:u", 2, 60000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_GT(refused.retryAfterMs, 0);
  EXPECT_LE(refused.retryAfterMs, 60000);
  const auto left = server_.call({"PTTL", "t:r:{attach:u}"}).integer();
  EXPECT_GT(left, 0);
  EXPECT_LE(left, 60000);
}

TEST_F(RedisLeasesTest, AnOutageIsAnEngineErrorWithARetryHint) {
  auto one = node();
  server_.stop();
  auto outcome = await<SlotGrant>([&](auto done) { one->leases().acquire("user:u", "a", 1, 1000, done); });
  auto* error = std::get_if<EngineError>(&outcome);
  ASSERT_NE(error, nullptr);
  EXPECT_GT(error->retryAfterMs, 0);
}

TEST(RedisLeasesReplies, UnexpectedShapesAreEngineErrors) {
  using Reply = RedisReply;
  auto ok = [](Reply reply) { return RedisOutcome::success(std::move(reply)); };
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisLeases::grantOf(ok(Reply::integer(1)))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisLeases::grantOf(ok(Reply::array({Reply::integer(1), Reply::integer(2)})))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(
      RedisLeases::grantOf(ok(Reply::array({Reply::integer(1), Reply::bulk("x"), Reply::integer(3)})))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisLeases::renewalOf(ok(Reply::array({})))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisLeases::renewalOf(ok(Reply::integer(-5)))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(RedisLeases::rateOf(ok(Reply::nil()))));
  EXPECT_TRUE(std::holds_alternative<EngineError>(
      RedisLeases::grantOf(RedisOutcome::failure(RedisOutcome::Error::Server, "ERR something"))));

  auto grant = RedisLeases::grantOf(ok(Reply::array({Reply::integer(1), Reply::integer(2), Reply::integer(3)})));
  ASSERT_TRUE(std::holds_alternative<SlotGrant>(grant));
  EXPECT_TRUE(std::get<SlotGrant>(grant).granted);
  EXPECT_EQ(std::get<SlotGrant>(grant).count, 2u);
  EXPECT_EQ(std::get<SlotGrant>(grant).expiresAtMs, 3);
  auto notHeld = RedisLeases::renewalOf(ok(Reply::integer(0)));
  ASSERT_TRUE(std::holds_alternative<std::optional<int64_t>>(notHeld));
  EXPECT_FALSE(std::get<std::optional<int64_t>>(notHeld).has_value());
}

}  // namespace
