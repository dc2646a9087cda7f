// StageService driven directly, on one shard over the embedded engine (SQLite in a temporary
// directory). An actor without a session stands for a connection that closes right after its
// stage.open: the open succeeds, then the stage sees that connection go, as when a viewer leaves.
#include "stage/StageService.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "engine/EmbeddedEngine.hpp"

namespace onair::stage {
namespace {

namespace json = boost::json;
using Result = std::variant<json::value, api::ApiError>;

Result toResult(api::Result r) {
  if (auto* t = std::get_if<api::JsonText>(&r)) return json::parse(t->text);
  if (auto* e = std::get_if<api::ApiError>(&r)) return std::move(*e);
  return std::move(std::get<json::value>(r));
}

Result wait(const std::function<void(Reply)>& call) {
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  call([promise](api::Result r) { promise->set_value(toResult(std::move(r))); });
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) throw std::runtime_error("no reply within 5 s");
  return future.get();
}

const json::object& ok(const Result& r) {
  if (auto* e = std::get_if<api::ApiError>(&r)) throw std::runtime_error("unexpected error: " + e->message);
  return std::get<json::value>(r).as_object();
}

// Calls started without waiting; their replies, in call order, once each has arrived.
class Replies {
 public:
  Reply callback() {
    auto promise = std::make_shared<std::promise<Result>>();
    futures_.push_back(promise->get_future());
    return [promise](api::Result r) { promise->set_value(toResult(std::move(r))); };
  }
  std::vector<Result> all() {
    std::vector<Result> out;
    for (auto& f : futures_) {
      if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready) throw std::runtime_error("a reply is missing");
      out.push_back(f.get());
    }
    futures_.clear();
    return out;
  }

 private:
  std::vector<std::future<Result>> futures_;
};

class StageServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "onair-stage-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  void TearDown() override {
    pool_.stop();
    pool_.join();
    service_.reset();
    engine_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void start(StageOptions options = {}) {
    options.requestUpdateIntervalMs = 10;
    engine_ = std::make_unique<engine::EmbeddedEngine>(dir_);
    service_ = std::make_unique<StageService>(pool_, *engine_, options);
    pool_.start();
  }

  std::string create(json::object settings = {{"name", "Show"}}) {
    return std::string(ok(wait([&](Reply r) { service_->create(settings, r); })).at("id").as_string());
  }
  Actor actor(const std::string& userId, bool host = false) {
    Actor a;
    a.userId = userId;
    a.name = userId;
    a.participantId = "p_" + userId;
    a.host = host;
    a.canPublish = a.canSubscribe = true;
    a.attributes = json::object();
    a.tokenExpiresAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count() + 3600000;
    a.shard = 0;
    a.sessionId = fmt::format("session-{}", ++sessions_);
    return a;
  }
  Result open(const std::string& id, Actor a) {
    return wait([&](Reply r) { service_->open(id, std::move(a), r); });
  }
  json::object stats(const std::string& id) { return ok(wait([&](Reply r) { service_->stats(id, r); })); }
  // userId → status of the participants the stage holds.
  std::map<std::string, std::string> participants(const std::string& id) {
    std::map<std::string, std::string> out;
    auto r = wait([&](Reply reply) { service_->participantsOf(id, reply); });
    for (const auto& p : ok(r).at("participants").as_array()) {
      out[std::string(p.at("userId").as_string())] = std::string(p.at("status").as_string());
    }
    return out;
  }
  std::set<std::string> listedIds() {
    std::set<std::string> out;
    auto listed = wait([&](Reply r) { service_->list(r); });
    for (const auto& s : ok(listed).at("stages").as_array()) out.emplace(s.at("id").as_string());
    return out;
  }
  size_t resident() {
    std::promise<size_t> count;
    pool_.post(0, [&] { count.set_value(service_->residentStages(0)); });
    return count.get_future().get();
  }
  // Polls `done` until it holds or 5 s pass (the tick runs every 10 ms).
  template <class Pred>
  bool eventually(Pred done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  std::string dir_;
  hub::ShardPool pool_{1, net::WsSettings{}};
  std::unique_ptr<engine::EmbeddedEngine> engine_;
  std::unique_ptr<StageService> service_;
  int sessions_ = 0;
};

StageOptions withDepartedTtl(int64_t ms) {
  StageOptions options;
  options.departedTtlMs = ms;
  return options;
}

api::ErrorCode codeOf(const Result& r) {
  auto* e = std::get_if<api::ApiError>(&r);
  return e ? e->code : api::ErrorCode::Internal;
}

TEST_F(StageServiceTest, ARemoveAmongTheWaitersOfTheFirstLoadLeavesTheOthersNoStage) {
  start();
  auto id = create();
  // The stage is not in memory: all three wait for one load, and the first one erases it.
  Replies replies;
  service_->remove(id, replies.callback());
  service_->get(id, replies.callback());
  service_->remove(id, replies.callback());
  auto results = replies.all();
  EXPECT_TRUE(ok(results[0]).at("ok").as_bool());
  EXPECT_EQ(codeOf(results[1]), api::ErrorCode::NotFound);
  EXPECT_EQ(codeOf(results[2]), api::ErrorCode::NotFound);
  EXPECT_EQ(codeOf(wait([&](Reply r) { service_->get(id, r); })), api::ErrorCode::NotFound);
  EXPECT_FALSE(listedIds().count(id));
}

TEST_F(StageServiceTest, ConcurrentCreatesAndRemovesLeaveListWithExactlyTheLiveIds) {
  start();
  constexpr size_t kStages = 40;
  Replies created;
  for (size_t i = 0; i < kStages; ++i) service_->create(json::object{{"name", fmt::format("s{}", i)}}, created.callback());
  std::set<std::string> live;
  for (const auto& r : created.all()) live.emplace(ok(r).at("id").as_string());
  ASSERT_EQ(live.size(), kStages);
  EXPECT_EQ(listedIds(), live);

  // Half of them removed while as many new ones are created.
  Replies removed, more;
  std::vector<std::string> gone(live.begin(), std::next(live.begin(), kStages / 2));
  for (const auto& id : gone) service_->remove(id, removed.callback());
  for (size_t i = 0; i < kStages / 2; ++i) service_->create(json::object{{"name", fmt::format("t{}", i)}}, more.callback());
  for (const auto& r : removed.all()) EXPECT_TRUE(ok(r).at("ok").as_bool());
  for (const auto& id : gone) live.erase(id);
  for (const auto& r : more.all()) live.emplace(ok(r).at("id").as_string());
  EXPECT_EQ(listedIds(), live);
}

TEST_F(StageServiceTest, ViewersWhoLeftDoNotCountAgainstMaxParticipants) {
  start();
  auto id = create(json::object{{"name", "Tiny"}, {"maxParticipants", 3}});
  for (const char* user : {"a", "b", "c"}) ok(open(id, actor(user)));
  // All three left (their connections closed); they are still listed until the TTL.
  ASSERT_TRUE(eventually([&] { return stats(id).at("connected").to_number<int64_t>() == 0; }));
  EXPECT_EQ(participants(id).size(), 3u);
  for (const char* user : {"d", "e", "f"}) {
    auto r = open(id, actor(user));
    EXPECT_FALSE(std::holds_alternative<api::ApiError>(r)) << user << ": " << std::get<api::ApiError>(r).message;
  }
}

TEST_F(StageServiceTest, DepartedViewersAreForgottenAfterTheTtlAndDurableParticipantsStay) {
  start(withDepartedTtl(30));
  auto id = create();
  ok(open(id, actor("host", true)));
  ok(open(id, actor("watcher")));
  ok(open(id, actor("asker")));
  ok(wait([&](Reply r) { service_->transition(id, actor("asker"), Transition::RequestAccess, r); }));
  ASSERT_TRUE(eventually([&] { return !participants(id).count("watcher"); }));
  auto left = participants(id);
  EXPECT_EQ(left["host"], "OFF_STAGE") << "hosts are kept";
  EXPECT_EQ(left["asker"], "REQUESTED_TO_JOIN_STAGE") << "a pending request is kept";
  // Denied while away, the asker has nothing durable left and is forgotten too.
  ok(wait([&](Reply r) { service_->hostAction(id, actor("host", true), HostAction::Deny, {"asker"}, r); }));
  EXPECT_TRUE(eventually([&] { return participants(id).size() == 1; }));
}

TEST_F(StageServiceTest, AStageNobodyIsConnectedToLeavesMemoryAndComesBackIntact) {
  start(withDepartedTtl(20));
  auto id = create(json::object{{"name", "Kept"}, {"maxPublishers", 3}});
  ok(open(id, actor("host", true)));
  ok(open(id, actor("asker")));
  ok(open(id, actor("watcher")));
  ok(wait([&](Reply r) { service_->transition(id, actor("asker"), Transition::RequestAccess, r); }));
  ASSERT_TRUE(eventually([&] { return resident() == 0; }));

  auto again = ok(open(id, actor("host", true)));
  EXPECT_EQ(again.at("stage").at("name").as_string(), "Kept");
  EXPECT_EQ(again.at("stage").at("maxPublishers").as_int64(), 3);
  ASSERT_EQ(again.at("requests").as_array().size(), 1u);
  EXPECT_EQ(again.at("requests").as_array()[0].at("userId").as_string(), "asker");
  auto all = participants(id);
  EXPECT_EQ(all["asker"], "REQUESTED_TO_JOIN_STAGE");
  EXPECT_EQ(all["host"], "OFF_STAGE");
  EXPECT_FALSE(all.count("watcher"));
}

}  // namespace
}  // namespace onair::stage
