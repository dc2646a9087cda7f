#include "net/WsCodec.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace onair::net;

namespace {

// Builds a masked client frame, as a browser would send it.
std::vector<uint8_t> clientFrame(uint8_t opcode, std::string_view payload, bool fin = true, uint8_t rsv = 0,
                                 bool masked = true) {
  std::vector<uint8_t> f;
  f.push_back(static_cast<uint8_t>((fin ? 0x80 : 0) | rsv | opcode));
  const uint8_t maskBit = masked ? 0x80 : 0;
  size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<uint8_t>(maskBit | n));
  } else if (n <= 0xFFFF) {
    f.push_back(maskBit | 126);
    f.push_back(static_cast<uint8_t>(n >> 8));
    f.push_back(static_cast<uint8_t>(n));
  } else {
    f.push_back(maskBit | 127);
    for (int s = 56; s >= 0; s -= 8) f.push_back(static_cast<uint8_t>(uint64_t(n) >> s));
  }
  const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  if (masked) f.insert(f.end(), key, key + 4);
  for (size_t i = 0; i < n; ++i) f.push_back(static_cast<uint8_t>(payload[i]) ^ (masked ? key[i % 4] : 0));
  return f;
}

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

WsCodec codec(size_t maxFrame = 1 << 20, size_t maxMessage = 1 << 20) { return WsCodec(WsLimits{maxFrame, maxMessage}); }

WsEvent decodeAll(WsCodec& c, std::vector<uint8_t>& bytes) { return c.decode(std::span<uint8_t>(bytes)); }

}  // namespace

TEST(WsCodec, DecodesMaskedTextMessage) {
  auto c = codec();
  auto f = clientFrame(1, "hello");
  auto e = decodeAll(c, f);
  ASSERT_EQ(e.kind, WsEvent::Kind::Message);
  EXPECT_EQ(e.opcode, WsOpcode::Text);
  EXPECT_EQ(e.payload, "hello");
  EXPECT_EQ(e.consumed, f.size());
}

TEST(WsCodec, AsksForMoreOnPartialHeaderAndPayload) {
  auto c = codec();
  auto f = clientFrame(2, std::string(300, 'x'));
  for (size_t cut : {size_t(1), size_t(3), size_t(7), f.size() - 1}) {
    auto c2 = codec();
    std::vector<uint8_t> part(f.begin(), f.begin() + cut);
    auto e = decodeAll(c2, part);
    EXPECT_EQ(e.kind, WsEvent::Kind::NeedMore) << "cut at " << cut;
    EXPECT_EQ(e.consumed, 0u);
  }
}

TEST(WsCodec, Handles16And64BitLengths) {
  for (size_t n : {size_t(125), size_t(126), size_t(65535), size_t(65536), size_t(200000)}) {
    auto c = codec();
    auto f = clientFrame(2, std::string(n, 'a'));
    auto e = decodeAll(c, f);
    ASSERT_EQ(e.kind, WsEvent::Kind::Message) << n;
    EXPECT_EQ(e.payload.size(), n);
  }
}

TEST(WsCodec, RejectsUnmaskedClientFrameWith1002) {
  auto c = codec();
  auto f = clientFrame(1, "hi", true, 0, false);
  auto e = decodeAll(c, f);
  ASSERT_EQ(e.kind, WsEvent::Kind::Error);
  EXPECT_EQ(e.closeCode, 1002);
}

TEST(WsCodec, RejectsReservedOpcodeAndRsvBitsWith1002) {
  for (uint8_t op : {3, 7, 11, 15}) {
    auto c = codec();
    auto f = clientFrame(op, "x");
    EXPECT_EQ(decodeAll(c, f).closeCode, 1002) << int(op);
  }
  auto c = codec();
  auto f = clientFrame(1, "x", true, 0x40);
  EXPECT_EQ(decodeAll(c, f).closeCode, 1002);
}

TEST(WsCodec, RejectsInvalidUtf8With1007) {
  for (std::string bad : {std::string("\xff"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"), std::string("a\xf4\x90\x80\x80")}) {
    auto c = codec();
    auto f = clientFrame(1, bad);
    auto e = decodeAll(c, f);
    ASSERT_EQ(e.kind, WsEvent::Kind::Error);
    EXPECT_EQ(e.closeCode, 1007);
  }
}

TEST(WsCodec, BinaryMessagesAreNotUtf8Checked) {
  auto c = codec();
  auto f = clientFrame(2, "\xff\xfe");
  EXPECT_EQ(decodeAll(c, f).kind, WsEvent::Kind::Message);
}

TEST(WsCodec, RejectsOversizeFrameFromHeaderWith1009) {
  auto c = codec(1024, 4096);
  auto f = clientFrame(2, std::string(2000, 'a'));
  std::vector<uint8_t> headerOnly(f.begin(), f.begin() + 8);  // the body never needs to arrive
  auto e = decodeAll(c, headerOnly);
  ASSERT_EQ(e.kind, WsEvent::Kind::Error);
  EXPECT_EQ(e.closeCode, 1009);
}

TEST(WsCodec, RejectsOversizeFragmentedMessageWith1009) {
  auto c = codec(1024, 1500);
  auto bytes = concat({clientFrame(2, std::string(1000, 'a'), false), clientFrame(0, std::string(1000, 'b'), true)});
  auto e = decodeAll(c, bytes);
  ASSERT_EQ(e.kind, WsEvent::Kind::Error);
  EXPECT_EQ(e.closeCode, 1009);
}

TEST(WsCodec, ReassemblesFragmentsWithInterleavedControlFrames) {
  auto c = codec();
  auto bytes = concat({clientFrame(1, "hel", false), clientFrame(9, "p1"), clientFrame(0, "lo ", false),
                       clientFrame(10, ""), clientFrame(0, "world", true)});
  std::span<uint8_t> in(bytes);
  auto ping = c.decode(in);
  ASSERT_EQ(ping.kind, WsEvent::Kind::Ping);
  EXPECT_EQ(ping.payload, "p1");
  in = in.subspan(ping.consumed);
  auto pong = c.decode(in);
  ASSERT_EQ(pong.kind, WsEvent::Kind::Pong);
  in = in.subspan(pong.consumed);
  auto msg = c.decode(in);
  ASSERT_EQ(msg.kind, WsEvent::Kind::Message);
  EXPECT_EQ(msg.opcode, WsOpcode::Text);
  EXPECT_EQ(msg.payload, "hello world");
  EXPECT_EQ(msg.consumed, in.size());
}

TEST(WsCodec, Utf8SplitAcrossFragmentsIsAccepted) {
  auto c = codec();
  std::string euro = "\xe2\x82\xac";
  auto bytes = concat({clientFrame(1, euro.substr(0, 1), false), clientFrame(0, euro.substr(1), true)});
  auto e = decodeAll(c, bytes);
  ASSERT_EQ(e.kind, WsEvent::Kind::Message);
  EXPECT_EQ(e.payload, euro);
}

TEST(WsCodec, IncompleteUtf8AtEndOfFragmentedMessageIs1007) {
  auto c = codec();
  auto bytes = concat({clientFrame(1, "a", false), clientFrame(0, "\xe2\x82", true)});
  EXPECT_EQ(decodeAll(c, bytes).closeCode, 1007);
}

TEST(WsCodec, RejectsBadFragmentationWith1002) {
  {
    auto c = codec();
    auto f = clientFrame(0, "orphan continuation");
    EXPECT_EQ(decodeAll(c, f).closeCode, 1002);
  }
  {
    auto c = codec();
    auto bytes = concat({clientFrame(1, "a", false), clientFrame(1, "b", true)});
    EXPECT_EQ(decodeAll(c, bytes).closeCode, 1002);
  }
}

TEST(WsCodec, RejectsFragmentedOrLargeControlFramesWith1002) {
  {
    auto c = codec();
    auto f = clientFrame(9, "x", false);
    EXPECT_EQ(decodeAll(c, f).closeCode, 1002);
  }
  {
    auto c = codec();
    auto f = clientFrame(9, std::string(126, 'p'));
    EXPECT_EQ(decodeAll(c, f).closeCode, 1002);
  }
}

TEST(WsCodec, ParsesCloseFrames) {
  {
    auto c = codec();
    auto f = clientFrame(8, "");
    auto e = decodeAll(c, f);
    ASSERT_EQ(e.kind, WsEvent::Kind::Close);
    EXPECT_EQ(e.closeCode, 1005);
  }
  {
    auto c = codec();
    auto f = clientFrame(8, std::string("\x03\xe8", 2) + "bye");
    auto e = decodeAll(c, f);
    ASSERT_EQ(e.kind, WsEvent::Kind::Close);
    EXPECT_EQ(e.closeCode, 1000);
    EXPECT_EQ(e.payload, "bye");
  }
  {
    auto c = codec();
    auto f = clientFrame(8, "x");  // a one-byte close payload is malformed
    EXPECT_EQ(decodeAll(c, f).closeCode, 1002);
  }
  {
    auto c = codec();
    auto f = clientFrame(8, std::string("\x03\xed", 2));  // 1005 must not appear on the wire
    EXPECT_EQ(decodeAll(c, f).closeCode, 1002);
  }
  {
    auto c = codec();
    auto f = clientFrame(8, std::string("\x03\xe8\xff", 3));
    EXPECT_EQ(decodeAll(c, f).closeCode, 1007);
  }
}

TEST(WsCodec, ErrorIsSticky) {
  auto c = codec();
  auto bad = clientFrame(1, "x", true, 0, false);
  EXPECT_EQ(decodeAll(c, bad).closeCode, 1002);
  auto good = clientFrame(1, "fine");
  auto e = decodeAll(c, good);
  EXPECT_EQ(e.kind, WsEvent::Kind::Error);
  EXPECT_EQ(e.closeCode, 1002);
}

TEST(WsCodec, RejectsLengthWithHighBitSet) {
  auto c = codec();
  std::vector<uint8_t> f = {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
  EXPECT_EQ(decodeAll(c, f).closeCode, 1002);
}

TEST(WsCodec, EncodesServerFramesWithEachLengthForm) {
  EXPECT_EQ(WsCodec::encodeFrame(WsOpcode::Text, "hi"), std::string("\x81\x02hi", 4));
  auto mid = WsCodec::encodeFrame(WsOpcode::Binary, std::string(300, 'a'));
  EXPECT_EQ(uint8_t(mid[1]), 126);
  EXPECT_EQ((uint8_t(mid[2]) << 8) | uint8_t(mid[3]), 300);
  EXPECT_EQ(mid.size(), 304u);
  auto big = WsCodec::encodeFrame(WsOpcode::Binary, std::string(70000, 'a'));
  EXPECT_EQ(uint8_t(big[1]), 127);
  EXPECT_EQ(big.size(), 70010u);
  auto close = WsCodec::encodeClose(4008, "slow consumer");
  EXPECT_EQ(uint8_t(close[0]), 0x88);
  EXPECT_EQ((uint8_t(close[2]) << 8) | uint8_t(close[3]), 4008);
}
