#include "live/LiveService.hpp"
#include "live/AttachId.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <thread>

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
  engine::Nodes& nodes() override { std::abort(); }
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
  void start(engine::Leases& leases, uint32_t maxEntriesPerUser = 100, size_t maxTombstonesPerShard = 65536) {
    engine_ = std::make_unique<TestEngine>(leases);
    live::LiveOptions options;
    options.kinds["content"] = live::KindOptions{};
    options.kinds["content"].cap = 2;
    options.kinds["content"].attachRatePerMinute = 3;
    options.maxEntriesPerUser = maxEntriesPerUser;
    options.maxTombstonesPerShard = maxTombstonesPerShard;
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
  // A publish by `user` ("" = the server API) offering an iframe at `url`.
  Result publishAs(const std::string& user, const std::string& liveId, const std::string& url = "https://example.com/s",
                   std::string metaJson = "", std::optional<int64_t> expiresAtMs = std::nullopt) {
    live::PublishRequest p;
    p.liveId = liveId;
    p.userId = user;
    p.transports.push_back(boost::json::object{{"kind", "iframe-url"}, {"url", url}});
    p.transports.push_back(boost::json::object{{"kind", "portal-relay"}});
    p.metaJson = std::move(metaJson);
    p.expiresAtMs = expiresAtMs;
    return wait([&](live::Reply reply) { service_->publish(p, reply); });
  }
  Result unpublishAs(const std::string& user, const std::string& liveId) {
    return wait([&](live::Reply reply) { service_->unpublish(liveId, user, reply); });
  }
  Result resolve(const std::string& liveId) {
    return wait([&](live::Reply reply) { service_->resolve(liveId, {}, reply); });
  }
  live::LiveService::Footprint footprint() {
    std::promise<live::LiveService::Footprint> promise;
    service_->footprint([&promise](live::LiveService::Footprint f) { promise.set_value(f); });
    return promise.get_future().get();
  }
  Result attach(const std::string& liveId, const std::string& user) {
    live::AttachRequest a;
    a.liveId = liveId;
    a.userId = user;
    return wait([&](live::Reply reply) { service_->attach(a, reply); });
  }

  static bool ok(const Result& r) { return std::holds_alternative<boost::json::value>(r); }
  static std::optional<api::ErrorCode> code(const Result& r) {
    if (const auto* e = std::get_if<api::ApiError>(&r)) return e->code;
    return std::nullopt;
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

TEST_F(LiveServiceTest, AnEndedEntryKeepsNothingAndALapsedOneOnlyATombstone) {
  engine::memory::MemoryLeases leases;
  start(leases);
  const std::string meta = boost::json::serialize(boost::json::object{{"title", std::string(4000, 't')}});
  // Attaches and resolves answer `code`; the broadcasts hold `entries` and `tombstones`.
  auto expectState = [&](api::ErrorCode code, size_t entries, size_t tombstones) {
    EXPECT_EQ(LiveServiceTest::code(attach("content:big", "bob")), code);
    EXPECT_EQ(LiveServiceTest::code(resolve("content:big")), code);
    auto held = footprint();
    EXPECT_EQ(held.entries, entries);
    EXPECT_EQ(held.tombstones, tombstones);
    EXPECT_EQ(held.offerBytes, 0u) << "no transports or meta are kept once an entry ends";
  };
  ASSERT_TRUE(ok(publishAs("alice", "content:big", "https://example.com/s", meta)));
  EXPECT_EQ(footprint().entries, 1u);
  EXPECT_GT(footprint().offerBytes, 4000u);
  // Ended: answered like a liveId never published.
  ASSERT_TRUE(ok(unpublishAs("alice", "content:big")));
  expectState(api::ErrorCode::NotFound, 0, 0);
  // Lapsed: a tombstone answers expired.
  const int64_t soon = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count() + 20;
  ASSERT_TRUE(ok(publishAs("alice", "content:big", "https://example.com/s", meta, soon)));
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(std::chrono::milliseconds(soon + 1)));
  expectState(api::ErrorCode::Expired, 0, 1);
  // Publishing again starts a new life.
  ASSERT_TRUE(ok(publishAs("bob", "content:big")));
  EXPECT_TRUE(ok(resolve("content:big")));
  EXPECT_EQ(footprint().tombstones, 0u);
}

TEST_F(LiveServiceTest, AUserHasAtMostMaxEntriesLiveAtOnce) {
  engine::memory::MemoryLeases leases;
  start(leases, 2);
  EXPECT_TRUE(ok(publishAs("alice", "content:a")));
  EXPECT_TRUE(ok(publishAs("alice", "content:b")));
  EXPECT_EQ(code(publishAs("alice", "content:c")), api::ErrorCode::CapExceeded);
  EXPECT_TRUE(ok(publishAs("alice", "content:a")));  // refreshing one of hers is not a new entry
  EXPECT_TRUE(ok(publishAs("bob", "content:c")));    // the cap is per user
  EXPECT_TRUE(ok(publishAs("", "content:d")));       // the server API is not counted
  ASSERT_TRUE(ok(unpublishAs("alice", "content:a")));
  EXPECT_TRUE(ok(publishAs("alice", "content:e")));  // an ended entry frees her place
}

TEST_F(LiveServiceTest, OnlyTheOwnerOrTheServerApiChangesOrEndsALiveEntry) {
  engine::memory::MemoryLeases leases;
  start(leases);
  ASSERT_TRUE(ok(publishAs("alice", "content:x", "https://example.com/alice")));
  EXPECT_EQ(code(publishAs("bob", "content:x", "https://example.com/bob")), api::ErrorCode::Permission);
  EXPECT_EQ(code(unpublishAs("bob", "content:x")), api::ErrorCode::Permission);
  auto resolved = resolve("content:x");
  ASSERT_TRUE(ok(resolved));
  EXPECT_EQ(std::get<boost::json::value>(resolved).at("transport").at("url"), "https://example.com/alice");
  // The server API overrides; the entry stays alice's.
  EXPECT_TRUE(ok(publishAs("", "content:x", "https://example.com/server")));
  EXPECT_EQ(code(publishAs("bob", "content:x")), api::ErrorCode::Permission);
  EXPECT_TRUE(ok(publishAs("alice", "content:x", "https://example.com/alice")));
  EXPECT_TRUE(ok(unpublishAs("", "content:x")));
  // Ended: anyone may publish it anew, and owns it then.
  EXPECT_TRUE(ok(publishAs("bob", "content:x")));
  EXPECT_EQ(code(unpublishAs("alice", "content:x")), api::ErrorCode::Permission);
  EXPECT_TRUE(ok(unpublishAs("bob", "content:x")));
  // An entry the server API opened belongs to no user: users cannot change or end it.
  EXPECT_TRUE(ok(publishAs("", "content:y")));
  EXPECT_EQ(code(publishAs("alice", "content:y")), api::ErrorCode::Permission);
  EXPECT_EQ(code(unpublishAs("alice", "content:y")), api::ErrorCode::Permission);
}

TEST_F(LiveServiceTest, EachShardKeepsAtMostMaxTombstones) {
  engine::memory::MemoryLeases leases;
  start(leases, 100, 1);
  const int64_t soon = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count() + 20;
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(ok(publishAs("alice", "content:lapse-" + std::to_string(i), "https://example.com/s", "", soon)));
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(std::chrono::milliseconds(soon + 1)));
  size_t expired = 0;
  for (int i = 0; i < 8; ++i) {
    auto answer = code(attach("content:lapse-" + std::to_string(i), "viewer-" + std::to_string(i)));  // each under its rate
    ASSERT_TRUE(answer == api::ErrorCode::Expired || answer == api::ErrorCode::NotFound);
    expired += answer == api::ErrorCode::Expired;
  }
  EXPECT_EQ(footprint().tombstones, expired);
  EXPECT_GE(expired, 1u);
  EXPECT_LE(expired, 2u);  // one per shard
}
