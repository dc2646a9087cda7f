#include "rtc/rtp/RtpPacket.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "RtpTestData.hpp"

using namespace onair::rtc::rtp;
using namespace onair::rtc::rtp::testdata;
using ParseError = RtpPacket::ParseError;
using Form = RtpPacket::ExtensionForm;

namespace {

ParseError parseError(std::vector<uint8_t> bytes) {
  ParseError error = ParseError::None;
  EXPECT_FALSE(RtpPacket::parse(bytes, error).has_value());
  return error;
}

std::vector<uint8_t> data(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

// RFC 8285 §4.2 one-byte elements: id 1 (1 byte), id 2 (2 bytes), a padding byte, id 3 (4 bytes),
// then a padding byte to the 32-bit boundary.
const std::vector<uint8_t> kOneByteElements = hex("10 aa  21 bb cc  00  33 01 02 03 04  00");
// RFC 8285 §4.3 two-byte elements: id 1 (empty), id 2 (2 bytes), padding, id 200 (3 bytes).
const std::vector<uint8_t> kTwoByteElements = hex("01 00  02 02 bb cc  00  c8 03 0a 0b 0c  00 00");

RtpSpec withOneByteExtensions() {
  RtpSpec s;
  s.hasExtension = true;
  s.extension = kOneByteElements;
  s.payload = {1, 2, 3, 4, 5};
  return s;
}

}  // namespace

TEST(RtpPacket, ReadsTheFixedHeader) {
  // V=2, M=1, PT=111, seq 0x1234, ts 0xdeadbeef, ssrc 0x01020304, a 3-byte payload.
  auto bytes = hex("80 ef 12 34 de ad be ef 01 02 03 04 aa bb cc");
  ParseError error = ParseError::TooShort;
  const auto p = RtpPacket::parse(bytes, error);
  ASSERT_TRUE(p) << RtpPacket::describe(error);
  EXPECT_EQ(error, ParseError::None);
  EXPECT_TRUE(p->marker());
  EXPECT_EQ(p->payloadType(), 111);
  EXPECT_EQ(p->sequenceNumber(), 0x1234);
  EXPECT_EQ(p->timestamp(), 0xdeadbeefu);
  EXPECT_EQ(p->ssrc(), 0x01020304u);
  EXPECT_EQ(p->csrcCount(), 0u);
  EXPECT_EQ(p->headerBytes(), 12u);
  EXPECT_EQ(p->extensionForm(), Form::None);
  EXPECT_EQ(data(p->payload()), hex("aa bb cc"));
}

TEST(RtpPacket, ReadsCsrcsAndSkipsPadding) {
  RtpSpec s;
  s.csrcs = {0x11111111, 0x22222222};
  s.payload = {9, 8, 7};
  s.padding = 4;
  auto bytes = rtpBytes(s);
  const auto p = RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->csrcCount(), 2u);
  EXPECT_EQ(p->csrc(0), 0x11111111u);
  EXPECT_EQ(p->csrc(1), 0x22222222u);
  EXPECT_EQ(p->headerBytes(), 20u);
  EXPECT_EQ(p->paddingBytes(), 4u);
  EXPECT_EQ(data(p->payload()), (std::vector<uint8_t>{9, 8, 7}));
}

TEST(RtpPacket, PaddingMayTakeTheWholePayload) {
  RtpSpec s;
  s.padding = 16;  // a padding-only packet, as a bandwidth probe sends
  auto bytes = rtpBytes(s);
  const auto p = RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->payload().empty());
}

TEST(RtpPacket, FindsOneByteExtensions) {
  auto bytes = rtpBytes(withOneByteExtensions());
  const auto p = RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->extensionForm(), Form::OneByte);
  EXPECT_EQ(p->extensionProfile(), 0xBEDE);
  EXPECT_EQ(p->headerBytes(), 12u + 4 + 12);
  ASSERT_TRUE(p->extension(1));
  EXPECT_EQ(data(*p->extension(1)), hex("aa"));
  EXPECT_EQ(data(*p->extension(2)), hex("bb cc"));
  EXPECT_EQ(data(*p->extension(3)), hex("01 02 03 04"));
  EXPECT_FALSE(p->extension(4));
  EXPECT_FALSE(p->extension(0));
  EXPECT_EQ(data(p->payload()), (std::vector<uint8_t>{1, 2, 3, 4, 5}));
}

TEST(RtpPacket, OneByteIdFifteenEndsTheList) {
  RtpSpec s;
  s.hasExtension = true;
  s.extension = hex("10 aa f0 21 bb cc 00 00");  // id 15 before id 2: id 2 is not seen
  auto bytes = rtpBytes(s);
  const auto p = RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->extension(1));
  EXPECT_FALSE(p->extension(2));
}

TEST(RtpPacket, FindsTwoByteExtensions) {
  RtpSpec s;
  s.hasExtension = true;
  s.profile = 0x1003;  // the low 4 bits are application bits
  s.extension = kTwoByteElements;
  auto bytes = rtpBytes(s);
  const auto p = RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->extensionForm(), Form::TwoByte);
  ASSERT_TRUE(p->extension(1));
  EXPECT_TRUE(p->extension(1)->empty());
  EXPECT_EQ(data(*p->extension(2)), hex("bb cc"));
  EXPECT_EQ(data(*p->extension(200)), hex("0a 0b 0c"));
}

TEST(RtpPacket, CarriesAnotherProfilesExtensionAsOpaque) {
  RtpSpec s;
  s.hasExtension = true;
  s.profile = 0xABCD;
  s.extension = hex("10 aa 00 00");
  s.payload = {7};
  auto bytes = rtpBytes(s);
  const auto p = RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->extensionForm(), Form::Other);
  EXPECT_FALSE(p->extension(1));
  EXPECT_EQ(data(p->payload()), (std::vector<uint8_t>{7}));
}

TEST(RtpPacket, RefusesBadInputWithAReason) {
  EXPECT_EQ(parseError({}), ParseError::TooShort);
  EXPECT_EQ(parseError(hex("80 60 00 01 00 00 00 00 00 00 00")), ParseError::TooShort);
  EXPECT_EQ(parseError(std::vector<uint8_t>(RtpPacket::kMaxBytes + 1, 0x80)), ParseError::TooLong);
  EXPECT_EQ(parseError(hex("40 60 00 01 00 00 00 00 00 00 00 01")), ParseError::BadVersion);
  EXPECT_EQ(parseError(hex("82 60 00 01 00 00 00 00 00 00 00 01 00 00 00 05")), ParseError::TruncatedCsrc);
  // X set: no room for the extension header, then a length of 2 words with 1 present.
  EXPECT_EQ(parseError(hex("90 60 00 01 00 00 00 00 00 00 00 01 be de")), ParseError::TruncatedExtension);
  EXPECT_EQ(parseError(hex("90 60 00 01 00 00 00 00 00 00 00 01 be de 00 02 10 aa 00 00")),
            ParseError::TruncatedExtension);
  // A one-byte element of 4 bytes in a 4-byte block; a two-byte element header cut in half.
  EXPECT_EQ(parseError(hex("90 60 00 01 00 00 00 00 00 00 00 01 be de 00 01 13 aa bb cc")), ParseError::BadExtension);
  EXPECT_EQ(parseError(hex("90 60 00 01 00 00 00 00 00 00 00 01 10 00 00 01 00 00 00 05")), ParseError::BadExtension);
  // P set: a count of 0, a count larger than the payload.
  EXPECT_EQ(parseError(hex("a0 60 00 01 00 00 00 00 00 00 00 01 aa 00")), ParseError::BadPadding);
  EXPECT_EQ(parseError(hex("a0 60 00 01 00 00 00 00 00 00 00 01 aa 03")), ParseError::BadPadding);
  for (auto e : {ParseError::None, ParseError::TooShort, ParseError::TooLong, ParseError::BadVersion,
                 ParseError::TruncatedCsrc, ParseError::TruncatedExtension, ParseError::BadExtension,
                 ParseError::BadPadding}) {
    EXPECT_NE(RtpPacket::describe(e), "unknown");
  }
}

TEST(RtpPacket, AcceptsExactlyTheSizeLimit) {
  RtpSpec s;
  s.payload.assign(RtpPacket::kMaxBytes - RtpPacket::kHeaderBytes, 0x42);
  auto bytes = rtpBytes(s);
  EXPECT_TRUE(RtpPacket::parse(bytes));
}

TEST(RtpPacket, RewritesHeaderFieldsInPlaceWithoutTouchingThePayload) {
  auto bytes = rtpBytes(withOneByteExtensions());
  auto p = RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  const uint8_t* payloadBefore = p->payload().data();
  p->setSsrc(0x0BADF00D);
  p->setSequenceNumber(0xFFFF);
  p->setTimestamp(42);
  p->setPayloadType(100);
  p->setMarker(true);

  EXPECT_EQ(p->payload().data(), payloadBefore);
  const auto again = RtpPacket::parse(bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ssrc(), 0x0BADF00Du);
  EXPECT_EQ(again->sequenceNumber(), 0xFFFF);
  EXPECT_EQ(again->timestamp(), 42u);
  EXPECT_EQ(again->payloadType(), 100);
  EXPECT_TRUE(again->marker());
  EXPECT_EQ(again->extensionForm(), Form::OneByte);
  EXPECT_EQ(data(again->payload()), (std::vector<uint8_t>{1, 2, 3, 4, 5}));
  p->setPayloadType(0xFF);  // only 7 bits: the marker stays
  EXPECT_EQ(p->payloadType(), 0x7F);
  EXPECT_TRUE(p->marker());
}

TEST(RtpPacket, RemapsOneByteExtensionIdsAndDropsUnmappedOnes) {
  auto bytes = rtpBytes(withOneByteExtensions());
  auto p = RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  ExtensionIdMap map;
  map.set(1, 5);
  map.set(3, 3);  // id 2 has no mapping: dropped
  ASSERT_TRUE(p->remapExtensionIds(map));

  const auto again = RtpPacket::parse(bytes);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->extension(1));
  EXPECT_FALSE(again->extension(2));
  ASSERT_TRUE(again->extension(5));
  EXPECT_EQ(data(*again->extension(5)), hex("aa"));
  EXPECT_EQ(data(*again->extension(3)), hex("01 02 03 04"));
  EXPECT_EQ(data(again->payload()), (std::vector<uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(bytes.size(), rtpBytes(withOneByteExtensions()).size());
}

TEST(RtpPacket, RefusesAOneByteRemapPastFourteenAndChangesNothing) {
  auto bytes = rtpBytes(withOneByteExtensions());
  const auto before = bytes;
  auto p = RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  ExtensionIdMap map;
  map.set(1, 2);
  map.set(2, 15);
  EXPECT_FALSE(p->remapExtensionIds(map));
  EXPECT_EQ(bytes, before);
}

TEST(RtpPacket, RemapsTwoByteExtensionIdsPastFourteen) {
  RtpSpec s;
  s.hasExtension = true;
  s.profile = 0x1000;
  s.extension = kTwoByteElements;
  auto bytes = rtpBytes(s);
  auto p = RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  ExtensionIdMap map;
  map.set(2, 77);
  map.set(200, 1);
  ASSERT_TRUE(p->remapExtensionIds(map));
  EXPECT_FALSE(p->extension(2));
  EXPECT_FALSE(p->extension(200));
  EXPECT_EQ(data(*p->extension(77)), hex("bb cc"));
  EXPECT_EQ(data(*p->extension(1)), hex("0a 0b 0c"));  // the old id 1 was dropped, so this is 200's
}
