#include "engine/redis/BrokerEnvelope.hpp"

#include <gtest/gtest.h>

using namespace onair::engine::redis;
using onair::engine::StreamMessage;

namespace {

BrokerEnvelope decoded(std::string_view bytes) {
  auto result = BrokerEnvelope::decode(bytes);
  if (auto* error = std::get_if<std::string>(&result)) ADD_FAILURE() << "refused: " << *error;
  return std::holds_alternative<BrokerEnvelope>(result) ? std::get<BrokerEnvelope>(result) : BrokerEnvelope{};
}

std::string refused(std::string_view bytes) {
  auto result = BrokerEnvelope::decode(bytes);
  if (std::holds_alternative<BrokerEnvelope>(result)) {
    ADD_FAILURE() << "accepted: " << bytes;
    return {};
  }
  return std::get<std::string>(result);
}

StreamMessage message() { return StreamMessage{42, 1764936000123, "user:1", "chat", R"({"text":"h\u00e9"})"}; }

}  // namespace

TEST(BrokerEnvelope, FrameRoundTripsBinaryBytes) {
  const std::string payload("a\0b\xff\r\n:5:", 9);
  const auto bytes = BrokerEnvelope::encodeFrame(payload);
  EXPECT_EQ(bytes, "F" + payload);
  const auto envelope = decoded(bytes);
  EXPECT_EQ(envelope.kind, BrokerEnvelope::Kind::Frame);
  EXPECT_EQ(envelope.frame, payload);
  EXPECT_EQ(envelope.encode(), bytes);
  EXPECT_EQ(decoded("F").frame, "");
}

TEST(BrokerEnvelope, StoredMessageHasTheDocumentedLayoutAndRoundTrips) {
  const auto bytes = BrokerEnvelope::encodeStored(StreamMessage{7, 1764936000000, "u-1", "chat", R"({"n":1})"}, "abcdef");
  EXPECT_EQ(bytes, R"(S1:76:abcdef13:17649360000003:u-14:chat7:{"n":1})");
  const auto original = message();
  const auto envelope = decoded(BrokerEnvelope::encodeStored(original, "ep0ch"));
  EXPECT_EQ(envelope.kind, BrokerEnvelope::Kind::Stored);
  EXPECT_EQ(envelope.epoch, "ep0ch");
  EXPECT_EQ(envelope.message.offset, original.offset);
  EXPECT_EQ(envelope.message.timestampMs, original.timestampMs);
  EXPECT_EQ(envelope.message.publisher, original.publisher);
  EXPECT_EQ(envelope.message.type, original.type);
  EXPECT_EQ(envelope.message.dataJson, original.dataJson);
  EXPECT_EQ(envelope.encode(), BrokerEnvelope::encodeStored(original, "ep0ch"));
  EXPECT_EQ(decoded("S1:71:e1:01:u1:t1:d").message.offset, 7u);
}

TEST(BrokerEnvelope, StoredFieldsMayBeEmptyOrHoldSeparators) {
  const auto envelope = decoded(BrokerEnvelope::encodeStored(StreamMessage{1, 0, "", "a:b", std::string("1:x\0", 4)}, "e"));
  EXPECT_EQ(envelope.message.publisher, "");
  EXPECT_EQ(envelope.message.type, "a:b");
  EXPECT_EQ(envelope.message.dataJson, std::string("1:x\0", 4));
}

TEST(BrokerEnvelope, RefusesMalformedInput) {
  EXPECT_NE(refused("").find("empty"), std::string::npos);
  EXPECT_NE(refused("X123").find("kind"), std::string::npos);
  EXPECT_NE(refused("S").find("field"), std::string::npos);
  EXPECT_NE(refused("S1:7").find("field"), std::string::npos);                        // length past the end
  EXPECT_NE(refused("S1:71:e1:01:u1:t").find("field"), std::string::npos);             // missing field
  EXPECT_NE(refused("S1:71:e1:01:u1:t1:dX").find("trailing"), std::string::npos);
  EXPECT_NE(refused("S1:01:e1:01:u1:t1:d").find("offset"), std::string::npos);         // offset 0
  EXPECT_NE(refused("S2:071:e1:01:u1:t1:d").find("offset"), std::string::npos);        // leading zero
  EXPECT_NE(refused("S1:x1:e1:01:u1:t1:d").find("offset"), std::string::npos);
  EXPECT_NE(refused("S21:" + std::string(21, '9') + "1:e1:01:u1:t1:d").find("offset"), std::string::npos);  // > uint64
  EXPECT_NE(refused("S1:70:1:01:u1:t1:d").find("epoch"), std::string::npos);
  EXPECT_NE(refused("S1:71:e2:-11:u1:t1:d").find("timestamp"), std::string::npos);
  EXPECT_NE(refused("S01:71:e1:01:u1:t1:d").find("field"), std::string::npos);         // length with a leading zero
  EXPECT_NE(refused("S99999999999:7").find("field"), std::string::npos);               // length too long
  EXPECT_NE(refused("S-1:7").find("field"), std::string::npos);
  EXPECT_NE(refused(std::string(BrokerEnvelope::kMaxBytes + 1, 'F')).find("limit"), std::string::npos);
}
