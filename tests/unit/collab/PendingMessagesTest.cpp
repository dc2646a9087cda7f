// PendingMessages: keeps what arrives before a document opens, in order, within its bounds.
#include "collab/PendingMessages.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace onair::collab {
namespace {

TEST(PendingMessages, TakeReturnsMessagesOldestFirstAndEmptiesTheQueue) {
  PendingMessages pending;
  EXPECT_TRUE(pending.push("sync step 1"));
  EXPECT_TRUE(pending.push(std::string("aware\0ness", 10)));
  EXPECT_EQ(pending.take(), (std::vector<std::string>{"sync step 1", std::string("aware\0ness", 10)}));
  EXPECT_TRUE(pending.take().empty());
}

TEST(PendingMessages, RefusesTheMessageAfterTheLastAllowed) {
  PendingMessages pending;
  for (size_t i = 0; i < PendingMessages::kMaxMessages; ++i) ASSERT_TRUE(pending.push("m")) << i;
  EXPECT_FALSE(pending.push("m"));
  EXPECT_FALSE(pending.push(""));
  EXPECT_EQ(pending.take().size(), PendingMessages::kMaxMessages) << "a refused message is not kept";
}

TEST(PendingMessages, RefusesAMessageThatWouldPassTheByteBound) {
  PendingMessages pending;
  EXPECT_TRUE(pending.push(std::string(PendingMessages::kMaxBytes - 1, 'a')));
  EXPECT_FALSE(pending.push("bc"));
  EXPECT_TRUE(pending.push("b")) << "exactly kMaxBytes fit";
  EXPECT_FALSE(pending.push("c"));
  EXPECT_EQ(pending.take().size(), 2u);
}

TEST(PendingMessages, OneMessageOverTheByteBoundIsRefused) {
  PendingMessages pending;
  EXPECT_FALSE(pending.push(std::string(PendingMessages::kMaxBytes + 1, 'a')));
  EXPECT_TRUE(pending.take().empty());
}

TEST(PendingMessages, TakingFreesTheBounds) {
  PendingMessages pending;
  EXPECT_TRUE(pending.push(std::string(PendingMessages::kMaxBytes, 'a')));
  EXPECT_FALSE(pending.push("b"));
  pending.take();
  EXPECT_TRUE(pending.push("b"));
  EXPECT_EQ(pending.take(), std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace onair::collab
