// SdpRtpParameters on Chromium and aiortc 1.4 offers: a publisher's answer keeps one codec with
// its rtx and no transport-cc; the producer carries the offer's ssrcs and the answer's codec and
// extension ids; a subscriber's answer section gets the producer's codec under the subscriber's
// payload type, the ssrcs and msid, and a matching consumer.
#include "rtc/sfu/SdpRtpParameters.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "../sdp/SdpFixtures.hpp"
#include "rtc/sdp/AnswerBuilder.hpp"
#include "rtc/sdp/SdpParser.hpp"
#include "rtc/sdp/SdpWriter.hpp"

using namespace onair::rtc;
using namespace onair::rtc::sfu;
using onair::rtc::sdp::testing::readFixture;

namespace {

sdp::SessionDescription parsed(const std::string& text) {
  sdp::SdpError error;
  auto description = sdp::SdpParser::parse(text, error);
  EXPECT_TRUE(description) << error.message();
  return description ? std::move(*description) : sdp::SessionDescription{};
}

sdp::AnswerParameters local() {
  sdp::AnswerParameters p;
  p.iceUfrag = "onairUfrag";
  p.icePwd = "onairPasswordOf22chars+";
  p.fingerprint = {"sha-256", "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"};
  std::string reason;
  p.candidates = {*sdp::Candidate::parse("1 1 udp 2130706431 127.0.0.1 40000 typ host", reason)};
  return p;
}

sdp::SessionDescription answerTo(const sdp::SessionDescription& offer) {
  std::string error;
  auto answer = sdp::AnswerBuilder::build(offer, local(), error);
  EXPECT_TRUE(answer) << error;
  return answer ? std::move(*answer) : sdp::SessionDescription{};
}

bool hasExtension(const sdp::MediaSection& m, const std::string& uri) {
  return std::any_of(m.extensions.begin(), m.extensions.end(), [&](const auto& e) { return e.uri == uri; });
}

const std::string kTransportCc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

// The Chromium fixture's offer with its simulcast video section replaced by a plain one (ssrc + rtx).
std::string chromiumWithoutSimulcast() {
  std::string text = readFixture("chromium_unified_plan.sdp");
  const std::string rids = "a=rid:q send\na=rid:h send\na=rid:f send\na=simulcast:send q;h;f\n";
  auto at = text.find(rids);
  if (at == std::string::npos) {
    const std::string crlf = "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n";
    at = text.find(crlf);
    EXPECT_NE(at, std::string::npos);
    text.replace(at, crlf.size(), "a=ssrc-group:FID 1111 2222\r\na=ssrc:1111 cname:c\r\na=ssrc:2222 cname:c\r\n");
    return text;
  }
  text.replace(at, rids.size(), "a=ssrc-group:FID 1111 2222\na=ssrc:1111 cname:c\na=ssrc:2222 cname:c\n");
  return text;
}

}  // namespace

TEST(SdpRtpParameters, PublisherAnswerKeepsOneCodecWithItsRtxAndNoTransportCc) {
  auto offer = parsed(chromiumWithoutSimulcast());
  auto answer = answerTo(offer);
  for (auto& m : answer.media) SdpRtpParameters::restrictToOneCodec(m);

  const auto& audio = answer.media[0];
  EXPECT_EQ(audio.formats, std::vector<std::string>{"111"});
  ASSERT_EQ(audio.rtpFormats.size(), 1u);
  EXPECT_EQ(audio.rtpFormats[0].rtpmap->encodingName, "opus");
  EXPECT_TRUE(audio.rtpFormats[0].feedback.empty());
  EXPECT_FALSE(hasExtension(audio, kTransportCc));
  EXPECT_TRUE(hasExtension(audio, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"));

  const auto& video = answer.media[1];
  EXPECT_EQ(video.formats, (std::vector<std::string>{"96", "97"}));
  EXPECT_EQ(video.rtpFormats[0].rtpmap->encodingName, "VP8");
  EXPECT_EQ(video.rtpFormats[0].feedback, (std::vector<std::string>{"goog-remb", "ccm fir", "nack", "nack pli"}));
  EXPECT_EQ(video.rtpFormats[1].fmtp, "apt=96");
  EXPECT_FALSE(hasExtension(video, kTransportCc));

  // The data channel section is untouched, and the answer still writes and parses.
  EXPECT_EQ(answer.media[2].formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_EQ(parsed(sdp::SdpWriter::write(answer)), answer);
}

TEST(SdpRtpParameters, ProducerFromChromiumOffer) {
  auto offer = parsed(chromiumWithoutSimulcast());
  auto answer = answerTo(offer);
  for (auto& m : answer.media) SdpRtpParameters::restrictToOneCodec(m);
  std::string error;

  auto audio = SdpRtpParameters::producer(offer.media[0], answer.media[0], error);
  ASSERT_TRUE(audio) << error;
  EXPECT_EQ(audio->kind, "audio");
  EXPECT_EQ(audio->mid, "0");
  EXPECT_EQ(audio->codec.name, "opus");
  EXPECT_EQ(audio->codec.payloadType, 111);
  EXPECT_EQ(audio->codec.clockRate, 48000u);
  EXPECT_EQ(audio->codec.channels, 2);
  EXPECT_EQ(audio->codec.fmtp, "minptime=10;useinbandfec=1");
  EXPECT_FALSE(audio->codec.rtxPayloadType);
  EXPECT_FALSE(audio->codec.nack);
  EXPECT_EQ(audio->ssrc, 3735928559u);
  EXPECT_FALSE(audio->rtxSsrc);
  EXPECT_EQ(audio->extensions.audioLevel, 1);
  EXPECT_EQ(audio->extensions.mid, 4);
  EXPECT_EQ(audio->extensions.absSendTime, 2);
  EXPECT_EQ(audio->extensions.transportCc, 0);

  auto video = SdpRtpParameters::producer(offer.media[1], answer.media[1], error);
  ASSERT_TRUE(video) << error;
  EXPECT_EQ(video->kind, "video");
  EXPECT_EQ(video->codec.name, "VP8");
  EXPECT_EQ(video->codec.payloadType, 96);
  EXPECT_EQ(video->codec.rtxPayloadType, 97);
  EXPECT_TRUE(video->codec.nack);
  EXPECT_TRUE(video->codec.pli);
  EXPECT_TRUE(video->codec.fir);
  EXPECT_EQ(video->ssrc, 1111u);
  EXPECT_EQ(video->rtxSsrc, 2222u);
  EXPECT_EQ(video->extensions.rid, 10);
  EXPECT_EQ(video->extensions.repairedRid, 11);

  EXPECT_FALSE(SdpRtpParameters::producer(offer.media[2], answer.media[2], error));
  EXPECT_NE(error.find("section 2"), std::string::npos) << error;
}

TEST(SdpRtpParameters, ProducerFromAiortcOfferTakesTheFidPair) {
  auto offer = parsed(readFixture("aiortc_1_4.sdp"));
  auto answer = answerTo(offer);
  for (auto& m : answer.media) SdpRtpParameters::restrictToOneCodec(m);
  std::string error;
  auto video = SdpRtpParameters::producer(offer.media[1], answer.media[1], error);
  ASSERT_TRUE(video) << error;
  EXPECT_EQ(video->ssrc, 3338827316u);
  EXPECT_EQ(video->rtxSsrc, 319215119u);
  ASSERT_TRUE(video->codec.rtxPayloadType);
  EXPECT_EQ(answer.media[1].rtpFormats.size(), 2u);
}

TEST(SdpRtpParameters, ProducerRefusesSectionsThatDoNotSend) {
  auto offer = parsed(chromiumWithoutSimulcast());
  offer.media[0].direction = sdp::Direction::RecvOnly;
  auto answer = answerTo(offer);
  std::string error;
  EXPECT_FALSE(SdpRtpParameters::producer(offer.media[0], answer.media[0], error));
  EXPECT_NE(error.find("does not send"), std::string::npos) << error;
}

namespace {

// A subscriber's offer: Chromium's sections made recvonly, without ssrcs or msid (as a recvonly
// transceiver offers).
sdp::SessionDescription subscriberOffer() {
  auto offer = parsed(chromiumWithoutSimulcast());
  for (auto& m : offer.media) {
    m.direction = sdp::Direction::RecvOnly;
    m.ssrcs.clear();
    m.ssrcGroups.clear();
    m.msids.clear();
  }
  // The subscriber numbers VP8 differently from the publisher.
  for (auto& f : offer.media[1].rtpFormats) {
    if (f.payloadType == 96) f.payloadType = 120;
    if (f.payloadType == 97) { f.payloadType = 121; f.fmtp = "apt=120"; }
  }
  for (auto& token : offer.media[1].formats) {
    if (token == "96") token = "120";
    else if (token == "97") token = "121";
  }
  // It offers H264 first: the producer's VP8 must still be picked.
  auto& formats = offer.media[1].formats;
  std::rotate(formats.begin(), std::find(formats.begin(), formats.end(), "102"), formats.end());
  return offer;
}

ProducerParameters vp8Producer() {
  ProducerParameters p;
  p.kind = "video";
  p.mid = "1";
  p.codec.name = "VP8";
  p.codec.payloadType = 96;
  p.codec.rtxPayloadType = 97;
  p.codec.nack = p.codec.pli = p.codec.fir = true;
  p.ssrc = 1111;
  p.rtxSsrc = 2222;
  return p;
}

}  // namespace

TEST(SdpRtpParameters, SubscriberSectionGetsTheProducersCodecSsrcsAndMsid) {
  auto offer = subscriberOffer();
  auto answer = answerTo(offer);
  SdpRtpParameters::Announcement a{5000, 5001, "onair", "st_1", "cam"};
  std::string error;
  auto consumer = SdpRtpParameters::consumer(offer.media[1], answer.media[1], vp8Producer(), a, error);
  ASSERT_TRUE(consumer) << error;
  EXPECT_EQ(consumer->mid, "1");
  EXPECT_EQ(consumer->ssrc, 5000u);
  EXPECT_EQ(consumer->rtxSsrc, 5001u);
  EXPECT_EQ(consumer->codec.name, "VP8");
  EXPECT_EQ(consumer->codec.payloadType, 120);
  EXPECT_EQ(consumer->codec.rtxPayloadType, 121);
  EXPECT_TRUE(consumer->codec.nack);
  EXPECT_EQ(consumer->extensions.transportCc, 0);
  EXPECT_EQ(consumer->extensions.rid, 0);
  EXPECT_EQ(consumer->extensions.mid, 4);

  const auto& m = answer.media[1];
  EXPECT_EQ(m.direction, sdp::Direction::SendOnly);
  EXPECT_EQ(m.formats, (std::vector<std::string>{"120", "121"}));
  EXPECT_FALSE(hasExtension(m, kTransportCc));
  ASSERT_EQ(m.msids.size(), 1u);
  EXPECT_EQ(m.msids[0], (sdp::Msid{"st_1", "cam"}));
  ASSERT_EQ(m.ssrcGroups.size(), 1u);
  EXPECT_EQ(m.ssrcGroups[0], (sdp::SsrcGroup{"FID", {5000, 5001}}));
  EXPECT_EQ(m.ssrcs.size(), 4u);
  EXPECT_EQ(m.ssrcs[0], (sdp::SsrcAttribute{5000, "cname", "onair"}));
  EXPECT_EQ(m.ssrcs[1], (sdp::SsrcAttribute{5000, "msid", "st_1 cam"}));

  // The answer text carries it all and parses back.
  const std::string text = sdp::SdpWriter::write(answer);
  EXPECT_NE(text.find("a=msid:st_1 cam\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=ssrc-group:FID 5000 5001\r\n"), std::string::npos);
  EXPECT_EQ(parsed(text), answer);
}

TEST(SdpRtpParameters, SubscriberWithoutRtxGetsNoRtxSsrc) {
  auto offer = subscriberOffer();
  auto answer = answerTo(offer);
  SdpRtpParameters::Announcement a{7000, 7001, "onair", "st_1", "mic"};
  ProducerParameters opus;
  opus.kind = "audio";
  opus.codec.name = "opus";
  opus.codec.payloadType = 111;
  opus.codec.clockRate = 48000;
  opus.codec.channels = 2;
  std::string error;
  auto consumer = SdpRtpParameters::consumer(offer.media[0], answer.media[0], opus, a, error);
  ASSERT_TRUE(consumer) << error;
  EXPECT_FALSE(consumer->rtxSsrc);
  EXPECT_EQ(answer.media[0].formats, std::vector<std::string>{"111"});
  EXPECT_TRUE(answer.media[0].ssrcGroups.empty());
  EXPECT_EQ(answer.media[0].ssrcs.size(), 2u);
  EXPECT_EQ(consumer->extensions.audioLevel, 1);
}

TEST(SdpRtpParameters, SubscriberRefusesAnotherKindOrAnUnofferedCodec) {
  auto offer = subscriberOffer();
  auto answer = answerTo(offer);
  SdpRtpParameters::Announcement a{1, 2, "onair", "s", "t"};
  std::string error;
  EXPECT_FALSE(SdpRtpParameters::consumer(offer.media[0], answer.media[0], vp8Producer(), a, error));
  EXPECT_NE(error.find("receives audio"), std::string::npos) << error;

  ProducerParameters h264 = vp8Producer();
  h264.codec.name = "H264";
  h264.codec.fmtp = "packetization-mode=1;profile-level-id=f4001f";  // High 4:4:4, never offered
  const auto before = answer.media[1];
  EXPECT_FALSE(SdpRtpParameters::consumer(offer.media[1], answer.media[1], h264, a, error));
  EXPECT_NE(error.find("cannot receive H264"), std::string::npos) << error;
  EXPECT_EQ(answer.media[1], before);

  // Same profile, another level: accepted.
  h264.codec.fmtp = "packetization-mode=1;profile-level-id=42e034";
  auto consumer = SdpRtpParameters::consumer(offer.media[1], answer.media[1], h264, a, error);
  ASSERT_TRUE(consumer) << error;
  EXPECT_EQ(consumer->codec.payloadType, 106);
}
