// Hocuspocus frames: bytes as @hocuspocus/provider and @hocuspocus/server 3.4.4 write them
// (their OutgoingMessage code run in a script with @hocuspocus/common's auth writers and
// y-protocols 1.0.7; document "doc", client id 1, getText('t').insert(0, 'ab')), and hostile ones.
#include <gtest/gtest.h>

#include "YjsTestBytes.hpp"

#include <string>
#include <vector>

#include "collab/yjs/HocuspocusMessage.hpp"
#include "collab/yjs/StateVector.hpp"
#include "collab/yjs/UpdateDecoder.hpp"

using namespace onair::collab::yjs;

namespace {

using Type = HocuspocusMessage::Type;
using AuthType = HocuspocusMessage::AuthType;

using fixtures::hex;

const auto kToken = hex("03646f630200036a7774");
const auto kTokenRequest = hex("03646f630200");
const auto kDenied = hex("03646f630201117065726d697373696f6e2d64656e696564");
const auto kReadOnly = hex("03646f63020208726561646f6e6c79");
const auto kReadWrite = hex("03646f6302020a726561642d7772697465");
const auto kStep1 = hex("03646f63000003010102");
const auto kUpdate = hex("03646f6300020c010101000401017402616200");
const auto kStateless = hex("03646f6305077b2261223a317d");
const auto kBroadcast = hex("03646f6306026869");
const auto kClose = hex("03646f6307");
const auto kCloseWithReason = hex("03646f630703627965");
const auto kSaved = hex("03646f630801");
const auto kRefused = hex("03646f630800");
const auto kQuery = hex("03646f6303");
const auto kAwareness = hex("03646f630129010101257b2275736572223a7b226e616d65223a22c3a9222c22636f6c6f72223a2223663030227d7d");

}  // namespace

TEST(HocuspocusMessage, EveryFrameStartsWithItsDocumentName) {
  for (const auto& frame : {kToken, kTokenRequest, kDenied, kReadOnly, kReadWrite, kStep1, kUpdate, kStateless, kBroadcast,
                            kClose, kCloseWithReason, kSaved, kRefused, kQuery, kAwareness}) {
    auto message = HocuspocusMessage::decode(frame);
    ASSERT_TRUE(message) << describe(message.error());
    EXPECT_EQ(message->documentName, "doc");
    EXPECT_EQ(message->encode(), frame) << "re-encodes to the same bytes";
  }
}

TEST(HocuspocusMessage, DecodesTheAuthSubMessages) {
  auto token = HocuspocusMessage::decode(kToken);
  ASSERT_TRUE(token);
  EXPECT_EQ(token->type, Type::Auth);
  EXPECT_EQ(token->authType, AuthType::Token);
  EXPECT_TRUE(token->hasText);
  EXPECT_EQ(token->text, "jwt");
  auto request = HocuspocusMessage::decode(kTokenRequest);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->authType, AuthType::Token);
  EXPECT_FALSE(request->hasText);
  auto denied = HocuspocusMessage::decode(kDenied);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->authType, AuthType::PermissionDenied);
  EXPECT_EQ(denied->text, "permission-denied");
  auto readOnly = HocuspocusMessage::decode(kReadOnly);
  ASSERT_TRUE(readOnly);
  EXPECT_EQ(readOnly->authType, AuthType::Authenticated);
  EXPECT_EQ(readOnly->text, HocuspocusMessage::kReadOnlyScope);
}

TEST(HocuspocusMessage, DecodesSyncStatelessCloseAndStatus) {
  auto step1 = HocuspocusMessage::decode(kStep1);
  ASSERT_TRUE(step1);
  EXPECT_EQ(step1->type, Type::Sync);
  EXPECT_EQ(step1->sync.step, SyncStep::Step1);
  auto sv = StateVector::decode(step1->sync.bytes);
  ASSERT_TRUE(sv);
  EXPECT_EQ(sv->clock(1), 2u);
  auto update = HocuspocusMessage::decode(kUpdate);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->sync.step, SyncStep::Update);
  EXPECT_TRUE(UpdateDecoder::decode(update->sync.bytes));
  auto stateless = HocuspocusMessage::decode(kStateless);
  ASSERT_TRUE(stateless);
  EXPECT_EQ(stateless->type, Type::Stateless);
  EXPECT_EQ(stateless->text, "{\"a\":1}");
  auto broadcast = HocuspocusMessage::decode(kBroadcast);
  ASSERT_TRUE(broadcast);
  EXPECT_EQ(broadcast->type, Type::BroadcastStateless);
  EXPECT_EQ(broadcast->text, "hi");
  auto close = HocuspocusMessage::decode(kClose);
  ASSERT_TRUE(close);
  EXPECT_EQ(close->type, Type::Close);
  EXPECT_FALSE(close->hasText);
  auto closeWithReason = HocuspocusMessage::decode(kCloseWithReason);
  ASSERT_TRUE(closeWithReason);
  EXPECT_EQ(closeWithReason->text, "bye");
  auto saved = HocuspocusMessage::decode(kSaved);
  auto refused = HocuspocusMessage::decode(kRefused);
  ASSERT_TRUE(saved && refused);
  EXPECT_EQ(saved->type, Type::SyncStatus);
  EXPECT_TRUE(saved->applied);
  EXPECT_FALSE(refused->applied);
  auto syncReply = HocuspocusMessage::decode(hex("03646f63040003010102"));
  ASSERT_TRUE(syncReply);
  EXPECT_EQ(syncReply->type, Type::SyncReply);
  EXPECT_EQ(syncReply->sync.step, SyncStep::Step1);
}

TEST(HocuspocusMessage, BuildersWriteWhatHocuspocusWrites) {
  auto step1 = HocuspocusMessage::decode(kStep1);
  auto update = HocuspocusMessage::decode(kUpdate);
  auto awareness = HocuspocusMessage::decode(kAwareness);
  ASSERT_TRUE(step1 && update && awareness);
  EXPECT_EQ(HocuspocusMessage::syncMessage("doc", SyncStep::Step1, step1->sync.bytes).encode(), kStep1);
  EXPECT_EQ(HocuspocusMessage::syncMessage("doc", SyncStep::Update, update->sync.bytes).encode(), kUpdate);
  EXPECT_EQ(HocuspocusMessage::awarenessUpdate("doc", awareness->awareness).encode(), kAwareness);
  EXPECT_EQ(HocuspocusMessage::queryAwareness("doc").encode(), kQuery);
  EXPECT_EQ(HocuspocusMessage::token("doc", "jwt").encode(), kToken);
  EXPECT_EQ(HocuspocusMessage::tokenRequest("doc").encode(), kTokenRequest);
  EXPECT_EQ(HocuspocusMessage::permissionDenied("doc", "permission-denied").encode(), kDenied);
  EXPECT_EQ(HocuspocusMessage::authenticated("doc", true).encode(), kReadOnly);
  EXPECT_EQ(HocuspocusMessage::authenticated("doc", false).encode(), kReadWrite);
  EXPECT_EQ(HocuspocusMessage::stateless("doc", "{\"a\":1}").encode(), kStateless);
  EXPECT_EQ(HocuspocusMessage::broadcastStateless("doc", "hi").encode(), kBroadcast);
  EXPECT_EQ(HocuspocusMessage::close("doc", "bye").encode(), kCloseWithReason);
  EXPECT_EQ(HocuspocusMessage::syncStatus("doc", true).encode(), kSaved);
  EXPECT_EQ(HocuspocusMessage::syncStatus("doc", false).encode(), kRefused);
}

TEST(HocuspocusMessage, HostileFramesAreRefusedWithACode) {
  EXPECT_EQ(HocuspocusMessage::decode(hex("")).error(), YjsError::Truncated);
  EXPECT_EQ(HocuspocusMessage::decode(hex("03646f63")).error(), YjsError::Truncated);  // no type
  EXPECT_EQ(HocuspocusMessage::decode(hex("09646f6300")).error(), YjsError::Truncated);  // name runs past the end
  EXPECT_EQ(HocuspocusMessage::decode(hex("02c0af00")).error(), YjsError::BadUtf8);
  EXPECT_EQ(HocuspocusMessage::decode(hex("03646f6309")).error(), YjsError::UnknownMessageType);
  EXPECT_EQ(HocuspocusMessage::decode(hex("03646f630205")).error(), YjsError::UnknownAuthType);
  EXPECT_EQ(HocuspocusMessage::decode(hex("03646f6302")).error(), YjsError::Truncated);
  EXPECT_EQ(HocuspocusMessage::decode(hex("03646f630201")).error(), YjsError::Truncated);  // denied without reason
  EXPECT_EQ(HocuspocusMessage::decode(hex("03646f630007")).error(), YjsError::UnknownSyncStep);
  EXPECT_EQ(HocuspocusMessage::decode(hex("03646f6305")).error(), YjsError::Truncated);  // stateless without payload
  EXPECT_EQ(HocuspocusMessage::decode(hex("03646f630300")).error(), YjsError::TrailingBytes);
  EXPECT_EQ(HocuspocusMessage::decode(hex("03646f63070362796500")).error(), YjsError::TrailingBytes);
  MessageLimits limits;
  limits.maxDocumentNameBytes = 2;
  EXPECT_EQ(HocuspocusMessage::decode(kQuery, limits).error(), YjsError::TooLarge);
  limits = MessageLimits{};
  limits.maxMessageBytes = 8;
  EXPECT_EQ(HocuspocusMessage::decode(kUpdate, limits).error(), YjsError::TooLarge);
}
