#include "live/LiveService.hpp"
#include "live/AttachId.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>

#include "engine/memory/MemoryBroker.hpp"
#include "engine/memory/MemoryLeases.hpp"
#include "engine/memory/MemoryPresence.hpp"
#include "util/Time.hpp"

using namespace onair;

namespace {

// Leases whose store is down: every operation reports an outage.
struct FailingLeases : engine::Leases {
  void acquire(const std::string&, const std::string&, uint32_t, int64_t, std::function<void(engine::Outcome<engine::SlotGrant>)> done) override {
    done(engine::EngineError{"redis is down", 750});
  }
  void renew(const std::string&, const std::string&, int64_t, std::function<void(engine::Outcome<std::optional<int64_t>>)> done) override {
    done(engine::EngineError{"redis is down", 750});
  }
  void release(const std::string&, const std::string&, std::function<void(engine::Outcome<engine::Done>)> done) override {
    done(engine::EngineError{"redis is down", 750});
  }
  void hit(const std::string&, uint32_t, int64_t, std::function<void(engine::Outcome<engine::RateResult>)> done) override {
    done(engine::EngineError{"redis is down", 750});
  }
};

// An engine double: only Leases matters to the live surface.
struct TestEngine : engine::Engine {
  explicit TestEngine(engine::Leases& leases) : leases_(leases) {}
  std::string_view name() const override { return "embedded"; }
  bool ready() const override { return true; }
  void stop() override {}
  engine::Broker& broker() override { return broker_; }
  engine::History& history() override { std::abort(); }
  engine::Leases& leases() override { return leases_; }
  engine::Presence& presence() override { return presence_; }
  engine::Registry& registry() override { std::abort(); }
  engine::Leases& leases_;
  engine::memory::MemoryBroker broker_;
  engine::memory::MemoryPresence presence_;
};

using Result = std::variant<boost::json::value, api::ApiError>;

Result wait(const std::function<void(live::Reply)>& call) {
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  call([promise](api::Result r) {
    // Hot replies come as JSON text: read them back as a DOM so tests check values, not spelling.
    if (auto* t = std::get_if<api::JsonText>(&r)) return promise->set_value(boost::json::parse(t->text));
    if (auto* e = std::get_if<api::ApiError>(&r)) return promise->set_value(std::move(*e));
    promise->set_value(std::move(std::get<boost::json::value>(r)));
  });
  EXPECT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  return future.get();
}

class LiveServiceTest : public ::testing::Test {
 protected:
  void start(engine::Leases& leases) {
    engine_ = std::make_unique<TestEngine>(leases);
    live::LiveOptions options;
    options.kinds["content"] = live::KindOptions{};
    options.kinds["content"].cap = 2;
    options.kinds["content"].attachRatePerMinute = 3;
    service_ = std::make_unique<live::LiveService>(pool_, *engine_, options);
    pool_.start();
  }
  void TearDown() override {
    pool_.stop();
    pool_.join();
  }
  void publish(const std::string& liveId) {
    live::PublishRequest p;
    p.liveId = liveId;
    p.transports.push_back(boost::json::object{{"kind", "portal-relay"}});
    auto r = wait([&](live::Reply reply) { service_->publish(p, reply); });
    ASSERT_TRUE(std::holds_alternative<boost::json::value>(r));
  }
  Result attach(const std::string& liveId, const std::string& user) {
    live::AttachRequest a;
    a.liveId = liveId;
    a.userId = user;
    return wait([&](live::Reply reply) { service_->attach(a, reply); });
  }

  hub::ShardPool pool_{2, net::WsSettings{}};
  std::unique_ptr<TestEngine> engine_;
  std::unique_ptr<live::LiveService> service_;
};

}  // namespace

TEST_F(LiveServiceTest, AnEngineOutageIsServiceUnavailableWithARetryHint) {
  FailingLeases leases;
  start(leases);
  publish("content:abc");
  auto r = attach("content:abc", "alice");
  ASSERT_TRUE(std::holds_alternative<api::ApiError>(r));
  const auto& e = std::get<api::ApiError>(r);
  EXPECT_EQ(e.code, api::ErrorCode::ServiceUnavailable);
  EXPECT_EQ(e.retryAfterMs, 750);
}

TEST_F(LiveServiceTest, CapsAndRatesComeFromLeases) {
  engine::memory::MemoryLeases leases;
  start(leases);
  publish("content:abc");
  EXPECT_TRUE(std::holds_alternative<boost::json::value>(attach("content:abc", "bob")));
  EXPECT_TRUE(std::holds_alternative<boost::json::value>(attach("content:abc", "bob")));
  auto full = attach("content:abc", "bob");
  ASSERT_TRUE(std::holds_alternative<api::ApiError>(full));
  EXPECT_EQ(std::get<api::ApiError>(full).code, api::ErrorCode::CapExceeded);
  auto limited = attach("content:abc", "bob");  // the 4th attach this minute
  ASSERT_TRUE(std::holds_alternative<api::ApiError>(limited));
  EXPECT_EQ(std::get<api::ApiError>(limited).code, api::ErrorCode::RateLimited);
  EXPECT_GT(std::get<api::ApiError>(limited).retryAfterMs.value_or(0), 0);
  EXPECT_TRUE(std::holds_alternative<boost::json::value>(attach("content:abc", "carol")));  // caps are per user
}

TEST_F(LiveServiceTest, AttachIdsCarryTheirLiveId) {
  engine::memory::MemoryLeases leases;
  start(leases);
  publish("content:x:y");
  auto r = attach("content:x:y", "dave");
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(r));
  std::string attachId(std::get<boost::json::value>(r).at("attachId").as_string());
  EXPECT_EQ(live::LiveService::liveIdOfAttach(attachId), "content:x:y");
  EXPECT_EQ(live::LiveService::liveIdOfAttach("garbage"), std::nullopt);
  EXPECT_EQ(live::LiveService::liveIdOfAttach("at_x.!!!"), std::nullopt);
}

TEST(AttachId, JoinRebuildsTheIdFromItsKeyAndLiveId) {
  for (const char* liveId : {"content:abc", "tv:x", "content:\xc3\xa9t\xc3\xa9:with/slashes and spaces"}) {
    std::string id = live::AttachId::make(liveId);
    EXPECT_EQ(live::AttachId::join(live::AttachId::key(id), liveId), id);
    EXPECT_EQ(live::AttachId::liveIdOf(id), liveId);
  }
  EXPECT_NE(live::AttachId::make("content:abc"), live::AttachId::make("content:abc"));  // 72 random bits each
}

TEST(IsoTime, ParsesRfc3339AndRefusesTheRest) {
  EXPECT_EQ(util::parseIsoTimeMs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(util::parseIsoTimeMs("2026-11-22T10:00:00.123Z"), 1795341600123);
  EXPECT_EQ(util::parseIsoTimeMs("2026-11-22T11:00:00+01:00"), 1795341600000);
  EXPECT_EQ(util::parseIsoTimeMs("2026-11-22T10:00:00.5Z"), 1795341600500);
  EXPECT_EQ(util::parseIsoTimeMs("2026-11-22 10:00:00Z"), std::nullopt);
  EXPECT_EQ(util::parseIsoTimeMs("2026-13-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(util::parseIsoTimeMs("2026-11-22T10:00:00"), std::nullopt);
  EXPECT_EQ(util::parseIsoTimeMs("2026-11-22T10:00:00Zjunk"), std::nullopt);
}
