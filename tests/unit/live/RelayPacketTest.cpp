#include "live/RelayPacket.hpp"

#include <gtest/gtest.h>

#include "api/BinaryFrame.hpp"
#include "net/WsCodec.hpp"

namespace onair::live {
namespace {

std::string chunk(uint8_t flags, size_t payloadSize) {
  return net::WsCodec::encodeFrame(net::WsOpcode::Binary, api::BinaryFrame::encode(flags, "content:x", std::string(payloadSize, 'p')));
}

TEST(RelayPacket, ChunkFlagsAreReadBehindEveryWebSocketLengthForm) {
  for (size_t size : {size_t{10}, size_t{300}, size_t{70000}}) {
    EXPECT_EQ(RelayPacket::chunkFlags(chunk(api::BinaryFrame::kKey, size)), api::BinaryFrame::kKey) << size;
    EXPECT_EQ(RelayPacket::chunkFlags(chunk(api::BinaryFrame::kInit, size)), api::BinaryFrame::kInit) << size;
  }
}

TEST(RelayPacket, TextFramesMaskedFramesAndShortBytesAreNoChunks) {
  EXPECT_FALSE(RelayPacket::chunkFlags(net::WsCodec::encodeFrame(net::WsOpcode::Text, "{}")));
  std::string masked = chunk(0, 10);
  masked[1] = static_cast<char>(masked[1] | 0x80);
  EXPECT_FALSE(RelayPacket::chunkFlags(masked));
  EXPECT_FALSE(RelayPacket::chunkFlags(std::string("\x82\x7e\x01", 3)));
  EXPECT_FALSE(RelayPacket::chunkFlags(""));
}

TEST(RelayPacket, ACatchUpCarriesItsNodeAndFramesInOrder) {
  const std::string init = chunk(api::BinaryFrame::kInit, 5), key = chunk(api::BinaryFrame::kKey, 400), delta = chunk(0, 0);
  const std::string bytes = RelayPacket::encodeCatchUp("node-a", {init, key, delta});
  ASSERT_TRUE(RelayPacket::isCatchUp(bytes));
  EXPECT_FALSE(RelayPacket::isCatchUp(init));
  auto parsed = RelayPacket::parseCatchUp(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->node, "node-a");
  ASSERT_EQ(parsed->frames.size(), 3u);
  EXPECT_EQ(parsed->frames[0], init);
  EXPECT_EQ(parsed->frames[1], key);
  EXPECT_EQ(parsed->frames[2], delta);
  auto empty = RelayPacket::parseCatchUp(RelayPacket::encodeCatchUp("b", {}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->frames.empty());
}

TEST(RelayPacket, TruncatedOrForeignCatchUpsAreRefused) {
  const std::string bytes = RelayPacket::encodeCatchUp("node-a", {chunk(0, 20)});
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto parsed = RelayPacket::parseCatchUp(bytes.substr(0, cut));
    EXPECT_TRUE(!parsed || parsed->frames.empty()) << cut;  // only the bare header parses, with no frame
  }
  EXPECT_FALSE(RelayPacket::parseCatchUp(RelayPacket::encodeCatchUp("n", {std::string("not a frame")})));
}

}  // namespace
}  // namespace onair::live
