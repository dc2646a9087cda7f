#include "hub/Hub.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace onair;

namespace {
// Records the bytes of each frame it gets (and where they live, to check nothing is copied).
struct RecordingSink : net::FrameSink {
  std::vector<const std::string*> frames;
  using FrameSink::send;
  void send(net::OutFrame& f) override { frames.push_back(&f.bytes()); }
};
}  // namespace

TEST(Hub, DeliversTheSameFrameToEverySubscriber) {
  hub::Hub h;
  RecordingSink a, b, c;
  EXPECT_TRUE(h.subscribe("room:1", &a));
  EXPECT_TRUE(h.subscribe("room:1", &b));
  EXPECT_FALSE(h.subscribe("room:1", &b));  // idempotent
  h.subscribe("room:2", &c);
  auto frame = net::makeSharedFrame("payload");
  EXPECT_EQ(h.deliver("room:1", frame), 2u);
  ASSERT_EQ(a.frames.size(), 1u);
  ASSERT_EQ(b.frames.size(), 1u);
  EXPECT_EQ(a.frames[0], frame.get());  // shared, not copied
  EXPECT_EQ(b.frames[0], frame.get());
  EXPECT_TRUE(c.frames.empty());
}

TEST(Hub, UnsubscribeAndDropRemoveSubscribers) {
  hub::Hub h;
  RecordingSink a, b;
  h.subscribe("t", &a);
  h.subscribe("t", &b);
  EXPECT_TRUE(h.unsubscribe("t", &a));
  EXPECT_FALSE(h.unsubscribe("t", &a));  // unknown pair ignored
  EXPECT_EQ(h.deliver("t", net::makeSharedFrame("x")), 1u);
  EXPECT_TRUE(h.unsubscribe("t", &b));
  EXPECT_EQ(h.topicCount(), 0u);
  EXPECT_EQ(h.deliver("t", net::makeSharedFrame("x")), 0u);
  h.subscribe("u", &a);
  h.subscribe("u", &b);
  EXPECT_EQ(h.drop("u"), 2u);
  EXPECT_EQ(h.deliver("u", net::makeSharedFrame("x")), 0u);
}
