// AnswerBuilder on Chromium, Firefox and aiortc 1.4 offers: the right codecs, the offered payload
// types and extension ids, mirrored directions, one BUNDLE group, the SFU's transport (ICE-lite,
// fingerprint, setup passive, candidates), received simulcast, the data channel; what it cannot
// do rejected with port 0, and offers it cannot answer refused with a reason.
#include "rtc/sdp/AnswerBuilder.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "SdpFixtures.hpp"
#include "rtc/sdp/SdpParser.hpp"
#include "rtc/sdp/SdpWriter.hpp"

using namespace onair::rtc::sdp;
using onair::rtc::sdp::testing::readFixture;

namespace {

using Strings = std::vector<std::string>;

SessionDescription parsed(const std::string& text) {
  SdpError error;
  auto description = SdpParser::parse(text, error);
  EXPECT_TRUE(description) << error.message();
  return description ? std::move(*description) : SessionDescription{};
}

AnswerParameters local() {
  AnswerParameters p;
  p.sessionId = "7001";
  p.iceUfrag = "onairUfrag";
  p.icePwd = "onairPasswordOf22chars+";
  p.fingerprint = {"sha-256", "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"};
  std::string reason;
  p.candidates = {*Candidate::parse("1 1 udp 2130706431 198.51.100.10 40000 typ host", reason),
                  *Candidate::parse("2 1 udp 2130706430 198.51.100.10 40001 typ host", reason)};
  return p;
}

// The answer, written and parsed again: what the peer will read.
SessionDescription answerTo(const SessionDescription& offer, const AnswerParameters& params = local()) {
  std::string error;
  const auto answer = AnswerBuilder::build(offer, params, error);
  EXPECT_TRUE(answer) << error;
  if (!answer) return {};
  const auto reread = parsed(SdpWriter::write(*answer));
  EXPECT_EQ(reread, *answer);
  return reread;
}

SessionDescription answerTo(const std::string& fixture) { return answerTo(parsed(readFixture(fixture))); }

std::vector<uint8_t> extensionIds(const MediaSection& m) {
  std::vector<uint8_t> ids;
  for (const HeaderExtension& e : m.extensions) ids.push_back(e.id);
  return ids;
}

void expectSfuTransport(const SessionDescription& answer) {
  const AnswerParameters p = local();
  EXPECT_TRUE(answer.iceLite);
  EXPECT_EQ(answer.origin.sessionId, "7001");
  ASSERT_EQ(answer.groups.size(), 1u);
  EXPECT_EQ(answer.groups[0].semantics, "BUNDLE");
  for (const MediaSection& m : answer.media) {
    if (m.isRejected()) continue;
    EXPECT_EQ(m.port, 40000);
    EXPECT_EQ(m.connection, "IN IP4 198.51.100.10");
    EXPECT_EQ(m.iceUfrag, p.iceUfrag);
    EXPECT_EQ(m.icePwd, p.icePwd);
    EXPECT_EQ(m.fingerprints, std::vector<Fingerprint>{p.fingerprint});
    EXPECT_EQ(m.setup, DtlsSetup::Passive);
    EXPECT_EQ(m.candidates, p.candidates);
    EXPECT_TRUE(m.endOfCandidates);
    EXPECT_TRUE(m.ssrcs.empty());
    EXPECT_TRUE(std::find(answer.groups[0].mids.begin(), answer.groups[0].mids.end(), *m.mid) !=
                answer.groups[0].mids.end());
    if (m.kind != "application") { EXPECT_TRUE(m.rtcpMux); }
  }
}

// A small offer, the transport at session level, with the given media sections appended.
std::string offerWith(const std::string& bundle, const std::string& media) {
  return "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE " + bundle +
         "\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
         "a=fingerprint:sha-256 AA:BB\r\na=setup:actpass\r\n" +
         media;
}

std::string opusSection(const std::string& mid, const std::string& direction) {
  return "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:" + mid + "\r\n" + direction +
         "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
}

}  // namespace

TEST(AnswerBuilder, AnswersChromiumAudioWithOpusOnly) {
  const auto answer = answerTo("chromium_unified_plan.sdp");
  expectSfuTransport(answer);
  EXPECT_EQ(answer.groups[0].mids, (Strings{"0", "1", "2"}));
  ASSERT_EQ(answer.media.size(), 3u);
  const MediaSection& audio = answer.media[0];
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.formats, Strings{"111"});
  EXPECT_EQ(audio.direction, Direction::RecvOnly);  // Chromium sends: onair receives
  EXPECT_TRUE(audio.rtcpRsize);
  ASSERT_EQ(audio.rtpFormats.size(), 1u);
  EXPECT_EQ(audio.rtpFormats[0], (RtpFormat{111, RtpMap{"opus", 48000, 2}, "minptime=10;useinbandfec=1",
                                            {"transport-cc"}}));
  EXPECT_EQ(extensionIds(audio), (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_EQ(audio.extensions[0].uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
}

TEST(AnswerBuilder, AnswersChromiumVideoKeepingPayloadTypesAndReceivingSimulcast) {
  const MediaSection video = answerTo("chromium_unified_plan.sdp").media[1];
  EXPECT_EQ(video.direction, Direction::RecvOnly);
  // VP8, H.264 packetization-mode=1 (42001f, 42e01f, 4d001f, 64001f), VP9 profile 0, each with its
  // rtx, in the offer's order; not H.264 mode 0, AV1, VP9 profile 2, red or ulpfec.
  EXPECT_EQ(video.formats, (Strings{"96", "97", "102", "103", "106", "107", "127", "125", "98", "99", "112", "113"}));
  EXPECT_EQ(video.rtpFormat(97)->fmtp, "apt=96");
  EXPECT_EQ(video.rtpFormat(102)->fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
  EXPECT_EQ(video.rtpFormat(96)->feedback,
            (Strings{"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}));
  EXPECT_TRUE(video.rtpFormat(97)->feedback.empty());
  EXPECT_EQ(video.rtpFormat(104), nullptr);
  // abs-send-time 2, transport-cc 3, mid 4, rid 10, repaired-rid 11; not toffset, orientation, ….
  EXPECT_EQ(extensionIds(video), (std::vector<uint8_t>{2, 3, 4, 10, 11}));
  EXPECT_EQ(video.rids, (std::vector<Rid>{{"q", false, ""}, {"h", false, ""}, {"f", false, ""}}));
  ASSERT_TRUE(video.simulcast);
  EXPECT_EQ(video.simulcast->recv, (Strings{"q", "h", "f"}));
  EXPECT_TRUE(video.simulcast->send.empty());
}

TEST(AnswerBuilder, AcceptsChromiumDataChannel) {
  const MediaSection data = answerTo("chromium_unified_plan.sdp").media[2];
  EXPECT_EQ(data.kind, "application");
  EXPECT_EQ(data.proto, "UDP/DTLS/SCTP");
  EXPECT_EQ(data.formats, Strings{"webrtc-datachannel"});
  EXPECT_EQ(data.sctpPort, 5000);
  EXPECT_EQ(data.maxMessageSize, 262144u);
  EXPECT_FALSE(data.direction);
}

TEST(AnswerBuilder, AnswersFirefoxWithItsPayloadTypes) {
  const auto answer = answerTo("firefox.sdp");
  expectSfuTransport(answer);
  EXPECT_EQ(answer.groups[0].mids, (Strings{"0", "1"}));
  const MediaSection& audio = answer.media[0];
  EXPECT_EQ(audio.formats, Strings{"109"});
  EXPECT_EQ(audio.direction, Direction::SendRecv);
  EXPECT_EQ(extensionIds(audio), (std::vector<uint8_t>{1, 3}));  // not csrc-audio-level
  const MediaSection& video = answer.media[1];
  // VP8 120 (rtx 124), VP9 121 without profile-id = profile 0 (rtx 125), H.264 mode 1 126 (rtx
  // 127); not 97, H.264 without packetization-mode (mode 0), nor its rtx 98.
  EXPECT_EQ(video.formats, (Strings{"120", "124", "121", "125", "126", "127"}));
  EXPECT_EQ(extensionIds(video), (std::vector<uint8_t>{3, 4, 7}));
  EXPECT_TRUE(video.rtcpRsize);
  EXPECT_FALSE(audio.rtcpRsize);
}

TEST(AnswerBuilder, AnswersAiortcWithTheIdsItOffersLeavingOutAnIdGivenToTwoUris) {
  const auto answer = answerTo("aiortc_1_4.sdp");
  expectSfuTransport(answer);
  const MediaSection& audio = answer.media[0];
  const MediaSection& video = answer.media[1];
  EXPECT_EQ(audio.formats, Strings{"96"});
  EXPECT_EQ(video.formats, (Strings{"97", "98", "99", "100", "101", "102"}));
  EXPECT_EQ(video.rtpFormat(97)->feedback, (Strings{"nack", "nack pli", "goog-remb"}));
  // Id 2 names ssrc-audio-level in audio and abs-send-time in video, in one BUNDLE: aiortc would
  // read one as the other (one map per transport), so neither is negotiated; the mid's id 1 is.
  ASSERT_EQ(audio.extensions.size(), 1u);
  ASSERT_EQ(video.extensions.size(), 1u);
  EXPECT_EQ(audio.extensions[0], (HeaderExtension{1, std::nullopt, "urn:ietf:params:rtp-hdrext:sdes:mid", ""}));
  EXPECT_EQ(video.extensions[0], (HeaderExtension{1, std::nullopt, "urn:ietf:params:rtp-hdrext:sdes:mid", ""}));
  // Its pre-RFC data channel is answered in the same form.
  const MediaSection& data = answer.media[2];
  EXPECT_FALSE(data.isRejected());
  EXPECT_EQ(data.proto, "DTLS/SCTP");
  EXPECT_EQ(data.formats, Strings{"5000"});
  EXPECT_EQ(data.otherAttributes, Strings{"sctpmap:5000 webrtc-datachannel 65535"});
  EXPECT_FALSE(data.sctpPort);
  EXPECT_EQ(answer.groups[0].mids, (Strings{"0", "1", "2"}));
}

TEST(AnswerBuilder, MirrorsDirections) {
  const auto answer = answerTo(parsed(offerWith(
      "a b c d", opusSection("a", "a=sendonly\r\n") + opusSection("b", "a=recvonly\r\n") +
                     opusSection("c", "a=inactive\r\n") + opusSection("d", ""))));
  ASSERT_EQ(answer.media.size(), 4u);
  EXPECT_EQ(answer.media[0].direction, Direction::RecvOnly);
  EXPECT_EQ(answer.media[1].direction, Direction::SendOnly);
  EXPECT_EQ(answer.media[2].direction, Direction::Inactive);
  EXPECT_EQ(answer.media[3].direction, Direction::SendRecv);
  EXPECT_EQ(answer.groups[0].mids, (Strings{"a", "b", "c", "d"}));
}

TEST(AnswerBuilder, RejectsWhatTheSfuCannotDo) {
  const std::string pcmuOnly =
      "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:pcmu\r\na=rtcp-mux\r\na=rtpmap:0 PCMU/8000\r\n";
  const std::string text = "m=text 9 UDP/TLS/RTP/SAVPF 98\r\na=mid:text\r\na=rtcp-mux\r\n";
  const std::string av1Only =
      "m=video 9 UDP/TLS/RTP/SAVPF 45\r\na=mid:av1\r\na=rtcp-mux\r\na=rtpmap:45 AV1/90000\r\n";
  const std::string noMux = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:nomux\r\na=rtpmap:111 opus/48000/2\r\n";
  const std::string data = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:dc1\r\na=sctp-port:5000\r\n";
  const std::string secondData =
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:dc2\r\na=sctp-port:5000\r\n";
  const std::string legacySecondData = "m=application 9 DTLS/SCTP 5000\r\na=mid:old\r\na=sctpmap:5000 webrtc-datachannel 1024\r\n";
  const std::string offererRejected = "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=mid:gone\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
  const std::string outsideBundle = opusSection("loose", "");
  const auto answer = answerTo(parsed(offerWith(
      "ok pcmu text av1 nomux dc1 dc2 old gone",
      opusSection("ok", "") + pcmuOnly + text + av1Only + noMux + data + secondData + legacySecondData + offererRejected +
          outsideBundle)));
  ASSERT_EQ(answer.media.size(), 10u);
  EXPECT_EQ(answer.groups[0].mids, (Strings{"ok", "dc1"}));
  for (size_t i : {1, 2, 3, 4, 6, 7, 8, 9}) {
    const MediaSection& m = answer.media[i];
    EXPECT_TRUE(m.isRejected()) << *m.mid;
    EXPECT_FALSE(m.formats.empty()) << *m.mid;  // a rejected m= line still lists the offered formats
    EXPECT_TRUE(m.candidates.empty()) << *m.mid;
    EXPECT_FALSE(m.iceUfrag) << *m.mid;
  }
  EXPECT_EQ(answer.media[1].mid, "pcmu");
  EXPECT_EQ(answer.media[2].kind, "text");
  EXPECT_FALSE(answer.media[0].isRejected());
  EXPECT_FALSE(answer.media[5].isRejected());
}

TEST(AnswerBuilder, WithoutOfferedBundleAcceptsOnlyTheFirstSection) {
  std::string offer = offerWith("x", opusSection("a", "") + opusSection("b", ""));
  offer.erase(offer.find("a=group:BUNDLE x\r\n"), 18);
  const auto answer = answerTo(parsed(offer));
  EXPECT_TRUE(answer.groups.empty());
  EXPECT_FALSE(answer.media[0].isRejected());
  EXPECT_TRUE(answer.media[1].isRejected());
}

TEST(AnswerBuilder, RefusesOffersItCannotAnswer) {
  struct Case {
    std::string offer;
    std::string reason;
  };
  const std::string twoMids = offerWith("a", opusSection("a", "") + opusSection("a", ""));
  std::string passive = offerWith("a", opusSection("a", ""));
  passive.replace(passive.find("actpass"), 7, "passive");
  std::string noFingerprint = offerWith("a", opusSection("a", ""));
  noFingerprint.erase(noFingerprint.find("a=fingerprint:sha-256 AA:BB\r\n"), 29);
  std::string noIce = offerWith("a", opusSection("a", ""));
  noIce.erase(noIce.find("a=ice-pwd:"), 34);
  for (const Case& c : std::vector<Case>{{twoMids, "share a=mid:a"},
                                         {passive, "DTLS client"},
                                         {noFingerprint, "no a=fingerprint"},
                                         {noIce, "no a=ice-ufrag and a=ice-pwd"}}) {
    std::string error;
    EXPECT_FALSE(AnswerBuilder::build(parsed(c.offer), local(), error)) << c.offer;
    EXPECT_NE(error.find(c.reason), std::string::npos) << error;
  }
}

TEST(AnswerBuilder, IsDeterministic) {
  const auto offer = parsed(readFixture("chromium_unified_plan.sdp"));
  std::string error;
  const auto a = AnswerBuilder::build(offer, local(), error);
  const auto b = AnswerBuilder::build(offer, local(), error);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(SdpWriter::write(*a), SdpWriter::write(*b));
}
