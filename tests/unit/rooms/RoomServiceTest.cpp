#include "rooms/RoomService.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>

#include "engine/memory/MemoryBroker.hpp"
#include "engine/memory/MemoryPresence.hpp"
#include "net/FrameSink.hpp"
#include "net/OutFrame.hpp"
#include <thread>

using namespace onair;

namespace {

// A broker that remembers what was published, then delivers it as the embedded one does.
struct RecordingBroker : engine::Broker {
  void setHandler(Handler handler) override { inner.setHandler(std::move(handler)); }
  void setTopicHandler(std::string prefix, Handler handler) override { inner.setTopicHandler(std::move(prefix), std::move(handler)); }
  void setStoredHandler(StoredHandler handler) override { inner.setStoredHandler(std::move(handler)); }
  void setStoredTopicHandler(std::string prefix, StoredHandler handler) override {
    inner.setStoredTopicHandler(std::move(prefix), std::move(handler));
  }
  void addResyncHandler(ResyncHandler handler) override { inner.addResyncHandler(std::move(handler)); }
  void subscribe(const std::string& topic, std::function<void(engine::Outcome<engine::Done>)> done) override {
    inner.subscribe(topic, std::move(done));
  }
  void unsubscribe(const std::string& topic) override { inner.unsubscribe(topic); }
  void publish(const std::string& topic, Payload payload) override {
    {
      std::lock_guard lock(mutex);
      published.emplace_back(topic, *payload);
    }
    inner.publish(topic, std::move(payload));
  }
  // Frames published on `topic` whose text contains `needle`.
  size_t count(const std::string& topic, const std::string& needle) {
    std::lock_guard lock(mutex);
    size_t n = 0;
    for (const auto& [t, frame] : published) n += t == topic && frame.find(needle) != std::string::npos;
    return n;
  }
  engine::memory::MemoryBroker inner;
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> published;
};

// A History whose appends wait until the test lets them complete; reads and removes complete at
// once (rooms never trim). Each life of a stream (until remove) has its own epoch: "e1", "e2", …
struct HeldHistory : engine::History {
  void append(engine::AppendRequest request, std::function<void(engine::Outcome<engine::AppendResult>)> done) override {
    std::lock_guard lock(mutex);
    held.push_back(std::move(done));
    requests.push_back(std::move(request));
    changed.notify_all();
  }
  void read(engine::ReadRequest request, std::function<void(engine::Outcome<engine::ReadResult>)> done) override {
    engine::ReadResult result;
    std::lock_guard lock(mutex);
    result.head = {0, "e" + std::to_string(life)};
    result.oldest = 1;
    // The messages a test stored (forward reads; a head read has limit 0).
    for (const auto& m : stored) {
      result.head.offset = std::max(result.head.offset, m.offset);
      if (request.forward && m.offset >= request.from && result.messages.size() < request.limit) result.messages.push_back(m);
    }
    done(std::move(result));
  }
  void trim(engine::TrimRequest, std::function<void(engine::Outcome<engine::Done>)> done) override { done(engine::Done{}); }
  void remove(std::string, std::function<void(engine::Outcome<engine::Done>)> done) override {
    {
      std::lock_guard lock(mutex);
      ++life;
    }
    done(engine::Done{});
  }
  std::string epoch() {
    std::lock_guard lock(mutex);
    return "e" + std::to_string(life);
  }
  void waitForAppend() {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(5), [this] { return !held.empty(); }));
  }
  // Completes the oldest held append as stored at `offset` in `epoch`.
  void completeAppend(uint64_t offset, const std::string& epoch) {
    std::function<void(engine::Outcome<engine::AppendResult>)> done;
    engine::AppendRequest request;
    {
      std::lock_guard lock(mutex);
      done = std::move(held.front());
      held.pop_front();
      request = std::move(requests.front());
      requests.pop_front();
    }
    // As the embedded engine does: announced before the append completes.
    if (request.announce && broker) {
      broker->announce(request.stream, engine::StreamMessage{offset, 1000, request.publisher, request.type, request.dataJson}, epoch);
    }
    done(engine::AppendResult{offset, epoch, 1000, false, false});
  }
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::function<void(engine::Outcome<engine::AppendResult>)>> held;
  std::deque<engine::AppendRequest> requests;
  std::vector<engine::StreamMessage> stored;  // what reads find (set by a test, under mutex)
  engine::memory::MemoryBroker* broker = nullptr;  // where announcements go
  int life = 1;
};

// Room metadata that was never written.
struct EmptyRegistry : engine::Registry {
  void get(std::string, std::function<void(engine::Outcome<std::optional<engine::Record>>)> done) override { done(std::nullopt); }
  void put(std::string, std::string value, std::optional<uint64_t>, std::function<void(engine::Outcome<engine::PutResult>)> done) override {
    done(engine::PutResult{false, engine::Record{std::move(value), 1, 1000}});
  }
  void remove(std::string, std::function<void(engine::Outcome<engine::Done>)> done) override { done(engine::Done{}); }
  void removeIf(std::string, uint64_t, std::function<void(engine::Outcome<bool>)> done) override { done(false); }
  void addMember(std::string, std::string, std::function<void(engine::Outcome<bool>)> done) override { done(true); }
  void removeMember(std::string, std::string, std::function<void(engine::Outcome<bool>)> done) override { done(true); }
};

// Lists what the test sets: this node ("test-node") and others, or fails like an outage.
struct ListedNodes : engine::Nodes {
  const std::string& selfId() const override { return id; }
  int64_t ttlMs() const override { return 3000; }
  void announce(engine::NodeAnnouncement, std::function<void(engine::Outcome<engine::Done>)> done) override { done(engine::Done{}); }
  void list(std::function<void(engine::Outcome<std::vector<engine::NodeRecord>>)> done) override {
    if (down) return done(engine::EngineError{"redis is down", 700});
    done(records);
  }
  void leave(std::function<void(engine::Outcome<engine::Done>)> done) override { done(engine::Done{}); }
  std::string id = "test-node";
  std::vector<engine::NodeRecord> records;
  bool down = false;
};

struct TestEngine : engine::Engine {
  std::string_view name() const override { return "embedded"; }
  bool ready() const override { return true; }
  void stop() override {}
  engine::Broker& broker() override { return broker_; }
  engine::History& history() override { return history_; }
  engine::Leases& leases() override { std::abort(); }
  engine::Presence& presence() override { return presence_; }
  engine::Registry& registry() override { return registry_; }
  TestEngine() { history_.broker = &broker_.inner; }
  engine::Nodes& nodes() override { return nodes_; }
  RecordingBroker broker_;
  HeldHistory history_;
  engine::memory::MemoryPresence presence_;
  EmptyRegistry registry_;
  ListedNodes nodes_;
};

using Result = std::variant<boost::json::value, api::ApiError>;

// A reply that can be waited for later.
struct PendingReply {
  std::shared_ptr<std::promise<Result>> promise = std::make_shared<std::promise<Result>>();
  std::future<Result> future = promise->get_future();
  rooms::Reply reply() {
    return [promise = promise](api::Result r) {
      if (auto* t = std::get_if<api::JsonText>(&r)) return promise->set_value(boost::json::parse(t->text));
      if (auto* e = std::get_if<api::ApiError>(&r)) return promise->set_value(std::move(*e));
      promise->set_value(std::move(std::get<boost::json::value>(r)));
    };
  }
  Result get() {
    EXPECT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    return future.get();
  }
};

Result wait(const std::function<void(rooms::Reply)>& call) {
  PendingReply pending;
  call(pending.reply());
  return pending.get();
}

class RoomServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = std::make_unique<rooms::RoomService>(pool_, engine_, rooms::NamespacePolicy(rooms::NamespaceOptions{}, {}));
    pool_.start();
  }
  void TearDown() override {
    pool_.stop();
    pool_.join();
  }
  rooms::PublishRequest publishRequest(const std::string& room) {
    rooms::PublishRequest p;
    p.kind = rooms::Kind::Room;
    p.name = room;
    p.type = "note";
    p.dataJson = "{\"n\":1}";
    p.publisher = "alice";
    return p;
  }

  hub::ShardPool pool_{2, net::WsSettings{}};
  TestEngine engine_;
  std::unique_ptr<rooms::RoomService> service_;
};

}  // namespace

// The append of a publish made before destroy completes after the room was made again (by a
// later request): it belongs to the old life, so it must not reach the new room's subscribers or
// move its position, and the publisher learns the room was destroyed.
TEST_F(RoomServiceTest, APublishStoredAcrossADestroyStaysOutOfTheRoomMadeAgain) {
  PendingReply published;
  service_->publish(publishRequest("lobby"), published.reply());
  engine_.history_.waitForAppend();

  auto destroyed = wait([&](rooms::Reply r) { service_->destroy(rooms::Kind::Room, "lobby", r); });
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(destroyed));
  auto members = wait([&](rooms::Reply r) { service_->members({"lobby", 100, std::nullopt}, r); });  // makes the room again
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(members));

  engine_.history_.completeAppend(1, "e1");
  auto reply = published.get();
  auto snapshot = wait([&](rooms::Reply r) { service_->snapshot({"lobby", 10, std::nullopt}, r); });
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(snapshot));
  const auto& position = std::get<boost::json::value>(snapshot).at("position");
  EXPECT_EQ(position.at("epoch"), "e2");
  EXPECT_EQ(position.at("offset"), 0) << "the old life's append moved the new room's head";

  ASSERT_TRUE(std::holds_alternative<api::ApiError>(reply)) << "the publisher must learn its message is gone";
  EXPECT_EQ(std::get<api::ApiError>(reply).code, api::ErrorCode::NotFound);
}

// The same, when nothing made the room again: the publisher is not told its message was stored.
TEST_F(RoomServiceTest, APublishStoredAcrossADestroyIsAnsweredNotFound) {
  PendingReply published;
  service_->publish(publishRequest("hall"), published.reply());
  engine_.history_.waitForAppend();
  auto destroyed = wait([&](rooms::Reply r) { service_->destroy(rooms::Kind::Room, "hall", r); });
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(destroyed));

  engine_.history_.completeAppend(1, "e1");
  auto reply = published.get();
  ASSERT_TRUE(std::holds_alternative<api::ApiError>(reply));
  EXPECT_EQ(std::get<api::ApiError>(reply).code, api::ErrorCode::NotFound);
  EXPECT_NE(std::get<api::ApiError>(reply).message.find("destroyed"), std::string::npos);
}

// Without a destroy in between, a held append completes as before: fanned out, head moved.
TEST_F(RoomServiceTest, APublishIsFannedOutAndMovesTheHead) {
  PendingReply published;
  service_->publish(publishRequest("den"), published.reply());
  engine_.history_.waitForAppend();
  engine_.history_.completeAppend(1, "e1");
  auto reply = published.get();
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(reply));
  EXPECT_EQ(std::get<boost::json::value>(reply).at("offset"), 1);
  auto snapshot = wait([&](rooms::Reply r) { service_->snapshot({"den", 10, std::nullopt}, r); });
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(snapshot));
  EXPECT_EQ(std::get<boost::json::value>(snapshot).at("position").at("offset"), 1);
}

TEST_F(RoomServiceTest, StatsSumTheLiveNodesWithThisNodesTotalsFresh) {
  PendingReply published;
  service_->publish(publishRequest("den"), published.reply());
  engine_.history_.waitForAppend();
  engine_.history_.completeAppend(1, "e1");
  published.get();
  engine_.nodes_.records = {
      {"other", "10.0.0.2:7880", 1700000000000,
       R"({"rooms":2,"channels":1,"members":3,"connections":4,"messages":{"stored":5,"delivered":6}})"},
      {"test-node", "10.0.0.1:7880", 1700000000000, R"({"rooms":50,"connections":99})"},  // stale
  };
  auto reply = wait([&](rooms::Reply r) { service_->stats(r); });
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(reply));
  const auto& stats = std::get<boost::json::value>(reply).as_object();
  EXPECT_EQ(stats.at("rooms"), 3);  // this node's fresh 1 (not the stale 50) + 2
  EXPECT_EQ(stats.at("channels"), 1);
  EXPECT_EQ(stats.at("connections"), 4);
  EXPECT_EQ(stats.at("messages").at("stored"), 6);
  EXPECT_EQ(stats.at("messages").at("delivered"), 6);
  const auto& nodes = stats.at("nodes").as_array();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].at("id"), "other");
  EXPECT_EQ(nodes[0].at("address"), "10.0.0.2:7880");
  EXPECT_EQ(nodes[0].at("startedAt"), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(nodes[0].at("members"), 3);
  EXPECT_EQ(nodes[1].at("id"), "test-node");
  EXPECT_EQ(nodes[1].at("rooms"), 1);
  EXPECT_EQ(nodes[1].at("messages").at("stored"), 1);
}

TEST_F(RoomServiceTest, StatsListThisNodeBeforeItHasAnnouncedAndSkipUnreadableRecords) {
  engine_.nodes_.records = {{"garbled", "x:1", 0, "not json"}};
  auto reply = wait([&](rooms::Reply r) { service_->stats(r); });
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(reply));
  const auto& stats = std::get<boost::json::value>(reply).as_object();
  EXPECT_EQ(stats.at("rooms"), 0);
  const auto& nodes = stats.at("nodes").as_array();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].at("id"), "test-node");
  EXPECT_TRUE(nodes[0].at("address").is_null());
  EXPECT_TRUE(nodes[0].at("startedAt").is_null());
  EXPECT_EQ(nodes[1].at("connections"), 0);
}

TEST_F(RoomServiceTest, StatsOfThisNodeAloneListNoNodes) {
  auto reply = wait([&](rooms::Reply r) { service_->stats(r, rooms::RoomService::StatsScope::ThisNode); });
  ASSERT_TRUE(std::holds_alternative<boost::json::value>(reply));
  const auto& stats = std::get<boost::json::value>(reply).as_object();
  EXPECT_FALSE(stats.contains("nodes"));
  EXPECT_EQ(stats.at("connections"), 0);
  EXPECT_EQ(stats.at("messages").at("stored"), 0);
}

TEST_F(RoomServiceTest, StatsAreServiceUnavailableWhenTheNodesCannotBeListed) {
  engine_.nodes_.down = true;
  auto reply = wait([&](rooms::Reply r) { service_->stats(r); });
  ASSERT_TRUE(std::holds_alternative<api::ApiError>(reply));
  EXPECT_EQ(std::get<api::ApiError>(reply).code, api::ErrorCode::ServiceUnavailable);
  EXPECT_EQ(std::get<api::ApiError>(reply).retryAfterMs.value_or(0), 700);
}

namespace {

// A subscriber standing in for a connection: the offsets of the room.message frames it got.
struct OffsetSink : net::FrameSink {
  void send(net::OutFrame& frame) override {
    const std::string& bytes = frame.bytes();
    auto at = bytes.find("\"offset\":");
    std::lock_guard lock(mutex);
    if (bytes.find("room.message") != std::string::npos && at != std::string::npos) offsets.push_back(std::stoull(bytes.substr(at + 9)));
  }
  std::vector<uint64_t> got() {
    std::lock_guard lock(mutex);
    return offsets;
  }
  std::mutex mutex;
  std::vector<uint64_t> offsets;
};

engine::StreamMessage messageAt(uint64_t offset) { return {offset, 1000, "bob", "note", "{}"}; }

}  // namespace

class RoomServiceAnnouncementTest : public RoomServiceTest {
 protected:
  // Loads the room and subscribes `sink_` to it on shard 0.
  void SetUp() override {
    RoomServiceTest::SetUp();
    auto members = wait([&](rooms::Reply r) { service_->members({"den", 100, std::nullopt}, r); });
    ASSERT_TRUE(std::holds_alternative<boost::json::value>(members));
    std::promise<void> subscribed;
    pool_.post(pool_.ownerOf("r:den"), [&] {
      pool_.addInterest("r:den", 0);
      pool_.post(0, [&] { pool_.subscribe(0, "r:den", &sink_, [&] { subscribed.set_value(); }); });
    });
    ASSERT_EQ(subscribed.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  }
  void TearDown() override {
    std::promise<void> gone;
    pool_.post(0, [&] {
      pool_.unsubscribe(0, "r:den", &sink_);
      gone.set_value();
    });
    gone.get_future().wait();
    RoomServiceTest::TearDown();
  }
  void announce(uint64_t offset, const std::string& epoch = "e1") { engine_.broker_.inner.announce("r:den", messageAt(offset), epoch); }
  // Waits (bounded) until the sink holds `count` offsets.
  std::vector<uint64_t> received(size_t count) {
    for (int i = 0; i < 500 && sink_.got().size() < count; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // anything extra arrives meanwhile
    return sink_.got();
  }
  OffsetSink sink_;
};

// Announcements are delivered once each, in offset order: repeats and older ones are dropped.
TEST_F(RoomServiceAnnouncementTest, DeliversEachAnnouncementOnceInOrder) {
  announce(1);
  announce(2);
  announce(2);
  announce(1);
  announce(3);
  EXPECT_EQ(received(3), (std::vector<uint64_t>{1, 2, 3}));
}

// An announcement after a gap waits until the missing ones are read from History, then all go
// out in order.
TEST_F(RoomServiceAnnouncementTest, AGapIsFilledFromHistoryBeforeWhatFollowsIt) {
  {
    std::lock_guard lock(engine_.history_.mutex);
    for (uint64_t o = 1; o <= 3; ++o) engine_.history_.stored.push_back(messageAt(o));
  }
  announce(3);
  announce(4);
  EXPECT_EQ(received(4), (std::vector<uint64_t>{1, 2, 3, 4}));
}

// Another epoch's message (a late one of a destroyed life) never reaches this life.
TEST_F(RoomServiceAnnouncementTest, AnotherEpochsMessageIsDropped) {
  announce(1, "e0");
  announce(1);
  EXPECT_EQ(received(1), (std::vector<uint64_t>{1}));
}

// History trimmed the messages right after the head: catch-up delivers what History still has,
// in order, stepping over the gap (it never stalls on it).
TEST_F(RoomServiceAnnouncementTest, ATrimmedGapIsSteppedOver) {
  {
    std::lock_guard lock(engine_.history_.mutex);
    for (uint64_t o = 5; o <= 6; ++o) engine_.history_.stored.push_back(messageAt(o));
  }
  announce(6);
  announce(7);
  EXPECT_EQ(received(3), (std::vector<uint64_t>{5, 6, 7}));
}

// History moved to another life this node never heard of (Redis lost the stream, or it was
// destroyed while this node was cut off): the node follows it from its start.
TEST_F(RoomServiceAnnouncementTest, ANewLifeInHistoryIsFollowedFromItsStart) {
  announce(1);
  ASSERT_EQ(received(1), (std::vector<uint64_t>{1}));
  {
    std::lock_guard lock(engine_.history_.mutex);
    engine_.history_.life = 2;
    for (uint64_t o = 1; o <= 2; ++o) engine_.history_.stored.push_back(messageAt(o));
  }
  announce(2, "e2");
  EXPECT_EQ(received(3), (std::vector<uint64_t>{1, 1, 2}));
}
