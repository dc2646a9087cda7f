#include "rtc/sctp/DcepMessage.hpp"

#include <gtest/gtest.h>

#include <variant>
#include <vector>

using namespace onair::rtc::sctp;

namespace {

DataChannelParameters parsedOpen(const std::vector<uint8_t>& bytes) {
  auto parsed = DcepMessage::parse(bytes);
  EXPECT_TRUE(std::holds_alternative<DcepOpen>(parsed));
  return std::holds_alternative<DcepOpen>(parsed) ? std::get<DcepOpen>(parsed).channel : DataChannelParameters{};
}

DcepMessage::Error parsedError(const std::vector<uint8_t>& bytes) {
  auto parsed = DcepMessage::parse(bytes);
  EXPECT_TRUE(std::holds_alternative<DcepMessage::Error>(parsed));
  return std::holds_alternative<DcepMessage::Error>(parsed) ? std::get<DcepMessage::Error>(parsed) : DcepMessage::Error::Empty;
}

}  // namespace

TEST(DcepMessage, ReadsAnOpenAsABrowserWritesIt) {
  // Chromium's createDataChannel("chat", {ordered: false, maxRetransmits: 3}) with protocol "p".
  const std::vector<uint8_t> bytes = {0x03, 0x81, 0x01, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x01, 'c', 'h', 'a', 't', 'p'};
  const auto c = parsedOpen(bytes);
  EXPECT_EQ(c.label, "chat");
  EXPECT_EQ(c.protocol, "p");
  EXPECT_FALSE(c.ordered);
  EXPECT_EQ(c.maxRetransmits, 3u);
  EXPECT_FALSE(c.maxPacketLifeTimeMs);
  EXPECT_EQ(c.priority, 256);
}

TEST(DcepMessage, WritesWhatItReads) {
  DataChannelParameters reliable{.label = "data", .protocol = ""};
  DataChannelParameters timed{.label = "", .protocol = "x", .ordered = true, .maxPacketLifeTimeMs = 1500, .priority = 512};
  DataChannelParameters lossy{.label = "l", .protocol = "q", .ordered = false, .maxRetransmits = 0};
  for (const auto& c : {reliable, timed, lossy}) EXPECT_EQ(parsedOpen(DcepMessage::open(c)), c);
}

TEST(DcepMessage, AckIsOneByte) {
  EXPECT_EQ(DcepMessage::ack(), std::vector<uint8_t>{0x02});
  EXPECT_TRUE(std::holds_alternative<DcepAck>(DcepMessage::parse(DcepMessage::ack())));
  EXPECT_EQ(parsedError({0x02, 0x00}), DcepMessage::Error::TrailingBytes);
}

TEST(DcepMessage, RefusesWhatItCannotTrust) {
  EXPECT_EQ(parsedError({}), DcepMessage::Error::Empty);
  EXPECT_EQ(parsedError({0x07}), DcepMessage::Error::UnknownType);
  EXPECT_EQ(parsedError({0x03, 0x00, 0x00}), DcepMessage::Error::Truncated);
  // Label length 5, only 4 bytes follow.
  EXPECT_EQ(parsedError({0x03, 0x00, 0, 0, 0, 0, 0, 0, 0x00, 0x05, 0x00, 0x00, 'a', 'b', 'c', 'd'}), DcepMessage::Error::Truncated);
  EXPECT_EQ(parsedError({0x03, 0x00, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x00, 'a', 'b'}), DcepMessage::Error::TrailingBytes);
  EXPECT_EQ(parsedError({0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), DcepMessage::Error::BadChannelType);
  // A 64 KiB label is refused from its length alone.
  EXPECT_EQ(parsedError({0x03, 0x00, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x00, 0x00}), DcepMessage::Error::NameTooLong);
}
