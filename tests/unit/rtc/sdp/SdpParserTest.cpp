// SdpParser on offers as Chromium (unified plan, simulcast, data channel), Firefox and aiortc 1.4
// write them, and on malformed and oversize descriptions, which it refuses with the line number.
#include "rtc/sdp/SdpParser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "SdpFixtures.hpp"

using namespace onair::rtc::sdp;
using onair::rtc::sdp::testing::readFixture;

namespace {

SessionDescription parsed(const std::string& text) {
  SdpError error;
  auto description = SdpParser::parse(text, error);
  EXPECT_TRUE(description) << error.message();
  return description ? std::move(*description) : SessionDescription{};
}

// A minimal valid description, LF line ends, to which tests append lines.
const std::string kHead = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n";
const std::string kAudio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\nc=IN IP4 0.0.0.0\na=mid:0\n";

SdpError refusal(const std::string& text, const SdpLimits& limits = {}) {
  SdpError error;
  EXPECT_FALSE(SdpParser::parse(text, error, limits)) << text;
  return error;
}

}  // namespace

TEST(SdpParser, ReadsChromiumUnifiedPlanSessionLevel) {
  const auto d = parsed(readFixture("chromium_unified_plan.sdp"));
  EXPECT_EQ(d.origin.sessionId, "4611731400430051336");
  EXPECT_EQ(d.origin.sessionVersion, "2");
  EXPECT_EQ(d.origin.address, "127.0.0.1");
  ASSERT_NE(d.group("BUNDLE"), nullptr);
  EXPECT_EQ(d.group("BUNDLE")->mids, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(d.msidSemantic, " WMS 6d0d8a6e-4c2f-4a73-9e8f-0c3f5b1d2e7a");
  EXPECT_EQ(d.otherAttributes, std::vector<std::string>{"extmap-allow-mixed"});
  EXPECT_FALSE(d.iceLite);
  EXPECT_FALSE(d.iceUfrag);  // Chromium puts the transport in each section
  ASSERT_EQ(d.media.size(), 3u);
}

TEST(SdpParser, ReadsChromiumAudioSection) {
  const auto audio = parsed(readFixture("chromium_unified_plan.sdp")).media[0];
  EXPECT_EQ(audio.kind, "audio");
  EXPECT_EQ(audio.port, 9);
  EXPECT_EQ(audio.proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(audio.formats, (std::vector<std::string>{"111", "63", "9", "0", "8", "13", "110", "126"}));
  EXPECT_EQ(audio.connection, "IN IP4 0.0.0.0");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.direction, Direction::SendOnly);
  EXPECT_TRUE(audio.rtcpMux);
  EXPECT_TRUE(audio.rtcpRsize);
  EXPECT_EQ(audio.iceUfrag, "Zx4q");
  EXPECT_EQ(audio.icePwd, "9jKv7mXr2TqLbN0sWc5hYp1e");
  EXPECT_EQ(audio.iceOptions, std::vector<std::string>{"trickle"});
  ASSERT_EQ(audio.fingerprints.size(), 1u);
  EXPECT_EQ(audio.fingerprints[0].algorithm, "sha-256");
  EXPECT_EQ(audio.fingerprints[0].value.substr(0, 8), "7B:8B:F0");
  EXPECT_EQ(audio.setup, DtlsSetup::ActPass);

  ASSERT_EQ(audio.extensions.size(), 4u);
  EXPECT_EQ(audio.extensions[0], (HeaderExtension{1, std::nullopt, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", ""}));
  EXPECT_EQ(audio.extensions[3].id, 4);
  EXPECT_EQ(audio.extensions[3].uri, "urn:ietf:params:rtp-hdrext:sdes:mid");

  const RtpFormat* opus = audio.rtpFormat(111);
  ASSERT_NE(opus, nullptr);
  EXPECT_EQ(opus->rtpmap, (RtpMap{"opus", 48000, 2}));
  EXPECT_EQ(opus->fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(opus->feedback, std::vector<std::string>{"transport-cc"});
  EXPECT_EQ(audio.rtpFormat(0)->rtpmap, (RtpMap{"PCMU", 8000, std::nullopt}));
  EXPECT_EQ(audio.rtpFormat(63)->fmtp, "111/111");

  ASSERT_EQ(audio.msids.size(), 1u);
  EXPECT_EQ(audio.msids[0].stream, "6d0d8a6e-4c2f-4a73-9e8f-0c3f5b1d2e7a");
  EXPECT_EQ(audio.msids[0].track, "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9");
  ASSERT_EQ(audio.ssrcs.size(), 2u);
  EXPECT_EQ(audio.ssrcs[0], (SsrcAttribute{3735928559u, "cname", "Qm9vT2ZmZXJDbmFtZQ"}));
  EXPECT_EQ(audio.ssrcs[1].name, "msid");
  EXPECT_EQ(audio.ssrcs[1].value,
            "6d0d8a6e-4c2f-4a73-9e8f-0c3f5b1d2e7a 1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9");
  EXPECT_EQ(audio.otherAttributes, std::vector<std::string>{"rtcp:9 IN IP4 0.0.0.0"});
}

TEST(SdpParser, ReadsCandidatesIntoFields) {
  const auto audio = parsed(readFixture("chromium_unified_plan.sdp")).media[0];
  ASSERT_EQ(audio.candidates.size(), 2u);
  const Candidate& udp = audio.candidates[0];
  EXPECT_EQ(udp.foundation, "3011294367");
  EXPECT_EQ(udp.component, 1);
  EXPECT_EQ(udp.transport, "udp");
  EXPECT_EQ(udp.priority, 2122260223u);
  EXPECT_EQ(udp.address, "192.168.1.23");
  EXPECT_EQ(udp.port, 54321);
  EXPECT_EQ(udp.type, "host");
  EXPECT_FALSE(udp.relatedAddress);
  EXPECT_EQ(udp.extensions, (std::vector<std::pair<std::string, std::string>>{
                                {"generation", "0"}, {"network-id", "1"}, {"network-cost", "10"}}));
  EXPECT_EQ(audio.candidates[1].transport, "tcp");
  EXPECT_EQ(audio.candidates[1].extensions[0], (std::pair<std::string, std::string>{"tcptype", "active"}));

  std::string reason;
  const auto srflx =
      Candidate::parse("842163049 1 udp 1677729535 203.0.113.7 61000 typ srflx raddr 192.168.1.23 rport 54321 generation 0",
                       reason);
  ASSERT_TRUE(srflx) << reason;
  EXPECT_EQ(srflx->relatedAddress, "192.168.1.23");
  EXPECT_EQ(srflx->relatedPort, 54321);
  EXPECT_EQ(srflx->toText(),
            "842163049 1 udp 1677729535 203.0.113.7 61000 typ srflx raddr 192.168.1.23 rport 54321 generation 0");
}

TEST(SdpParser, ReadsChromiumSimulcastVideoAndDataChannel) {
  const auto d = parsed(readFixture("chromium_unified_plan.sdp"));
  const MediaSection& video = d.media[1];
  EXPECT_EQ(video.kind, "video");
  EXPECT_EQ(video.formats.size(), 25u);
  EXPECT_EQ(video.rtpFormats.size(), 25u);
  EXPECT_EQ(video.extensions.size(), 11u);
  const RtpFormat* h264 = video.rtpFormat(102);
  ASSERT_NE(h264, nullptr);
  EXPECT_EQ(h264->fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
  EXPECT_EQ(h264->feedback,
            (std::vector<std::string>{"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}));
  EXPECT_EQ(video.rtpFormat(97)->fmtp, "apt=96");
  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[0], (Rid{"q", true, ""}));
  EXPECT_EQ(video.rids[2].id, "f");
  ASSERT_TRUE(video.simulcast);
  EXPECT_EQ(video.simulcast->send, (std::vector<std::string>{"q", "h", "f"}));
  EXPECT_TRUE(video.simulcast->recv.empty());

  const MediaSection& data = d.media[2];
  EXPECT_EQ(data.kind, "application");
  EXPECT_EQ(data.proto, "UDP/DTLS/SCTP");
  EXPECT_EQ(data.formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_EQ(data.sctpPort, 5000);
  EXPECT_EQ(data.maxMessageSize, 262144u);
}

TEST(SdpParser, ReadsFirefoxOffer) {
  const auto d = parsed(readFixture("firefox.sdp"));
  ASSERT_EQ(d.fingerprints.size(), 1u);  // Firefox: at session level
  EXPECT_EQ(d.fingerprints[0].algorithm, "sha-256");
  EXPECT_EQ(d.iceOptions, std::vector<std::string>{"trickle"});
  EXPECT_EQ(d.msidSemantic, "WMS *");
  EXPECT_EQ(d.otherAttributes, std::vector<std::string>{"sendrecv"});
  ASSERT_EQ(d.media.size(), 2u);
  const MediaSection& audio = d.media[0];
  EXPECT_EQ(audio.direction, Direction::SendRecv);
  EXPECT_EQ(audio.extensions[1].direction, Direction::RecvOnly);
  EXPECT_EQ(audio.extensions[1].uri, "urn:ietf:params:rtp-hdrext:csrc-audio-level");
  EXPECT_EQ(audio.rtpFormat(101)->fmtp, "0-15");
  EXPECT_EQ(audio.rtpFormat(101)->rtpmap, (RtpMap{"telephone-event", 8000, 1}));
  // fmtp lines come before their rtpmap in Firefox's order; the format is one either way.
  EXPECT_EQ(audio.rtpFormats.front().payloadType, 109);
  EXPECT_EQ(audio.rtpFormats.front().rtpmap, (RtpMap{"opus", 48000, 2}));
  const MediaSection& video = d.media[1];
  ASSERT_EQ(video.ssrcGroups.size(), 1u);
  EXPECT_EQ(video.ssrcGroups[0], (SsrcGroup{"FID", {2882400002u, 2882400003u}}));
  EXPECT_EQ(video.msids[0].stream, "{c0ffee00-1111-4222-8333-944445555666}");
}

TEST(SdpParser, ReadsAiortcOfferWithLfLineEnds) {
  // Written by aiortc 1.4.0 (Debian's python3-aiortc), its CRLF turned into LF.
  const std::string text = readFixture("aiortc_1_4.sdp");
  ASSERT_EQ(text.find('\r'), std::string::npos);
  const auto d = parsed(text);
  ASSERT_EQ(d.media.size(), 3u);
  EXPECT_EQ(d.group("BUNDLE")->mids, (std::vector<std::string>{"0", "1", "2"}));
  // One transport per section until the answer bundles them: ports and ufrags differ.
  EXPECT_EQ(d.media[0].port, 46210);
  EXPECT_EQ(d.media[1].port, 55067);
  EXPECT_EQ(d.media[0].iceUfrag, "pp8o");
  EXPECT_EQ(d.media[1].iceUfrag, "xK5T");
  for (const MediaSection& m : d.media) {
    EXPECT_TRUE(m.endOfCandidates);
    ASSERT_EQ(m.candidates.size(), 2u);
    EXPECT_EQ(m.candidates[0].address, "192.0.2.2");
    EXPECT_EQ(m.candidates[1].address, "fd00::2");
    EXPECT_EQ(m.candidates[0].foundation, "f957a2332b1715da3b0ef8ba684454eb");
    EXPECT_EQ(m.fingerprints.size(), 1u);
    EXPECT_EQ(m.setup, DtlsSetup::ActPass);
  }
  // aiortc 1.4's quirk: id 2 is ssrc-audio-level in one section and abs-send-time in the other.
  EXPECT_EQ(d.media[0].extensions[1].id, 2);
  EXPECT_EQ(d.media[1].extensions[1].id, 2);
  EXPECT_NE(d.media[0].extensions[1].uri, d.media[1].extensions[1].uri);
  // Its data channel in the pre-RFC 8841 form.
  const MediaSection& data = d.media[2];
  EXPECT_EQ(data.proto, "DTLS/SCTP");
  EXPECT_EQ(data.formats, std::vector<std::string>{"5000"});
  EXPECT_EQ(data.otherAttributes, std::vector<std::string>{"sctpmap:5000 webrtc-datachannel 65535"});
  EXPECT_EQ(data.maxMessageSize, 65536u);
}

TEST(SdpParser, KeepsUnknownAttributesAndIgnoresUnknownLineTypes) {
  const auto d = parsed(kHead + "i=session info\na=x-custom:1 2 3\n" + kAudio +
                        "k=clear:key\na=x-vendor\na=fmtp:111 stereo=1\n");
  EXPECT_EQ(d.otherAttributes, std::vector<std::string>{"x-custom:1 2 3"});
  EXPECT_EQ(d.media[0].otherAttributes, std::vector<std::string>{"x-vendor"});
  EXPECT_EQ(d.media[0].rtpFormat(111)->fmtp, "stereo=1");
}

TEST(SdpParser, RefusesMalformedLinesWithTheirNumber) {
  struct Case {
    std::string text;
    size_t line;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"o=- 1 1 IN IP4 0.0.0.0\n", 1, "v=0"},
      {"v=1\n", 1, "v=0"},
      {kHead + "garbage\n", 5, "<letter>=<value>"},
      {kHead + "A=x\n", 5, "<letter>=<value>"},
      {kHead + "a=x\x01y\n", 5, "control character"},
      {kHead + "o=- 1 1 IN IP4 0.0.0.0\n", 5, "second o="},
      {kHead + "m=audio 70000 RTP/AVP 0\n", 5, "port"},
      {kHead + "m=audio 9\n", 5, "<media> <port> <proto>"},
      {kHead + kAudio + "a=rtpmap:300 opus/48000/2\n", 8, "0..127"},
      {kHead + kAudio + "a=rtpmap:111 opus\n", 8, "clock rate"},
      {kHead + kAudio + "a=rtpmap:111 opus/48000\na=rtpmap:111 opus/48000\n", 9, "second a=rtpmap"},
      {kHead + kAudio + "a=mid:1\n", 8, "second a=mid"},
      {kHead + kAudio + "a=sendonly\na=recvonly\n", 9, "direction"},
      {kHead + kAudio + "a=extmap:0 urn:x\n", 8, "1..255"},
      {kHead + kAudio + "a=extmap:1/up urn:x\n", 8, "direction"},
      {kHead + kAudio + "a=candidate:1 1 udp 1 192.0.2.1 9 host\n", 8, "typ"},
      {kHead + kAudio + "a=candidate:1 1 udp 1 192.0.2.1 9 typ host generation\n", 8, "no value"},
      {kHead + kAudio + "a=setup:sometimes\n", 8, "actpass"},
      {kHead + kAudio + "a=fingerprint:sha-256\n", 8, "fingerprint"},
      {kHead + kAudio + "a=ssrc:abc cname:x\n", 8, "a=ssrc"},
      {kHead + kAudio + "a=ssrc-group:FID 1 x\n", 8, "SSRC"},
      {kHead + kAudio + "a=rid:q up\n", 8, "a=rid"},
      {kHead + kAudio + "a=simulcast:send q;;f\n", 8, "empty stream"},
      {kHead + kAudio + "a=simulcast:send q send h\n", 8, "twice"},
      {kHead + kAudio + "a=sctp-port:99999\n", 8, "sctp-port"},
      {kHead + kAudio + "a=rtcp-fb:111\n", 8, "feedback type"},
      {kHead + kAudio + "a=\n", 8, "attribute name"},
      {"v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\n", 0, "no t= line"},
      {"v=0\ns=-\nt=0 0\n", 0, "no o= line"},
      {"", 0, "empty"},
  };
  for (const Case& c : cases) {
    const SdpError error = refusal(c.text);
    EXPECT_EQ(error.line, c.line) << c.text << " → " << error.message();
    EXPECT_NE(error.reason.find(c.reason), std::string::npos) << c.text << " → " << error.message();
  }
}

TEST(SdpParser, RefusesOversizeInput) {
  SdpLimits limits;
  // The whole text.
  const std::string big = kHead + kAudio + std::string(limits.maxBytes, 'x');
  EXPECT_EQ(refusal(big).line, 0u);
  EXPECT_NE(refusal(big).reason.find("over the limit"), std::string::npos);

  // One line.
  const SdpError longLine = refusal(kHead + kAudio + "a=x-long:" + std::string(limits.maxLineBytes, 'y') + "\n");
  EXPECT_EQ(longLine.line, 8u);
  EXPECT_NE(longLine.reason.find("over the limit of 4096"), std::string::npos);

  // Media sections: the 65th m= line is refused.
  std::string many = kHead;
  for (size_t i = 0; i <= limits.maxMediaSections; ++i) many += "m=audio 9 UDP/TLS/RTP/SAVPF 111\n";
  const SdpError sections = refusal(many);
  EXPECT_EQ(sections.line, 4 + limits.maxMediaSections + 1);
  EXPECT_NE(sections.reason.find("more than 64 media sections"), std::string::npos);

  // Attributes in one section, with smaller limits passed in.
  SdpLimits small;
  small.maxAttributesPerSection = 3;
  SdpError none;
  EXPECT_TRUE(SdpParser::parse(kHead + kAudio + "a=rtcp-mux\na=sendonly\n", none, small)) << none.message();
  const SdpError attributes = refusal(kHead + kAudio + "a=rtcp-mux\na=sendonly\na=rtcp-rsize\n", small);
  EXPECT_EQ(attributes.line, 10u);
  EXPECT_NE(attributes.reason.find("more than 3 attributes"), std::string::npos);
  EXPECT_EQ(attributes.message(), "line 10: more than 3 attributes in one section");
}

TEST(SdpParser, AcceptsCrlfLfAndBlankLines) {
  std::string crlf;
  for (char c : kHead + kAudio) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const auto a = parsed(crlf);
  const auto b = parsed(kHead + "\n" + kAudio);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.media[0].mid, "0");
}
