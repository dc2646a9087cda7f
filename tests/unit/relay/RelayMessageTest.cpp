#include "relay/RelayMessage.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace onair::relay {
namespace {

using Kind = RelayMessage::Kind;
using namespace std::string_literals;

RelayMessage message(Kind kind, std::string body = {}, uint16_t code = 0) {
  return RelayMessage{kind, "node-a", "sess-1", code, std::move(body)};
}

// The decoded message; fails the test (and returns an empty one) when `bytes` is refused.
RelayMessage decoded(std::string_view bytes) {
  std::string why;
  auto m = RelayMessage::decode(bytes, why);
  EXPECT_TRUE(m.has_value()) << why;
  return m.value_or(RelayMessage{});
}

// Why `bytes` is refused; fails the test when it decodes.
std::string refusal(std::string_view bytes) {
  std::string why;
  EXPECT_FALSE(RelayMessage::decode(bytes, why).has_value());
  EXPECT_FALSE(why.empty());
  return why;
}

void expectSame(const RelayMessage& a, const RelayMessage& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.fromNode, b.fromNode);
  EXPECT_EQ(a.sessionId, b.sessionId);
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.body, b.body);
}

TEST(RelayMessage, EveryKindRoundTrips) {
  const std::vector<RelayMessage> all = {
      message(Kind::Open, "eyJhbGciOi.token.sig"),
      message(Kind::Request, R"({"id":"1","op":"stage.join","args":{"stageId":"st_x"}})"),
      message(Kind::Refresh, "new.token.sig"),
      message(Kind::Close, "", 1000),
      message(Kind::Frames, "\x81\x05hello"s),
      message(Kind::Closed, "token expired", 4011),
      message(Kind::HttpRequest, "\0\0\0\x03GET"s),
      message(Kind::HttpResponse, "\0\0\0\x03200"s),
      message(Kind::Alive, "s_1\ns_2\n"),
      message(Kind::SharedFrames, "s_1\ns_2\n\0\x81\x02hi"s),
      message(Kind::Vouch, "sr_room\nproducer"),
  };
  for (const auto& m : all) {
    SCOPED_TRACE(static_cast<char>(m.kind));
    const std::string bytes = m.encode();
    expectSame(decoded(bytes), m);
    EXPECT_EQ(decoded(bytes).encode(), bytes);
  }
}

TEST(RelayMessage, EncodingFollowsTheLayout) {
  const std::string bytes = RelayMessage{Kind::Closed, "n1", "s2", 0x0fa3, "why"}.encode();
  EXPECT_EQ(bytes, "RXn1\0s2\0\x0f\xa3why"s);
}

TEST(RelayMessage, TheCodeIsTwoBigEndianBytes) {
  for (uint16_t code : {uint16_t(0), uint16_t(1), uint16_t(0xff), uint16_t(0x100), uint16_t(1012), uint16_t(0x8000), uint16_t(0xffff)}) {
    SCOPED_TRACE(code);
    const std::string bytes = message(Kind::Close, "", code).encode();
    const std::string header = "RCnode-a\0sess-1\0"s;
    ASSERT_EQ(bytes.size(), header.size() + 2);
    EXPECT_EQ(static_cast<uint8_t>(bytes[header.size()]), code >> 8);
    EXPECT_EQ(static_cast<uint8_t>(bytes[header.size() + 1]), code & 0xff);
    EXPECT_EQ(decoded(bytes).code, code);
  }
}

TEST(RelayMessage, CodeBytesThatLookLikeTerminatorsOrHighBytesDecode) {
  // A zero high byte right after the session id's terminator, a 0xff low byte.
  EXPECT_EQ(decoded("RFn\0s\0\x00\xff"s).code, 0x00ff);
  EXPECT_EQ(decoded("RFn\0s\0\xff\x00"s).code, 0xff00);
}

TEST(RelayMessage, BodiesKeepTheirNulBytes) {
  const std::string body = "\0\0frames\0with\0nuls\0"s;
  const auto m = decoded(message(Kind::Frames, body).encode());
  EXPECT_EQ(m.body, body);
  EXPECT_EQ(m.body.size(), body.size());
  EXPECT_EQ(m.sessionId, "sess-1");
}

TEST(RelayMessage, AnEmptyBodyDecodesAsEmpty) {
  const auto m = decoded("RQn\0s\0\0\0"s);
  EXPECT_EQ(m.kind, Kind::Request);
  EXPECT_EQ(m.body, "");
  EXPECT_EQ(m.code, 0);
}

TEST(RelayMessage, RefusesBadMagic) {
  refusal("");
  refusal("R");
  refusal("XQn\0s\0\0\0"s);
  refusal("rQn\0s\0\0\0"s);
}

TEST(RelayMessage, RefusesUnknownKinds) {
  for (char kind : {'a', 'o', 'q', 'R', '\0', 'Z'}) {
    SCOPED_TRACE(kind);
    std::string bytes = "R?n\0s\0\0\0"s;
    bytes[1] = kind;
    refusal(bytes);
  }
}

TEST(RelayMessage, RefusesMissingOrEmptyIds) {
  refusal("RQ");                // no node id at all
  refusal("RQnode");            // node id without its terminator
  refusal("RQn\0"s);            // no session id
  refusal("RQn\0sess"s);        // session id without its terminator
  refusal("RQ\0s\0\0\0"s);      // empty node id
  refusal("RQn\0\0\0\0"s);      // empty session id
}

TEST(RelayMessage, IdsUpToTheLimitDecodeAndLongerOnesAreRefused) {
  const std::string longest(RelayMessage::kMaxIdBytes, 'n');
  const std::string tooLong(RelayMessage::kMaxIdBytes + 1, 'n');
  const auto m = decoded(RelayMessage{Kind::Request, longest, longest, 0, "x"}.encode());
  EXPECT_EQ(m.fromNode, longest);
  EXPECT_EQ(m.sessionId, longest);
  refusal(RelayMessage{Kind::Request, tooLong, "s", 0, "x"}.encode());
  refusal(RelayMessage{Kind::Request, "n", tooLong, 0, "x"}.encode());
}

TEST(RelayMessage, RefusesMessagesEndingBeforeTheirCode) {
  refusal("RQn\0s\0"s);
  refusal("RQn\0s\0\x03"s);
}

TEST(RelayMessage, TheLargestBodyDecodesAndOneByteMoreIsRefused) {
  const std::string head = "RFn\0s\0\0\0"s;
  std::string bytes = head + std::string(RelayMessage::kMaxBodyBytes, 'b');
  EXPECT_EQ(decoded(bytes).body.size(), RelayMessage::kMaxBodyBytes);
  bytes += 'b';
  refusal(bytes);
}

}  // namespace
}  // namespace onair::relay
