// Framing: a document's topics all live on its owner shard (where DocumentService keeps it and
// where its stored updates arrive), and each framing wraps a message as its clients read it.
#include "collab/Framing.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "FramedMessage.hpp"
#include "api/BinaryFrame.hpp"
#include "collab/yjs/HocuspocusMessage.hpp"
#include "collab/yjs/SyncMessage.hpp"
#include "hub/ShardPool.hpp"
#include "../net/ServerFrames.hpp"
#include "yjs/YjsTestBytes.hpp"

namespace onair::collab {
namespace {

const std::vector<uint8_t> kUpdateMessage = yjs::SyncMessage::update(yjs::fixtures::kText).encode();

std::string text(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

TEST(Framing, EveryTopicOfADocumentHasTheOwnerOfItsStream) {
  for (size_t shards : {1, 2, 3, 8}) {
    hub::ShardPool pool(shards, net::WsSettings{});
    for (const std::string& name : std::vector<std::string>{"d", "doc-1", "team/notes", "a:b", "abcd:e", "", std::string(300, 'x')}) {
      const size_t owner = pool.ownerOf("yjs:" + name);  // where DocumentService gets stored updates
      for (Framing framing : kFramings) EXPECT_EQ(pool.ownerOf(topicOf(framing, name)), owner) << shards << " " << name;
      EXPECT_EQ(owner, pool.ownerOfName(name)) << shards << " " << name;
    }
  }
}

TEST(Framing, EachFramingHasItsOwnTopic) {
  std::set<std::string> topics;
  for (Framing framing : kFramings) topics.insert(topicOf(framing, "doc"));
  EXPECT_EQ(topics.size(), std::size(kFramings));
  EXPECT_NE(topicOf(Framing::YWebsocket, "doc"), topicOf(Framing::YWebsocket, "doc2"));
}

TEST(Framing, YWebsocketCarriesTheMessageAsIs) {
  EXPECT_EQ(wrapMessage(Framing::YWebsocket, "doc", kUpdateMessage), text(kUpdateMessage));
}

TEST(Framing, HocuspocusPrefixesTheDocumentNameAsAVarString) {
  const std::string wrapped = wrapMessage(Framing::Hocuspocus, "d1", kUpdateMessage);
  EXPECT_EQ(wrapped, "\x02" "d1" + text(kUpdateMessage));
  auto decoded = yjs::HocuspocusMessage::decode({reinterpret_cast<const uint8_t*>(wrapped.data()), wrapped.size()});
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->documentName, "d1");
  EXPECT_EQ(decoded->type, yjs::HocuspocusMessage::Type::Sync);
  EXPECT_EQ(decoded->sync.step, yjs::SyncStep::Update);
  EXPECT_EQ(std::vector<uint8_t>(decoded->sync.bytes.begin(), decoded->sync.bytes.end()), yjs::fixtures::kText);
}

TEST(Framing, HocuspocusWritesLongNamesWithAMultiByteLength) {
  const std::string name(200, 'n');
  const std::string wrapped = wrapMessage(Framing::Hocuspocus, name, kUpdateMessage);
  EXPECT_EQ(wrapped.substr(0, 2), "\xc8\x01");  // 200 as a var uint
  EXPECT_EQ(test::unwrapMessage(Framing::Hocuspocus, name, wrapped), kUpdateMessage);
}

TEST(Framing, OnairIsABinaryFrameForTheDocumentsTarget) {
  EXPECT_EQ(onairTarget("doc"), "yjs:doc");
  const std::string wrapped = wrapMessage(Framing::Onair, "doc", kUpdateMessage);
  std::string error;
  auto frame = api::BinaryFrame::parse(wrapped, error);
  ASSERT_TRUE(frame) << error;
  EXPECT_EQ(frame->target, "yjs:doc");
  EXPECT_EQ(frame->flags, 0);
  EXPECT_EQ(frame->payload, text(kUpdateMessage));
}

TEST(Framing, FrameOfIsOneBinaryWebSocketFrameOfTheWrappedMessage) {
  for (Framing framing : kFramings) {
    const auto frame = frameOf(framing, "doc", kUpdateMessage);
    ASSERT_TRUE(frame);
    const auto decoded = net::test::decodeServerFrames(*frame);
    ASSERT_EQ(decoded.size(), 1u);
    EXPECT_EQ(decoded[0].opcode, net::WsOpcode::Binary);
    EXPECT_EQ(decoded[0].payload, wrapMessage(framing, "doc", kUpdateMessage));
    EXPECT_EQ(test::unwrapMessage(framing, "doc", decoded[0].payload), kUpdateMessage);
  }
}

TEST(Framing, FramesOfABatchAreTheFramesOfEachMessageBackToBack) {
  const std::vector<std::vector<uint8_t>> messages = {kUpdateMessage, yjs::SyncMessage::update(yjs::fixtures::kMap).encode()};
  for (Framing framing : kFramings) {
    const auto batch = framesOf(framing, "doc", messages);
    EXPECT_EQ(*batch, *frameOf(framing, "doc", messages[0]) + *frameOf(framing, "doc", messages[1])) << static_cast<int>(framing);
    const auto decoded = net::test::decodeServerFrames(*batch);
    ASSERT_EQ(decoded.size(), 2u);
    for (size_t i = 0; i < 2; ++i) EXPECT_EQ(test::unwrapMessage(framing, "doc", decoded[i].payload), messages[i]);
  }
}

}  // namespace
}  // namespace onair::collab
