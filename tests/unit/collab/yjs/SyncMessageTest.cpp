// y-websocket frames: bytes written by y-websocket 2.1 / y-protocols 1.0.7 (printed by a script
// with yjs 13.6 and client id 1; getText('t').insert(0, 'ab')), and hostile frames.
#include <gtest/gtest.h>

#include "YjsTestBytes.hpp"

#include <string>
#include <vector>

#include "collab/yjs/StateVector.hpp"
#include "collab/yjs/SyncMessage.hpp"
#include "collab/yjs/UpdateDecoder.hpp"

using namespace onair::collab::yjs;

namespace {

using fixtures::hex;

const auto kStep1 = hex("000003010102");
const auto kStep2 = hex("00010c010101000401017402616200");
const auto kUpdate = hex("00020c010101000401017402616200");
const auto kQuery = hex("03");
const auto kDenied = hex("0200026e6f");
const auto kAwareness = hex("0129010101257b2275736572223a7b226e616d65223a22c3a9222c22636f6c6f72223a2223663030227d7d");

std::vector<uint8_t> bytes(std::span<const uint8_t> span) { return {span.begin(), span.end()}; }

}  // namespace

TEST(SyncMessage, DecodesSyncStep1WithTheSendersStateVector) {
  auto message = SyncMessage::decode(kStep1);
  ASSERT_TRUE(message) << describe(message.error());
  EXPECT_EQ(message->type, SyncMessage::Type::Sync);
  EXPECT_EQ(message->sync.step, SyncStep::Step1);
  auto sv = StateVector::decode(message->sync.bytes);
  ASSERT_TRUE(sv);
  EXPECT_EQ(sv->clock(1), 2u);
}

TEST(SyncMessage, DecodesStep2AndUpdateCarryingAnUpdate) {
  for (const auto& frame : {kStep2, kUpdate}) {
    auto message = SyncMessage::decode(frame);
    ASSERT_TRUE(message) << describe(message.error());
    EXPECT_EQ(message->sync.step, frame == kStep2 ? SyncStep::Step2 : SyncStep::Update);
    auto update = UpdateDecoder::decode(message->sync.bytes);
    ASSERT_TRUE(update);
    EXPECT_EQ(update->structs.size(), 1u);
  }
}

TEST(SyncMessage, DecodesAwarenessQueryAndPermissionDenied) {
  auto awareness = SyncMessage::decode(kAwareness);
  ASSERT_TRUE(awareness);
  EXPECT_EQ(awareness->type, SyncMessage::Type::Awareness);
  EXPECT_EQ(awareness->awareness.size(), kAwareness.size() - 2);
  auto query = SyncMessage::decode(kQuery);
  ASSERT_TRUE(query);
  EXPECT_EQ(query->type, SyncMessage::Type::QueryAwareness);
  auto denied = SyncMessage::decode(kDenied);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->type, SyncMessage::Type::Auth);
  EXPECT_EQ(denied->reason, "no");
}

TEST(SyncMessage, BuildersWriteWhatYWebsocketWrites) {
  auto step1 = SyncMessage::decode(kStep1);
  auto step2 = SyncMessage::decode(kStep2);
  auto awareness = SyncMessage::decode(kAwareness);
  ASSERT_TRUE(step1 && step2 && awareness);
  EXPECT_EQ(SyncMessage::syncStep1(step1->sync.bytes).encode(), kStep1);
  EXPECT_EQ(SyncMessage::syncStep2(step2->sync.bytes).encode(), kStep2);
  EXPECT_EQ(SyncMessage::update(step2->sync.bytes).encode(), kUpdate);
  EXPECT_EQ(SyncMessage::awarenessUpdate(awareness->awareness).encode(), kAwareness);
  EXPECT_EQ(SyncMessage::queryAwareness().encode(), kQuery);
  EXPECT_EQ(SyncMessage::permissionDenied("no").encode(), kDenied);
  for (const auto& frame : {kStep1, kStep2, kUpdate, kQuery, kDenied, kAwareness}) {
    auto message = SyncMessage::decode(frame);
    ASSERT_TRUE(message);
    EXPECT_EQ(message->encode(), frame);
  }
}

TEST(SyncMessage, HostileFramesAreRefusedWithACode) {
  EXPECT_EQ(SyncMessage::decode(hex("")).error(), YjsError::Truncated);
  EXPECT_EQ(SyncMessage::decode(hex("04")).error(), YjsError::UnknownMessageType);
  EXPECT_EQ(SyncMessage::decode(hex("8001")).error(), YjsError::UnknownMessageType);  // 128, two bytes
  EXPECT_EQ(SyncMessage::decode(hex("0003")).error(), YjsError::UnknownSyncStep);
  EXPECT_EQ(SyncMessage::decode(hex("0000ffffff0f01")).error(), YjsError::Truncated);  // payload claims 2^28 bytes
  EXPECT_EQ(SyncMessage::decode(hex("0201026e6f")).error(), YjsError::UnknownAuthType);
  EXPECT_EQ(SyncMessage::decode(hex("020002c0af")).error(), YjsError::BadUtf8);
  EXPECT_EQ(SyncMessage::decode(hex("0300")).error(), YjsError::TrailingBytes);
  EXPECT_EQ(SyncMessage::decode(hex("00000301010200")).error(), YjsError::TrailingBytes);
  MessageLimits small;
  small.maxMessageBytes = 8;
  EXPECT_EQ(SyncMessage::decode(kStep2, small).error(), YjsError::TooLarge);
  EXPECT_TRUE(SyncMessage::decode(kStep1, small));
}

TEST(SyncMessage, PayloadViewsPointIntoTheFrame) {
  auto message = SyncMessage::decode(kStep2);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->sync.bytes.data(), kStep2.data() + 3);
  EXPECT_EQ(bytes(message->sync.bytes), hex("010101000401017402616200"));
}
