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
