#include "engine/FrameHandlers.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/memory/MemoryBroker.hpp"

namespace onair::engine {
namespace {

// "<handler>:<topic>=<payload>" for every frame a handler got.
struct Seen {
  std::vector<std::string> frames;
  Broker::Handler as(std::string name) {
    return [this, name](const std::string& topic, const Broker::Payload& payload) { frames.push_back(name + ":" + topic + "=" + *payload); };
  }
};

Broker::Payload payload(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

TEST(FrameHandlers, TopicsUnderAPrefixGoToItsHandlerOthersToTheDefault) {
  Seen seen;
  FrameHandlers handlers;
  handlers.setDefault(seen.as("default"));
  handlers.setForPrefix("relay:", seen.as("relay"));
  handlers.deliver("relay:node-b", payload("m1"));
  handlers.deliver("room:lobby", payload("m2"));
  handlers.deliver("relay:", payload("m3"));
  handlers.deliver("relay", payload("m4"));      // shorter than the prefix
  handlers.deliver("xrelay:node", payload("m5"));  // the prefix elsewhere than at the start
  handlers.deliver("", payload("m6"));
  EXPECT_EQ(seen.frames, (std::vector<std::string>{"relay:relay:node-b=m1", "default:room:lobby=m2", "relay:relay:=m3",
                                                    "default:relay=m4", "default:xrelay:node=m5", "default:=m6"}));
}

TEST(FrameHandlers, EachPrefixHasItsOwnHandler) {
  Seen seen;
  FrameHandlers handlers;
  handlers.setDefault(seen.as("default"));
  handlers.setForPrefix("relay:", seen.as("relay"));
  handlers.setForPrefix("docs:", seen.as("docs"));
  handlers.deliver("docs:d1", payload("a"));
  handlers.deliver("relay:n1", payload("b"));
  handlers.deliver("stage:s1", payload("c"));
  EXPECT_EQ(seen.frames, (std::vector<std::string>{"docs:docs:d1=a", "relay:relay:n1=b", "default:stage:s1=c"}));
}

TEST(FrameHandlers, WithoutADefaultOtherTopicsAreDropped) {
  Seen seen;
  FrameHandlers handlers;
  handlers.setForPrefix("relay:", seen.as("relay"));
  handlers.deliver("room:lobby", payload("dropped"));
  handlers.deliver("relay:n", payload("kept"));
  EXPECT_EQ(seen.frames, (std::vector<std::string>{"relay:relay:n=kept"}));
}

TEST(FrameHandlers, ATopicHandlerGetsThePublishedPayloadItself) {
  FrameHandlers handlers;
  Broker::Payload got;
  handlers.setForPrefix("relay:", [&got](const std::string&, const Broker::Payload& p) { got = p; });
  auto sent = payload(std::string("R\0binary", 8));
  handlers.deliver("relay:n", sent);
  EXPECT_EQ(got, sent) << "no copy of the bytes";
}

// "<handler>:<topic>#<offset>@<epoch>=<data>" for every stored message a handler got.
struct SeenStored {
  std::vector<std::string> messages;
  Broker::StoredHandler as(std::string name) {
    return [this, name](const std::string& topic, const StreamMessage& m, const std::string& epoch) {
      messages.push_back(name + ":" + topic + "#" + std::to_string(m.offset) + "@" + epoch + "=" + m.dataJson);
    };
  }
};

StreamMessage stored(uint64_t offset, std::string dataJson) { return StreamMessage{offset, 1000, "", "u", std::move(dataJson)}; }

TEST(FrameHandlers, StoredMessagesUnderAPrefixGoToItsHandlerOthersToTheDefault) {
  SeenStored seen;
  FrameHandlers handlers;
  handlers.setStoredDefault(seen.as("default"));
  handlers.setStoredForPrefix("yjs:", seen.as("yjs"));
  handlers.setStoredForPrefix("docs:", seen.as("docs"));
  handlers.deliverStored("yjs:d1", stored(1, "a"), "e1");
  handlers.deliverStored("room:lobby", stored(2, "b"), "e2");
  handlers.deliverStored("docs:x", stored(3, "c"), "e3");
  handlers.deliverStored("yjs", stored(4, "d"), "e4");      // shorter than the prefix
  handlers.deliverStored("ayjs:d", stored(5, "e"), "e5");  // the prefix elsewhere than at the start
  EXPECT_EQ(seen.messages, (std::vector<std::string>{"yjs:yjs:d1#1@e1=a", "default:room:lobby#2@e2=b", "docs:docs:x#3@e3=c",
                                                      "default:yjs#4@e4=d", "default:ayjs:d#5@e5=e"}));
}

TEST(FrameHandlers, StoredAndFrameHandlersAreApart) {
  Seen frames;
  SeenStored messages;
  FrameHandlers handlers;
  handlers.setForPrefix("yjs:", frames.as("frames"));
  handlers.setStoredDefault(messages.as("default"));
  handlers.deliverStored("yjs:d", stored(1, "s"), "e");
  handlers.deliver("room:r", payload("f"));  // no frame default: dropped
  EXPECT_EQ(messages.messages, (std::vector<std::string>{"default:yjs:d#1@e=s"}));
  EXPECT_TRUE(frames.frames.empty());
}

TEST(FrameHandlers, WithoutAStoredDefaultOtherStoredMessagesAreDropped) {
  SeenStored seen;
  FrameHandlers handlers;
  handlers.setStoredForPrefix("yjs:", seen.as("yjs"));
  handlers.deliverStored("room:lobby", stored(1, "dropped"), "e");
  handlers.deliverStored("yjs:d", stored(2, "kept"), "e");
  EXPECT_EQ(seen.messages, (std::vector<std::string>{"yjs:yjs:d#2@e=kept"}));
}

TEST(MemoryBrokerTopicHandlers, AnnouncedMessagesReachTheirPrefixesStoredHandlerOrTheDefault) {
  SeenStored seen;
  memory::MemoryBroker broker;
  broker.setStoredHandler(seen.as("default"));
  broker.setStoredTopicHandler("yjs:", seen.as("yjs"));
  broker.announce("yjs:doc", stored(7, "u"), "e1");
  broker.announce("room:r1", stored(8, "m"), "e2");
  EXPECT_EQ(seen.messages, (std::vector<std::string>{"yjs:yjs:doc#7@e1=u", "default:room:r1#8@e2=m"}));
}

TEST(MemoryBrokerTopicHandlers, PublishedFramesReachTheirPrefixesHandlerOrTheDefault) {
  Seen seen;
  memory::MemoryBroker broker;
  broker.setHandler(seen.as("default"));
  broker.setTopicHandler("relay:", seen.as("relay"));
  broker.publish("relay:node-a", payload("to-relay"));
  broker.publish("room:r1", payload("to-room"));
  EXPECT_EQ(seen.frames, (std::vector<std::string>{"relay:relay:node-a=to-relay", "default:room:r1=to-room"}));
}

TEST(MemoryBrokerTopicHandlers, ResyncHandlersAreAcceptedAndNeverRun) {
  memory::MemoryBroker broker;
  int runs = 0;
  broker.addResyncHandler([&runs] { ++runs; });
  broker.addResyncHandler([&runs] { ++runs; });
  bool subscribed = false;
  broker.subscribe("relay:n", [&subscribed](Outcome<Done> done) { subscribed = std::holds_alternative<Done>(done); });
  broker.publish("relay:n", payload("x"));  // no handler at all: dropped
  EXPECT_TRUE(subscribed);
  EXPECT_EQ(runs, 0) << "one node never misses anything";
}

}  // namespace
}  // namespace onair::engine
