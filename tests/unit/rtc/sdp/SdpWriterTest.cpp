// SdpWriter: CRLF lines, deterministic, and what it writes parses back to the model it came from.
#include "rtc/sdp/SdpWriter.hpp"

#include <gtest/gtest.h>

#include "SdpFixtures.hpp"
#include "rtc/sdp/SdpParser.hpp"

using namespace onair::rtc::sdp;
using onair::rtc::sdp::testing::readFixture;

namespace {

SessionDescription parsed(const std::string& text) {
  SdpError error;
  auto description = SdpParser::parse(text, error);
  EXPECT_TRUE(description) << error.message();
  return description ? std::move(*description) : SessionDescription{};
}

}  // namespace

class SdpRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(SdpRoundTrip, ParseWriteParseIsEqual) {
  const auto first = parsed(readFixture(GetParam()));
  const std::string written = SdpWriter::write(first);
  const auto second = parsed(written);
  EXPECT_EQ(first, second);
  // Deterministic, and a fixed point after one pass.
  EXPECT_EQ(SdpWriter::write(second), written);
}

TEST_P(SdpRoundTrip, WritesCrlfLineEndsOnly) {
  const std::string written = SdpWriter::write(parsed(readFixture(GetParam())));
  ASSERT_GE(written.size(), 2u);
  EXPECT_EQ(written.substr(0, 5), "v=0\r\n");
  EXPECT_EQ(written.substr(written.size() - 2), "\r\n");
  for (size_t i = 0; i < written.size(); ++i) {
    if (written[i] == '\n') { EXPECT_EQ(written[i - 1], '\r') << "at byte " << i; }
    if (written[i] == '\r') { EXPECT_EQ(written[i + 1], '\n') << "at byte " << i; }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SdpRoundTrip,
                         ::testing::Values("chromium_unified_plan.sdp", "firefox.sdp", "aiortc_1_4.sdp"));

TEST(SdpWriter, WritesChromiumLinesAsTheyCame) {
  const std::string text = readFixture("chromium_unified_plan.sdp");
  const std::string written = SdpWriter::write(parsed(text));
  // Lines whose form the writer keeps exactly (the writer only reorders attributes).
  for (const char* line : {
           "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n",
           "a=group:BUNDLE 0 1 2\r\n",
           "a=msid-semantic: WMS 6d0d8a6e-4c2f-4a73-9e8f-0c3f5b1d2e7a\r\n",
           "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 100 "
           "101 112 113 116 117 118\r\n",
           "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n",
           "a=candidate:3011294367 1 udp 2122260223 192.168.1.23 54321 typ host generation 0 network-id 1 "
           "network-cost 10\r\n",
           "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n",
           "a=sctp-port:5000\r\na=max-message-size:262144\r\n",
       }) {
    EXPECT_NE(written.find(line), std::string::npos) << line;
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
}

TEST(SdpWriter, WritesAModelBuiltInCode) {
  SessionDescription d;
  d.origin.sessionId = "42";
  d.iceLite = true;
  MediaSection m;
  m.kind = "audio";
  m.proto = "UDP/TLS/RTP/SAVPF";
  m.formats = {"111"};
  m.mid = "a";
  m.direction = Direction::RecvOnly;
  m.rtpFormats = {RtpFormat{111, RtpMap{"opus", 48000, 2}, "minptime=10", {"transport-cc"}}};
  m.extensions = {HeaderExtension{3, Direction::SendRecv, "urn:ietf:params:rtp-hdrext:sdes:mid", ""}};
  m.simulcast = Simulcast{{}, {"q", "~h"}};
  d.media.push_back(m);
  EXPECT_EQ(SdpWriter::write(d),
            "v=0\r\no=- 42 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:a\r\na=recvonly\r\n"
            "a=extmap:3/sendrecv urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
            "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10\r\n"
            "a=simulcast:recv q;~h\r\n");
  EXPECT_EQ(parsed(SdpWriter::write(d)), d);
}
