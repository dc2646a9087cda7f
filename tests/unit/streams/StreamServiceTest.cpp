// StreamService driven directly, on two shards over the memory Registry. Actors without a
// session stand for connections that close at once: enough for everything but events, which the
// node tests (tests/integration/streams.test.mjs) see through real connections.
#include "streams/StreamService.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <future>

#include "engine/memory/MemoryBroker.hpp"
#include "engine/memory/MemoryRegistry.hpp"

namespace onair::streams {
namespace {

namespace json = boost::json;
using Result = std::variant<json::value, api::ApiError>;

// The Registry is all a stream room needs, and the Broker its context events take; the other
// parts are never called.
struct RegistryOnlyEngine : engine::Engine {
  std::string_view name() const override { return "memory"; }
  bool ready() const override { return true; }
  void stop() override {}
  engine::Broker& broker() override { return broker_; }
  engine::History& history() override { std::abort(); }
  engine::Leases& leases() override { std::abort(); }
  engine::Presence& presence() override { std::abort(); }
  engine::Registry& registry() override { return registry_; }
  engine::Nodes& nodes() override { std::abort(); }
  engine::memory::MemoryRegistry registry_;
  engine::memory::MemoryBroker broker_;
};

Result wait(const std::function<void(Reply)>& call) {
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  call([promise](api::Result r) {
    if (auto* t = std::get_if<api::JsonText>(&r)) return promise->set_value(json::parse(t->text));
    if (auto* e = std::get_if<api::ApiError>(&r)) return promise->set_value(std::move(*e));
    promise->set_value(std::move(std::get<json::value>(r)));
  });
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) throw std::runtime_error("no reply within 5 s");
  return future.get();
}

json::object ok(const Result& r) {  // a copy: callers pass temporaries
  if (auto* e = std::get_if<api::ApiError>(&r)) throw std::runtime_error("unexpected error: " + e->message);
  return std::get<json::value>(r).as_object();
}

api::ErrorCode codeOf(const Result& r) {
  if (auto* e = std::get_if<api::ApiError>(&r)) return e->code;
  throw std::runtime_error("expected an error, got " + json::serialize(std::get<json::value>(r)));
}

class StreamServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = std::make_unique<StreamService>(pool_, engine_, StreamOptions{4, 16});
    pool_.start();
  }
  void TearDown() override {
    pool_.stop();
    pool_.join();
  }

  // A client acting as `userId` with `stream:<grants>` (default: everything in ctx-*).
  static StreamActor client(const std::string& userId, std::vector<std::string> grants = {"stream:ctx-*:join,manage"}) {
    StreamActor a;
    a.userId = userId;
    std::string error;
    a.grants = *auth::GrantSet::fromStrings(grants, error);
    a.sessionId = "session-" + userId;
    return a;
  }
  static StreamRoomSpec spec(std::vector<std::string> users, std::vector<std::string> managers, std::string context = "ctx-1") {
    StreamRoomSpec s;
    s.contextId = std::move(context);
    s.users = std::move(users);
    s.managers = std::move(managers);
    s.publicMeta = "cHVi";  // "pub"
    s.privateMeta = "";
    s.policy = json::object{{"a", 1}};  // 7 bytes: under the 16-byte limit
    return s;
  }
  Result create(StreamRoomSpec s, StreamActor a) {
    return wait([&](Reply r) { service_->create(std::move(s), std::move(a), r); });
  }
  std::string createOk(StreamRoomSpec s, StreamActor a = client("alice")) {
    return std::string(ok(create(std::move(s), std::move(a))).at("streamRoomId").as_string());
  }
  Result get(const std::string& id, StreamActor a) {
    return wait([&](Reply r) { service_->get(id, std::move(a), r); });
  }
  Result update(const std::string& id, StreamRoomUpdate u, StreamActor a) {
    return wait([&](Reply r) { service_->update(id, std::move(u), std::move(a), r); });
  }
  Result list(StreamListQuery q, StreamActor a) {
    return wait([&](Reply r) { service_->list(std::move(q), std::move(a), r); });
  }

  hub::ShardPool pool_{2, net::WsSettings{}};
  RegistryOnlyEngine engine_;
  std::unique_ptr<StreamService> service_;
};

TEST_F(StreamServiceTest, CreatedRoomReadsBackWithVersionOneAndItsCreator) {
  auto id = createOk(spec({"bob"}, {"alice"}));
  const auto& room = ok(get(id, client("bob")));
  EXPECT_EQ(room.at("streamRoomId").as_string(), id);
  EXPECT_EQ(room.at("contextId").as_string(), "ctx-1");
  EXPECT_EQ(room.at("version").to_number<int64_t>(), 1);
  EXPECT_EQ(room.at("creator").as_string(), "alice");
  EXPECT_EQ(room.at("publicMeta").as_string(), "cHVi");
  EXPECT_EQ(room.at("privateMeta").as_string(), "");
  EXPECT_EQ(room.at("policy").at("a").to_number<int64_t>(), 1);
  EXPECT_EQ(room.at("users").as_array().size(), 1u);
  EXPECT_EQ(room.at("keyGeneration").to_number<int64_t>(), 1);
}

TEST_F(StreamServiceTest, RoomAndContextIndexAreStoredUnderTheirKeys) {
  auto id = createOk(spec({"bob"}, {"alice"}, "ctx-keys"));
  std::promise<std::pair<bool, std::string>> seen;
  engine_.registry_.get("streamroom:" + id, [&](auto r) {
    bool room = std::get<std::optional<engine::Record>>(r).has_value();
    engine_.registry_.get("streamrooms:ctx:ctx-keys", [&, room](auto r2) {
      seen.set_value({room, std::get<std::optional<engine::Record>>(r2)->value});
    });
  });
  auto [room, index] = seen.get_future().get();
  EXPECT_TRUE(room);
  EXPECT_EQ(index, "[\"" + id + "\"]");
}

TEST_F(StreamServiceTest, StrangersCannotReadAndUnknownRoomsAreNotFound) {
  auto id = createOk(spec({"bob"}, {"alice"}));
  EXPECT_EQ(codeOf(get(id, client("mallory"))), api::ErrorCode::Permission);
  EXPECT_EQ(codeOf(get(id, client("bob", {"stream:other:join"}))), api::ErrorCode::Permission);
  EXPECT_EQ(codeOf(get("sr_missing", client("bob"))), api::ErrorCode::NotFound);
  EXPECT_TRUE(ok(get(id, StreamActor{})).contains("streamRoomId"));  // the server API reads any room
}

TEST_F(StreamServiceTest, CreatingNeedsTheManageGrantOnTheContext) {
  EXPECT_EQ(codeOf(create(spec({"bob"}, {"alice"}), client("alice", {"stream:ctx-1:join"}))), api::ErrorCode::Permission);
  EXPECT_EQ(codeOf(create(spec({"bob"}, {"alice"}, "ctx-2"), client("alice", {"stream:ctx-1:manage"}))), api::ErrorCode::Permission);
}

TEST_F(StreamServiceTest, UpdateChecksTheVersionUnlessForced) {
  auto id = createOk(spec({"bob"}, {"alice"}));
  StreamRoomUpdate u{spec({"bob", "carol"}, {"alice"}), 1, false, false};
  ok(update(id, u, client("alice")));
  const auto& after = ok(get(id, client("carol")));
  EXPECT_EQ(after.at("version").to_number<int64_t>(), 2);
  EXPECT_EQ(after.at("users").as_array().size(), 2u);
  EXPECT_EQ(after.at("contextId").as_string(), "ctx-1");
  EXPECT_EQ(after.at("creator").as_string(), "alice");

  u.spec.users = {"dave"};
  EXPECT_EQ(codeOf(update(id, u, client("alice"))), api::ErrorCode::Conflict);  // version 1 is stale
  EXPECT_EQ(ok(get(id, client("carol"))).at("version").to_number<int64_t>(), 2);
  u.force = true;
  u.forceGenerateNewKey = true;
  ok(update(id, u, client("alice")));
  const auto& forced = ok(get(id, client("dave")));
  EXPECT_EQ(forced.at("version").to_number<int64_t>(), 3);
  EXPECT_EQ(forced.at("keyGeneration").to_number<int64_t>(), 2);
  EXPECT_EQ(codeOf(get(id, client("carol"))), api::ErrorCode::Permission);  // overwritten, not merged
}

TEST_F(StreamServiceTest, OnlyManagersUpdateOrDelete) {
  auto id = createOk(spec({"bob"}, {"alice"}));
  EXPECT_EQ(codeOf(update(id, StreamRoomUpdate{spec({"bob"}, {"bob"}), 1, true, false}, client("bob"))), api::ErrorCode::Permission);
  EXPECT_EQ(codeOf(wait([&](Reply r) { service_->remove(id, client("bob"), r); })), api::ErrorCode::Permission);
  ok(wait([&](Reply r) { service_->remove(id, client("alice"), r); }));
  EXPECT_EQ(codeOf(get(id, client("alice"))), api::ErrorCode::NotFound);
  EXPECT_EQ(ok(list({"ctx-1", 0, 10, true}, StreamActor{})).at("totalAvailable").to_number<int64_t>(), 0);
}

TEST_F(StreamServiceTest, ListPagesInCreationOrderEitherWay) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(createOk(spec({"bob"}, {"alice"}, "ctx-list")));
  auto idsOf = [](const json::object& page) {
    std::vector<std::string> out;
    for (const auto& room : page.at("readItems").as_array()) out.emplace_back(room.at("streamRoomId").as_string());
    return out;
  };
  const auto& asc = ok(list({"ctx-list", 1, 2, true}, StreamActor{}));
  EXPECT_EQ(asc.at("totalAvailable").to_number<int64_t>(), 5);
  EXPECT_EQ(idsOf(asc), (std::vector<std::string>{ids[1], ids[2]}));
  const auto& desc = ok(list({"ctx-list", 0, 2, false}, client("bob")));
  EXPECT_EQ(desc.at("totalAvailable").to_number<int64_t>(), 5);
  EXPECT_EQ(idsOf(desc), (std::vector<std::string>{ids[4], ids[3]}));
  EXPECT_EQ(idsOf(ok(list({"ctx-list", 4, 10, true}, client("bob")))), (std::vector<std::string>{ids[4]}));
}

TEST_F(StreamServiceTest, ClientsListOnlyTheirRooms) {
  createOk(spec({"bob"}, {"alice"}, "ctx-mine"));
  auto carols = createOk(spec({"carol"}, {"alice"}, "ctx-mine"));
  const auto& page = ok(list({"ctx-mine", 0, 10, true}, client("carol")));
  EXPECT_EQ(page.at("totalAvailable").to_number<int64_t>(), 1);
  EXPECT_EQ(page.at("readItems").as_array()[0].at("streamRoomId").as_string(), carols);
  EXPECT_EQ(codeOf(list({"ctx-mine", 0, 10, true}, client("carol", {"stream:elsewhere:join"}))), api::ErrorCode::Permission);
}

TEST_F(StreamServiceTest, LimitsOnUsersMetasAndPolicy) {
  EXPECT_EQ(codeOf(create(spec({"a", "b", "c"}, {"d", "e"}), client("alice"))), api::ErrorCode::InvalidArgument);  // 5 > 4
  auto s = spec({"bob"}, {"alice"});
  s.publicMeta = "MDEyMzQ1Njc4OWFiY2RlZg==";  // 16 bytes: at the limit
  createOk(s);
  s.privateMeta = "MDEyMzQ1Njc4OWFiY2RlZmc=";  // 17 bytes
  EXPECT_EQ(codeOf(create(s, client("alice"))), api::ErrorCode::PayloadTooLarge);
  s.privateMeta = "not base64!";
  EXPECT_EQ(codeOf(create(s, client("alice"))), api::ErrorCode::InvalidArgument);
  s.privateMeta = "";
  s.policy = json::object{{"a-long-policy-key", 1}};
  EXPECT_EQ(codeOf(create(s, client("alice"))), api::ErrorCode::PayloadTooLarge);
}

TEST_F(StreamServiceTest, OnlyUsersAndManagersJoin) {
  auto id = createOk(spec({"bob"}, {"alice"}));
  EXPECT_EQ(codeOf(wait([&](Reply r) { service_->join(id, client("mallory"), r); })), api::ErrorCode::Permission);
  EXPECT_EQ(codeOf(wait([&](Reply r) { service_->join("sr_missing", client("bob"), r); })), api::ErrorCode::NotFound);
  // A member whose connection is already gone is let go again at once.
  EXPECT_EQ(codeOf(wait([&](Reply r) { service_->join(id, client("bob"), r); })), api::ErrorCode::NotFound);
}

// An authority that answers every join with `decision` and records who asked.
struct FakeAuthority : RoomAuthority {
  Decision decision;
  std::vector<std::string> asked;  // "<roomId> <userId>"
  void admit(const std::string& roomId, const StreamActor& actor, std::function<void(Decision)> done) override {
    asked.push_back(roomId + " " + actor.userId);
    done(decision);
  }
  void mayPublish(const std::string&, const StreamActor&, std::function<void(std::optional<api::ApiError>)> done) override { done(std::nullopt); }
  void maySubscribe(const std::string&, const StreamActor&, std::vector<Track> tracks, std::function<void(TrackVerdicts)> done) override {
    done(std::vector<std::string>(tracks.size()));
  }
};

std::string messageOf(const Result& r) {
  if (auto* e = std::get_if<api::ApiError>(&r)) return e->message;
  throw std::runtime_error("expected an error, got " + json::serialize(std::get<json::value>(r)));
}

TEST_F(StreamServiceTest, AuthoritiesAreAskedInOrderForRoomsWithoutRecordsAndTheirRefusalCounts) {
  FakeAuthority first, second;
  service_->addAuthority(first);
  service_->addAuthority(second);
  // Neither claims the room: it is not found, as without authorities.
  auto none = wait([&](Reply r) { service_->join("sr_stage1", client("vic"), r); });
  EXPECT_EQ(codeOf(none), api::ErrorCode::NotFound);
  EXPECT_NE(messageOf(none).find("no stream room sr_stage1"), std::string::npos);
  EXPECT_EQ(first.asked, std::vector<std::string>{"sr_stage1 vic"});
  EXPECT_EQ(second.asked, std::vector<std::string>{"sr_stage1 vic"});
  // The first refuses and the second passes: the first's refusal is the answer.
  first.decision = RoomAuthority::Decision::refuse({api::ErrorCode::Permission, "open the stage first", std::nullopt});
  auto refused = wait([&](Reply r) { service_->join("sr_stage1", client("vic"), r); });
  EXPECT_EQ(messageOf(refused), "open the stage first");
  EXPECT_EQ(second.asked.size(), 2u);
  // The second admits: the join goes ahead though the first refused (and, this actor's
  // connection being gone, is undone).
  second.decision = RoomAuthority::Decision::admit();
  auto admitted = wait([&](Reply r) { service_->join("sr_stage1", client("vic"), r); });
  EXPECT_EQ(messageOf(admitted), "the connection closed");
  // A later refusal does not replace the first one.
  second.decision = RoomAuthority::Decision::refuse({api::ErrorCode::Permission, "second says no", std::nullopt});
  EXPECT_EQ(messageOf(wait([&](Reply r) { service_->join("sr_stage1", client("vic"), r); })), "open the stage first");
}

TEST_F(StreamServiceTest, AnAuthorityMayAdmitAStrangerToARoomWithARecordButIsNotAskedForItsMembers) {
  FakeAuthority authority;
  service_->addAuthority(authority);
  auto id = createOk(spec({"bob"}, {"alice"}));
  EXPECT_EQ(codeOf(wait([&](Reply r) { service_->join(id, client("mallory"), r); })), api::ErrorCode::Permission);
  authority.decision = RoomAuthority::Decision::admit();
  EXPECT_EQ(messageOf(wait([&](Reply r) { service_->join(id, client("mallory"), r); })), "the connection closed");
  EXPECT_EQ(authority.asked.size(), 2u);
  wait([&](Reply r) { service_->join(id, client("bob"), r); });
  EXPECT_EQ(authority.asked.size(), 2u) << "the room's own users need no authority";
}

}  // namespace
}  // namespace onair::streams
