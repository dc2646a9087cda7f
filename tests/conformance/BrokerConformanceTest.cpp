// Broker contract (engine/Broker.hpp), run against every engine.
#include "ConformanceFixture.hpp"

namespace onair::conformance {
namespace {

class BrokerConformance : public EngineConformance {
 protected:
  static std::string data(int n) { return R"({"n":)" + std::to_string(n) + "}"; }
  static engine::Broker::Payload bytes(std::string text) { return std::make_shared<const std::string>(std::move(text)); }
  static engine::AppendRequest announced(const std::string& stream, int n, std::optional<std::string> key = std::nullopt) {
    auto request = appendRequest(stream, data(n), std::move(key));
    request.type = "note";
    request.publisher = "alice";
    request.announce = true;
    return request;
  }
  static engine::AppendResult appendOn(engine::Engine& on, engine::AppendRequest request) {
    return valueOf(awaitCompletion<engine::Outcome<engine::AppendResult>>(
                       [&](auto done) { on.history().append(std::move(request), std::move(done)); }, "append"),
                   "append");
  }
};

struct Delivery {
  std::string topic;
  std::string payload;
};

struct Stored {
  std::string topic;
  engine::StreamMessage message;
  std::string epoch;
};

engine::Broker::Handler collectInto(Collector<Delivery>& deliveries) {
  return [collect = deliveries.callback()](const std::string& topic, const engine::Broker::Payload& payload) {
    collect(Delivery{topic, payload ? *payload : std::string("<null>")});
  };
}

engine::Broker::StoredHandler collectInto(Collector<Stored>& stored) {
  return [collect = stored.callback()](const std::string& topic, const engine::StreamMessage& message,
                                       const std::string& epoch) { collect(Stored{topic, message, epoch}); };
}

std::vector<std::string> payloadsOf(const std::vector<Delivery>& deliveries, const std::string& topic) {
  std::vector<std::string> out;
  for (const auto& d : deliveries) {
    if (d.topic == topic) out.push_back(d.payload);
  }
  return out;
}

TEST_P(BrokerConformance, HandlerReceivesEachTopicInPublishOrder) {
  constexpr int kPerTopic = 100;
  const auto red = name("red");
  const auto blue = name("blue");
  Collector<Delivery> deliveries;
  auto collect = deliveries.callback();
  engine().broker().setHandler([collect](const std::string& topic, const engine::Broker::Payload& payload) {
    collect(Delivery{topic, payload ? *payload : std::string("<null>")});
  });
  // Deliveries reach a node for the topics it subscribed to (the embedded broker completes at once).
  subscribe(red);
  subscribe(blue);

  for (int i = 0; i < kPerTopic; ++i) {
    engine().broker().publish(red, std::make_shared<const std::string>("red-" + std::to_string(i)));
    // Payloads are bytes: embedded NULs and non-ASCII must arrive intact.
    engine().broker().publish(blue, std::make_shared<const std::string>(std::string("blue\0", 5) + "\xff" +
                                                                        std::to_string(i)));
  }

  auto got = deliveries.waitFor(2 * kPerTopic);
  std::vector<std::string> redPayloads, bluePayloads;
  for (const auto& d : got) {
    if (d.topic == red) redPayloads.push_back(d.payload);
    else if (d.topic == blue) bluePayloads.push_back(d.payload);
    else ADD_FAILURE() << "delivery for a topic nobody published to: " << d.topic;
  }
  ASSERT_EQ(redPayloads.size(), static_cast<size_t>(kPerTopic));
  ASSERT_EQ(bluePayloads.size(), static_cast<size_t>(kPerTopic));
  for (int i = 0; i < kPerTopic; ++i) {
    EXPECT_EQ(redPayloads[i], "red-" + std::to_string(i));
    EXPECT_EQ(bluePayloads[i], std::string("blue\0", 5) + "\xff" + std::to_string(i));
  }
  EXPECT_EQ(deliveries.snapshot().size(), static_cast<size_t>(2 * kPerTopic)) << "each event must arrive once";
}

TEST_P(BrokerConformance, AnnouncedAppendsReachTheStoredHandlerInOffsetOrder) {
  const auto stream = name("room");
  Collector<Stored> stored;
  engine().broker().setStoredHandler(collectInto(stored));
  subscribe(stream);

  auto first = append(announced(stream, 1, "key-1"));
  auto second = append(announced(stream, 2));
  auto quiet = append(stream, data(3));  // announce = false
  auto retry = append(announced(stream, 1, "key-1"));
  auto conflict = append(announced(stream, 9, "key-1"));
  auto last = append(announced(stream, 4));
  EXPECT_TRUE(retry.duplicate);
  EXPECT_TRUE(conflict.duplicate);
  ASSERT_EQ(last.offset, 4u);

  // One stream's announcements arrive in offset order: once offset 4 is here, an announcement of
  // offset 3 or of a duplicate would have arrived before it.
  auto got = stored.waitFor(3);
  ASSERT_GE(got.size(), 3u);
  std::vector<uint64_t> offsets;
  for (const auto& s : got) offsets.push_back(s.message.offset);
  EXPECT_EQ(offsets, (std::vector<uint64_t>{1, 2, 4})) << "only new messages with announce are announced";
  const std::vector<engine::AppendResult> results{first, second, last};
  const std::vector<int> numbers{1, 2, 4};
  for (size_t i = 0; i < got.size() && i < 3; ++i) {
    EXPECT_EQ(got[i].topic, stream);
    EXPECT_EQ(got[i].epoch, first.epoch);
    EXPECT_EQ(got[i].message.timestampMs, results[i].timestampMs);
    EXPECT_EQ(got[i].message.publisher, "alice");
    EXPECT_EQ(got[i].message.type, "note");
    EXPECT_EQ(got[i].message.dataJson, data(numbers[i]));
  }
  EXPECT_EQ(quiet.offset, 3u);
  EXPECT_EQ(stored.snapshot().size(), 3u) << "each stored message must be announced once";
}

TEST_P(BrokerConformance, AnnouncedBurstArrivesInOffsetOrder) {
  constexpr int kCount = 300;
  const auto stream = name("burst");
  Collector<Stored> stored;
  engine().broker().setStoredHandler(collectInto(stored));
  subscribe(stream);
  Collector<engine::Outcome<engine::AppendResult>> completions;
  engine::Retention retention;
  retention.maxMessages = kCount;
  for (int i = 1; i <= kCount; ++i) {
    auto request = announced(stream, i);
    request.retention = retention;
    engine().history().append(std::move(request), completions.callback());
  }
  auto got = stored.waitFor(kCount);
  ASSERT_EQ(got.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(got[i].message.offset, static_cast<uint64_t>(i + 1)) << "announcement #" << i << " out of order";
    ASSERT_EQ(got[i].message.dataJson, data(i + 1));
    ASSERT_EQ(got[i].epoch, got[0].epoch);
  }
  completions.waitFor(kCount);
}

TEST_P(BrokerConformance, AnotherNodesPublishesAndAnnouncementsReachThisNode) {
  if (!GetParam().makePeer) GTEST_SKIP() << "a single-node engine has no peers";
  auto peer = GetParam().makePeer(dataDir());
  const auto topic = name("shared");
  Collector<Delivery> frames;
  Collector<Stored> stored;
  engine().broker().setHandler(collectInto(frames));
  engine().broker().setStoredHandler(collectInto(stored));
  subscribe(topic);

  constexpr int kFrames = 50;
  constexpr int kMessages = 20;
  for (int i = 0; i < kFrames; ++i) peer->broker().publish(topic, bytes("b-" + std::to_string(i)));
  std::vector<engine::AppendResult> appended;
  for (int i = 1; i <= kMessages; ++i) appended.push_back(appendOn(*peer, announced(topic, i)));

  auto gotFrames = frames.waitFor(kFrames);
  auto payloads = payloadsOf(gotFrames, topic);
  ASSERT_EQ(payloads.size(), static_cast<size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) EXPECT_EQ(payloads[i], "b-" + std::to_string(i));

  auto gotStored = stored.waitFor(kMessages);
  ASSERT_EQ(gotStored.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(gotStored[i].topic, topic);
    EXPECT_EQ(gotStored[i].message.offset, appended[i].offset);
    EXPECT_EQ(gotStored[i].message.dataJson, data(i + 1));
    EXPECT_EQ(gotStored[i].epoch, appended[0].epoch);
  }
  // The history is shared too: this node reads what the peer stored.
  EXPECT_EQ(readForward(topic, 0).head.offset, static_cast<uint64_t>(kMessages));
  peer->stop();
}

TEST_P(BrokerConformance, UnsubscribeStopsDeliveriesOnceTheLastSubscriptionIsGone) {
  if (!GetParam().makePeer) GTEST_SKIP() << "the embedded broker is always subscribed";
  const auto topic = name("topic");
  const auto marker = name("marker");
  Collector<Delivery> deliveries;
  Collector<Stored> stored;
  engine().broker().setHandler(collectInto(deliveries));
  engine().broker().setStoredHandler(collectInto(stored));
  subscribe(topic);
  subscribe(topic);
  subscribe(marker);

  engine().broker().publish(topic, bytes("one"));
  engine().broker().publish(marker, bytes("m1"));
  deliveries.waitFor(2);

  engine().broker().unsubscribe(topic);  // one subscription left
  engine().broker().publish(topic, bytes("two"));
  engine().broker().publish(marker, bytes("m2"));
  auto stillSubscribed = deliveries.waitFor(4);
  EXPECT_EQ(payloadsOf(stillSubscribed, topic), (std::vector<std::string>{"one", "two"}));

  engine().broker().unsubscribe(topic);  // none left
  engine().broker().publish(topic, bytes("three"));
  append(announced(topic, 1));
  engine().broker().publish(marker, bytes("m3"));
  auto after = deliveries.waitFor(5);
  EXPECT_EQ(payloadsOf(after, marker), (std::vector<std::string>{"m1", "m2", "m3"}));
  EXPECT_EQ(payloadsOf(after, topic), (std::vector<std::string>{"one", "two"})) << "delivered after unsubscribe";
  EXPECT_TRUE(stored.snapshot().empty()) << "announced after unsubscribe";
}

ONAIR_INSTANTIATE_CONFORMANCE(BrokerConformance);

}  // namespace
}  // namespace onair::conformance
