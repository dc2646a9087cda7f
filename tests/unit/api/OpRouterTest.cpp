// OpRouter's binary routing: a target under a prefix given to addBinaryHandler goes to that
// handler, any other to the default one, and to none when there is no default.
#include "api/OpRouter.hpp"

#include <gtest/gtest.h>

#include "api/BinaryFrame.hpp"

namespace onair::api {
namespace {

using HandlerFn = void (*)(ClientSession&, const BinaryFrame&);
void relay(ClientSession&, const BinaryFrame&) {}
void yjs(ClientSession&, const BinaryFrame&) {}
void docs(ClientSession&, const BinaryFrame&) {}

// The function `handler` holds; null for none.
HandlerFn which(const OpRouter::BinaryHandler* handler) {
  if (!handler) return nullptr;
  const auto* fn = handler->target<HandlerFn>();
  return fn ? *fn : nullptr;
}

TEST(OpRouter, BinaryTargetsUnderAPrefixGoToItsHandlerOthersToTheDefault) {
  OpRouter router;
  router.setBinaryHandler(relay);
  router.addBinaryHandler("yjs:", yjs);
  router.addBinaryHandler("docs:", docs);
  EXPECT_EQ(which(router.binaryHandlerFor("yjs:doc")), &yjs);
  EXPECT_EQ(which(router.binaryHandlerFor("yjs:")), &yjs);
  EXPECT_EQ(which(router.binaryHandlerFor("docs:a")), &docs);
  EXPECT_EQ(which(router.binaryHandlerFor("live:abc")), &relay);
  EXPECT_EQ(which(router.binaryHandlerFor("yjs")), &relay);     // shorter than the prefix
  EXPECT_EQ(which(router.binaryHandlerFor("ayjs:d")), &relay);  // the prefix elsewhere than at the start
  EXPECT_EQ(which(router.binaryHandlerFor("")), &relay);
}

TEST(OpRouter, WithoutADefaultOtherBinaryTargetsHaveNoHandler) {
  OpRouter router;
  EXPECT_EQ(router.binaryHandlerFor("yjs:doc"), nullptr);
  router.addBinaryHandler("yjs:", yjs);
  EXPECT_EQ(which(router.binaryHandlerFor("yjs:doc")), &yjs);
  EXPECT_EQ(router.binaryHandlerFor("live:abc"), nullptr);
  EXPECT_EQ(router.binaryHandlerFor(""), nullptr);
}

TEST(OpRouter, ADefaultAloneTakesEveryBinaryTarget) {
  OpRouter router;
  router.setBinaryHandler(relay);
  EXPECT_EQ(which(router.binaryHandlerFor("yjs:doc")), &relay);
  EXPECT_EQ(which(router.binaryHandlerFor("")), &relay);
}

}  // namespace
}  // namespace onair::api
