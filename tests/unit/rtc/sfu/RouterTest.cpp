// The Router over real UDP on 127.0.0.1: a publisher peer and subscriber peers (WebRtcPeer.hpp,
// onair's own pieces in the client role) connect to one WebRtcServer; the Router forwards the
// publisher's RTP and answers and generates RTCP.
#include "rtc/sfu/Router.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../WebRtcPeer.hpp"
#include "rtc/WebRtcServer.hpp"
#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/NackPacket.hpp"
#include "rtc/rtp/ReceiverReport.hpp"
#include "rtc/rtp/RembPacket.hpp"
#include "rtc/rtp/SenderReport.hpp"
#include "rtc/rtp/RtcpCompound.hpp"
#include "rtc/rtp/RtcpType.hpp"
#include "rtc/rtp/RtcpWriter.hpp"
#include "rtc/rtp/RtpPacket.hpp"
#include "rtc/sfu/RttEstimator.hpp"

using namespace onair::rtc;
using namespace onair::rtc::sfu;
using testpeer::Peer;
using namespace std::chrono_literals;

namespace {

constexpr uint32_t kVideoSsrc = 0x1111, kVideoRtxSsrc = 0x1112, kAudioSsrc = 0x2222;

struct Events : Router::Listener {
  std::vector<TransportId> connected, transportsClosed;
  std::vector<ProducerId> producersClosed;
  std::vector<ConsumerId> consumersClosed;
  void OnRouterTransportConnected(TransportId id) override { connected.push_back(id); }
  void OnRouterTransportClosed(TransportId id, std::string_view) override { transportsClosed.push_back(id); }
  void OnRouterProducerClosed(ProducerId id) override { producersClosed.push_back(id); }
  void OnRouterConsumerClosed(ConsumerId id) override { consumersClosed.push_back(id); }
};

// An RTP packet; `mid` (non-empty) adds a one-byte-form mid extension with id 4.
std::vector<uint8_t> rtpPacket(uint8_t pt, uint16_t seq, uint32_t timestamp, uint32_t ssrc, std::vector<uint8_t> payload,
                               const std::string& mid = {}) {
  std::vector<uint8_t> p = {uint8_t(mid.empty() ? 0x80 : 0x90), pt, uint8_t(seq >> 8), uint8_t(seq),
                            uint8_t(timestamp >> 24), uint8_t(timestamp >> 16), uint8_t(timestamp >> 8), uint8_t(timestamp),
                            uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8), uint8_t(ssrc)};
  if (!mid.empty()) {
    std::vector<uint8_t> ext = {uint8_t(0x40 | (mid.size() - 1))};
    ext.insert(ext.end(), mid.begin(), mid.end());
    while (ext.size() % 4 != 0) ext.push_back(0);
    const std::vector<uint8_t> header = {0xBE, 0xDE, 0, uint8_t(ext.size() / 4)};
    p.insert(p.end(), header.begin(), header.end());
    p.insert(p.end(), ext.begin(), ext.end());
  }
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

// VP8 (RFC 7741): descriptor S=1 PID=0, then the payload header whose P bit is 0 on a keyframe.
std::vector<uint8_t> vp8(bool keyframe, uint8_t marker) { return {0x10, uint8_t(keyframe ? 0x00 : 0x01), 0x9d, 0x01, 0x2a, marker}; }

// An RTX payload (RFC 4588): the original sequence number, then the original payload.
std::vector<uint8_t> rtxPayload(uint16_t originalSeq, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out(2 + payload.size());
  out[0] = uint8_t(originalSeq >> 8);
  out[1] = uint8_t(originalSeq);
  std::copy(payload.begin(), payload.end(), out.begin() + 2);
  return out;
}

// Generic feedback of `format` and `type` present in what a peer received.
bool receivedFeedback(const Peer& peer, uint8_t type, uint8_t format, uint32_t mediaSsrc) {
  for (const auto& bytes : peer.rtcp) {
    rtp::RtcpCompound compound(bytes);
    while (const auto view = compound.next()) {
      if (view->type == type && view->count == format && view->body.size() >= 8 && rtp::read32(&view->body[4]) == mediaSsrc) return true;
    }
  }
  return false;
}

std::vector<rtp::RtpPacket> parsedFrom(Peer& peer, uint32_t ssrc) {
  std::vector<rtp::RtpPacket> out;
  for (auto& bytes : peer.rtp) {
    auto packet = rtp::RtpPacket::parse(bytes);
    if (packet && packet->ssrc() == ssrc) out.push_back(*packet);
  }
  return out;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    WebRtcServer::Options options;
    options.listenAddress = "127.0.0.1";
    server = std::make_unique<WebRtcServer>(io, std::make_shared<dtls::DtlsContext>(dtls::DtlsCertificate::generate()), options);
    router = std::make_unique<Router>(io, *server, events);
  }

  bool runUntil(const std::function<bool()>& done) {
    const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < giveUp) {
      io.run_for(std::chrono::milliseconds(5));
      io.restart();
      for (auto& peer : peers) peer->dtls.onTimeout();
    }
    return done();
  }

  // A new transport with a peer connected to it (ICE, DTLS, SRTP).
  std::pair<TransportId, Peer*> connectedPeer() {
    const TransportId id = router->createTransport();
    WebRtcTransport& transport = *router->transport(id);
    peers.push_back(std::make_unique<Peer>(io));
    Peer* peer = peers.back().get();
    peer->server = testpeer::Endpoint(boost::asio::ip::make_address("127.0.0.1"), server->port());
    transport.setRemoteParameters({peer->ufrag, peer->certificate->fingerprint(), dtls::DtlsTransport::Role::Server});
    peer->check(transport, transport.localPassword(), true);
    EXPECT_TRUE(runUntil([&] { return !peer->stunResponses.empty(); }));
    peer->startDtls(transport.fingerprint());
    EXPECT_TRUE(runUntil([&] { return transport.connected() && peer->srtpIn; }));
    return {id, peer};
  }

  static ProducerParameters videoProducer() {
    ProducerParameters p;
    p.kind = "video";
    p.mid = "0";
    p.codec = {"VP8", 96, 90000, 0, 97, "", true, true, false};
    p.ssrc = kVideoSsrc;
    p.rtxSsrc = kVideoRtxSsrc;
    p.extensions.mid = 4;
    return p;
  }
  // One encoding of a simulcast video track (mid 0), without RTX.
  static ProducerParameters simulcastLayer(const std::string& rid, uint32_t ssrc) {
    ProducerParameters p = videoProducer();
    p.rid = rid;
    p.ssrc = ssrc;
    p.rtxSsrc.reset();
    return p;
  }
  static ProducerParameters audioProducer() {
    ProducerParameters p;
    p.kind = "audio";
    p.mid = "1";
    p.codec = {"opus", 111, 48000, 2, std::nullopt, "minptime=10;useinbandfec=1", false, false, false};
    p.ssrc = kAudioSsrc;
    p.extensions.mid = 4;
    return p;
  }
  static ConsumerParameters videoConsumer(uint32_t ssrc) {
    ConsumerParameters c;
    c.mid = "0";
    c.ssrc = ssrc;
    c.rtxSsrc = ssrc + 1;
    c.codec = {"VP8", 100, 90000, 0, 101, "", true, true, false};
    return c;
  }
  static ConsumerParameters audioConsumer(uint32_t ssrc) {
    ConsumerParameters c;
    c.mid = "1";
    c.ssrc = ssrc;
    c.codec = {"opus", 109, 48000, 2, std::nullopt, "", false, false, false};
    return c;
  }

  ProducerId produce(TransportId transport, const ProducerParameters& params) {
    std::string error;
    const auto id = router->produce(transport, params, error);
    EXPECT_TRUE(id) << error;
    return id.value_or(0);
  }
  ConsumerId consume(TransportId transport, ProducerId producer, const ConsumerParameters& params) {
    std::string error;
    const auto id = router->consume(transport, producer, params, error);
    EXPECT_TRUE(id) << error;
    return id.value_or(0);
  }

  boost::asio::io_context io;
  std::unique_ptr<WebRtcServer> server;
  Events events;
  std::unique_ptr<Router> router;
  std::vector<std::unique_ptr<Peer>> peers;
};

TEST_F(RouterTest, ForwardsToEachSubscriberWithItsOwnSsrcAndPayloadTypeStartingAtAKeyframe) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  const auto audio = produce(pubId, audioProducer());
  auto [subA, a] = connectedPeer();
  auto [subB, b] = connectedPeer();
  consume(subA, video, videoConsumer(0xA1));
  consume(subA, audio, audioConsumer(0xA5));
  consume(subB, video, videoConsumer(0xB1));
  consume(subB, audio, audioConsumer(0xB5));

  // A new video consumer asks the publisher for a keyframe and gets nothing before one.
  ASSERT_TRUE(runUntil([&] { return receivedFeedback(*publisher, rtp::rtcptype::PayloadFeedback, rtp::rtcptype::PictureLossIndication, kVideoSsrc); }));
  publisher->sendRtp(rtpPacket(96, 1000, 5000, kVideoSsrc, vp8(false, 1)));
  publisher->sendRtp(rtpPacket(96, 1001, 5000, kVideoSsrc, vp8(false, 2)));
  for (uint16_t i = 0; i < 3; ++i) publisher->sendRtp(rtpPacket(111, uint16_t(300 + i), 960u * i, kAudioSsrc, {0xf8, 0xff, uint8_t(i)}));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*a, 0xA5).size() == 3 && parsedFrom(*b, 0xB5).size() == 3; }));
  EXPECT_TRUE(parsedFrom(*a, 0xA1).empty());
  EXPECT_TRUE(parsedFrom(*b, 0xB1).empty());

  for (uint16_t i = 0; i < 3; ++i) {
    publisher->sendRtp(rtpPacket(96, uint16_t(1002 + i), 8000 + 3000u * i, kVideoSsrc, vp8(i == 0, uint8_t(10 + i)), "0"));
  }
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*a, 0xA1).size() == 3 && parsedFrom(*b, 0xB1).size() == 3; }));
  for (Peer* peer : {a, b}) {
    const uint32_t base = peer == a ? 0xA1 : 0xB1;
    const auto videoOut = parsedFrom(*peer, base);
    for (size_t i = 0; i < videoOut.size(); ++i) {
      EXPECT_EQ(videoOut[i].payloadType(), 100);
      EXPECT_EQ(videoOut[i].sequenceNumber(), uint16_t(videoOut[0].sequenceNumber() + i));
      EXPECT_EQ(videoOut[i].timestamp() - videoOut[0].timestamp(), 3000u * i);
      const auto expected = vp8(i == 0, uint8_t(10 + i));
      EXPECT_EQ(std::vector<uint8_t>(videoOut[i].payload().begin(), videoOut[i].payload().end()), expected);
      EXPECT_FALSE(videoOut[i].extension(4)) << "the mid extension is not forwarded";
    }
    const auto audioOut = parsedFrom(*peer, base + 4);
    for (size_t i = 0; i < audioOut.size(); ++i) {
      EXPECT_EQ(audioOut[i].payloadType(), 109);
      EXPECT_EQ(audioOut[i].sequenceNumber(), uint16_t(audioOut[0].sequenceNumber() + i));
      EXPECT_EQ(audioOut[i].payload().back(), i);
    }
  }
  const auto stats = router->producerStats(video);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->packets, 5u);
  EXPECT_EQ(stats->keyframes, 1u);
  EXPECT_GE(stats->keyframeRequestsSent, 1u);
  EXPECT_EQ(server->routerCounters().read(server->routerCounters().rtpForwarded), 12u);
}

TEST_F(RouterTest, BindsAnUnsignalledSsrcByTheMidExtensionAndDropsUnknownOnes) {
  auto [pubId, publisher] = connectedPeer();
  auto params = audioProducer();
  params.ssrc.reset();
  const auto audio = produce(pubId, params);
  auto [subId, sub] = connectedPeer();
  consume(subId, audio, audioConsumer(0xC1));
  publisher->sendRtp(rtpPacket(111, 1, 0, 0x7777, {1}));          // no mid: unknown
  publisher->sendRtp(rtpPacket(111, 2, 960, 0x7777, {2}, "1"));   // binds 0x7777
  publisher->sendRtp(rtpPacket(111, 3, 1920, 0x7777, {3}));       // known now
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0xC1).size() == 2; }));
  EXPECT_EQ(server->routerCounters().dropped(RouterCounters::Drop::UnknownSsrc), 1u);
}

TEST_F(RouterTest, AnswersASubscriberNackWithAnRtxRetransmissionFromTheProducersBuffer) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  auto [subId, sub] = connectedPeer();
  const auto consumer = consume(subId, video, videoConsumer(0xD1));
  for (uint16_t i = 0; i < 3; ++i) publisher->sendRtp(rtpPacket(96, uint16_t(50 + i), 9000, kVideoSsrc, vp8(i == 0, uint8_t(i))));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0xD1).size() == 3; }));
  const uint16_t lost = parsedFrom(*sub, 0xD1)[1].sequenceNumber();

  std::array<uint8_t, 64> buffer{};
  rtp::RtcpWriter writer(buffer);
  writer.nack({0x99, 0xD1, {lost}});
  sub->sendRtcp(std::vector<uint8_t>(writer.written().begin(), writer.written().end()));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0xD2).size() == 1; }));
  const auto rtx = parsedFrom(*sub, 0xD2)[0];
  EXPECT_EQ(rtx.payloadType(), 101);
  const auto payload = rtx.payload();
  ASSERT_GE(payload.size(), 2u);
  EXPECT_EQ(rtp::read16(payload.data()), lost);  // the OSN, then the original payload
  const auto original = vp8(false, 1);
  EXPECT_EQ(std::vector<uint8_t>(payload.begin() + 2, payload.end()), original);
  EXPECT_EQ(router->consumerStats(consumer)->retransmitted, 1u);
  EXPECT_EQ(router->consumerStats(consumer)->nacksReceived, 1u);
}

TEST_F(RouterTest, NacksAGapFromThePublisherUpstream) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  publisher->sendRtp(rtpPacket(96, 200, 0, kVideoSsrc, vp8(true, 0)));
  publisher->sendRtp(rtpPacket(96, 203, 0, kVideoSsrc, vp8(false, 3)));
  ASSERT_TRUE(runUntil([&] { return receivedFeedback(*publisher, rtp::rtcptype::TransportFeedback, rtp::rtcptype::GenericNack, kVideoSsrc); }));
  for (const auto& bytes : publisher->rtcp) {
    rtp::RtcpCompound compound(bytes);
    while (const auto view = compound.next()) {
      if (const auto nack = rtp::NackPacket::parse(*view)) EXPECT_EQ(nack->lost, (std::vector<uint16_t>{201, 202}));
    }
  }
  EXPECT_GE(router->producerStats(video)->nacksSent, 1u);
  EXPECT_FALSE(router->producerStats(video)->rttMeasured);
  EXPECT_EQ(router->producerStats(video)->rtt, RttEstimator::kInitial);
  // An RTX repair of one of them is unwrapped and counted as a packet of the producer.
  publisher->sendRtp(rtpPacket(97, 7, 0, kVideoRtxSsrc, rtxPayload(201, vp8(false, 1))));
  ASSERT_TRUE(runUntil([&] { return router->producerStats(video)->packets == 3; }));
  // 201 was NACKed once (unless a retry went out meanwhile): its repair measured the round trip.
  if (router->producerStats(video)->nacksSent == 1) EXPECT_TRUE(router->producerStats(video)->rttMeasured);
}

TEST_F(RouterTest, APausedVideoConsumerResumesAtAKeyframeWithContinuousSequenceNumbers) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  auto [subId, sub] = connectedPeer();
  const auto consumer = consume(subId, video, videoConsumer(0xF1));
  publisher->sendRtp(rtpPacket(96, 10, 0, kVideoSsrc, vp8(true, 0)));
  publisher->sendRtp(rtpPacket(96, 11, 3000, kVideoSsrc, vp8(false, 1)));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0xF1).size() == 2; }));

  router->pauseConsumer(consumer);
  publisher->sendRtp(rtpPacket(96, 12, 6000, kVideoSsrc, vp8(false, 2)));
  ASSERT_TRUE(runUntil([&] { return router->producerStats(video)->packets == 3; }));
  router->resumeConsumer(consumer);
  publisher->sendRtp(rtpPacket(96, 13, 9000, kVideoSsrc, vp8(false, 3)));  // not a keyframe: held back
  publisher->sendRtp(rtpPacket(96, 14, 12000, kVideoSsrc, vp8(true, 4)));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0xF1).size() == 3; }));
  const auto out = parsedFrom(*sub, 0xF1);
  EXPECT_EQ(out[2].payload().back(), 4);
  EXPECT_EQ(out[2].sequenceNumber(), uint16_t(out[1].sequenceNumber() + 1));
  EXPECT_GE(router->producerStats(video)->keyframeRequestsSent, 1u);
}

TEST_F(RouterTest, SendsAPublishersKeyframeRequestForASubscribersPli) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  auto [subId, sub] = connectedPeer();
  const auto consumer = consume(subId, video, videoConsumer(0x71));
  ASSERT_TRUE(runUntil([&] { return router->producerStats(video)->keyframeRequestsSent == 1; }));
  std::array<uint8_t, 64> buffer{};
  rtp::RtcpWriter writer(buffer);
  writer.pli({0x99, 0x71});
  sub->sendRtcp(std::vector<uint8_t>(writer.written().begin(), writer.written().end()));
  ASSERT_TRUE(runUntil([&] { return router->consumerStats(consumer)->keyframeRequestsReceived == 1; }));
  // Inside the limiter's window it waits, then goes upstream.
  ASSERT_TRUE(runUntil([&] { return router->producerStats(video)->keyframeRequestsSent == 2; }));
}

// PLIs the publisher received for `mediaSsrc`.
size_t receivedPlis(const Peer& peer, uint32_t mediaSsrc) {
  size_t count = 0;
  for (const auto& bytes : peer.rtcp) {
    rtp::RtcpCompound compound(bytes);
    while (const auto view = compound.next()) {
      if (view->type == rtp::rtcptype::PayloadFeedback && view->count == rtp::rtcptype::PictureLossIndication &&
          view->body.size() >= 8 && rtp::read32(&view->body[4]) == mediaSsrc) {
        ++count;
      }
    }
  }
  return count;
}

TEST_F(RouterTest, AKeyframeRequestTheNetworkLostIsSentAgainWhileASubscriberWaits) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  auto [subId, sub] = connectedPeer();
  consume(subId, video, videoConsumer(0x61));
  ASSERT_TRUE(runUntil([&] { return receivedPlis(*publisher, kVideoSsrc) == 1; }));
  // No keyframe comes (the PLI was lost on the way): the router asks again, and again.
  ASSERT_TRUE(runUntil([&] { return receivedPlis(*publisher, kVideoSsrc) == 3; }));
  publisher->sendRtp(rtpPacket(96, 1, 0, kVideoSsrc, vp8(true, 0)));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0x61).size() == 1; }));
  // Answered: no more requests.
  const size_t sent = router->producerStats(video)->keyframeRequestsSent;
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  runUntil([&] { return std::chrono::steady_clock::now() >= until; });
  EXPECT_EQ(router->producerStats(video)->keyframeRequestsSent, sent);
}

TEST_F(RouterTest, ARepairOfAnOldKeyframeNeitherStartsAWaitingSubscriberNorAnswersTheRequest) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  publisher->sendRtp(rtpPacket(96, 20, 0, kVideoSsrc, vp8(true, 0)));
  publisher->sendRtp(rtpPacket(96, 21, 3000, kVideoSsrc, vp8(false, 1)));
  ASSERT_TRUE(runUntil([&] { return router->producerStats(video)->packets == 2; }));
  auto [subId, sub] = connectedPeer();
  consume(subId, video, videoConsumer(0x63));
  ASSERT_TRUE(runUntil([&] { return receivedPlis(*publisher, kVideoSsrc) == 1; }));

  // An RTX repair of packet 20, the old keyframe's start, then the stream goes on without one.
  publisher->sendRtp(rtpPacket(97, 1, 0, kVideoRtxSsrc, rtxPayload(20, vp8(true, 0))));
  publisher->sendRtp(rtpPacket(96, 22, 6000, kVideoSsrc, vp8(false, 2)));
  ASSERT_TRUE(runUntil([&] { return router->producerStats(video)->packets == 4; }));
  EXPECT_EQ(server->routerCounters().read(server->routerCounters().rtpForwarded), 0u) << "started at a stale keyframe";
  EXPECT_EQ(router->producerStats(video)->keyframes, 1u);
  ASSERT_TRUE(runUntil([&] { return receivedPlis(*publisher, kVideoSsrc) == 2; })) << "the request still waits for an answer";

  // The answer's first packet comes after its second (reordered): it still starts the subscriber.
  publisher->sendRtp(rtpPacket(96, 24, 9000, kVideoSsrc, vp8(false, 4)));
  publisher->sendRtp(rtpPacket(96, 23, 9000, kVideoSsrc, vp8(true, 3)));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0x63).size() == 1; }));
  EXPECT_EQ(parsedFrom(*sub, 0x63)[0].payload().back(), 3);
  EXPECT_EQ(router->producerStats(video)->keyframes, 2u);
}

TEST_F(RouterTest, TheAnsweringKeyframeCountsWhenItsFirstPacketIsRepairedAfterLaterFrames) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  publisher->sendRtp(rtpPacket(96, 500, 0, kVideoSsrc, vp8(false, 0)));
  ASSERT_TRUE(runUntil([&] { return router->producerStats(video)->packets == 1; }));
  auto [subId, sub] = connectedPeer();
  consume(subId, video, videoConsumer(0x64));
  ASSERT_TRUE(runUntil([&] { return receivedPlis(*publisher, kVideoSsrc) == 1; }));
  // The answer starts at 501, which the network loses; two later frames arrive, then its repair.
  publisher->sendRtp(rtpPacket(96, 502, 3000, kVideoSsrc, vp8(false, 2)));
  publisher->sendRtp(rtpPacket(96, 503, 6000, kVideoSsrc, vp8(false, 3)));
  publisher->sendRtp(rtpPacket(97, 1, 3000, kVideoRtxSsrc, rtxPayload(501, vp8(true, 1))));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0x64).size() == 1; }));
  EXPECT_EQ(parsedFrom(*sub, 0x64)[0].payload().back(), 1);
  EXPECT_EQ(router->producerStats(video)->keyframes, 1u);
}

TEST_F(RouterTest, NoKeyframeRequestIsRetriedWhenNoSubscriberWaits) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  auto [subId, sub] = connectedPeer();
  const auto consumer = consume(subId, video, videoConsumer(0x62));
  ASSERT_TRUE(runUntil([&] { return receivedPlis(*publisher, kVideoSsrc) == 1; }));
  router->pauseConsumer(consumer);  // the only waiting consumer no longer waits
  const auto until = std::chrono::steady_clock::now() + 1500ms;
  runUntil([&] { return std::chrono::steady_clock::now() >= until; });
  EXPECT_EQ(router->producerStats(video)->keyframeRequestsSent, 1u);
}

TEST_F(RouterTest, GeneratesReceiverReportsAndRembUpstreamAndSenderReportsDownstream) {
  auto [pubId, publisher] = connectedPeer();
  const auto audio = produce(pubId, audioProducer());
  const auto video = produce(pubId, videoProducer());
  auto [subId, sub] = connectedPeer();
  consume(subId, audio, audioConsumer(0x81));
  publisher->sendRtp(rtpPacket(111, 1, 0, kAudioSsrc, {1}));
  publisher->sendRtp(rtpPacket(96, 1, 0, kVideoSsrc, vp8(true, 0)));
  const auto has = [](const Peer& peer, auto match) {
    for (const auto& bytes : peer.rtcp) {
      rtp::RtcpCompound compound(bytes);
      while (const auto view = compound.next()) {
        if (match(*view)) return true;
      }
    }
    return false;
  };
  ASSERT_TRUE(runUntil([&] {
    return has(*publisher, [](const rtp::RtcpPacketView& v) {
             const auto rr = rtp::ReceiverReport::parse(v);
             return rr && rr->reports.size() == 2;
           }) &&
           has(*publisher, [](const rtp::RtcpPacketView& v) {
             const auto remb = rtp::RembPacket::parse(v);
             return remb && remb->bitrate >= 2'900'000 && remb->ssrcs == std::vector<uint32_t>{kVideoSsrc};
           }) &&
           has(*sub, [](const rtp::RtcpPacketView& v) {
             const auto sr = rtp::SenderReport::parse(v);
             return sr && sr->ssrc == 0x81 && sr->packetCount == 1;
           });
  }));
}

TEST_F(RouterTest, ClosingThePublisherTransportReportsItsProducersAndTheirConsumers) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  const auto audio = produce(pubId, audioProducer());
  auto [subId, sub] = connectedPeer();
  const auto c1 = consume(subId, video, videoConsumer(0xE1));
  const auto c2 = consume(subId, audio, audioConsumer(0xE5));
  std::string error;
  EXPECT_FALSE(router->produce(pubId, videoProducer(), error)) << "the ssrc is taken";
  EXPECT_FALSE(router->consume(subId, video, videoConsumer(0xE1), error)) << "the consumer ssrc is taken";

  router->closeTransport(pubId);
  EXPECT_EQ(events.transportsClosed, std::vector<TransportId>{pubId});
  EXPECT_EQ(events.producersClosed.size(), 2u);
  EXPECT_EQ(events.consumersClosed.size(), 2u);
  EXPECT_TRUE(std::find(events.consumersClosed.begin(), events.consumersClosed.end(), c1) != events.consumersClosed.end());
  EXPECT_TRUE(std::find(events.producersClosed.begin(), events.producersClosed.end(), audio) != events.producersClosed.end());
  EXPECT_FALSE(router->consumerStats(c2));
  EXPECT_EQ(router->transport(pubId), nullptr);
  EXPECT_EQ(router->transportCount(), 1u);
  EXPECT_EQ(router->producerCount(), 0u);
  EXPECT_EQ(router->consumerCount(), 0u);
}

TEST_F(RouterTest, ChurnOfFiftyTransportsLeavesNothingBehind) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  std::vector<TransportId> ids;
  for (uint32_t i = 0; i < 50; ++i) {
    ids.push_back(router->createTransport());
    consume(ids.back(), video, videoConsumer(0x100 + i));
  }
  EXPECT_EQ(router->consumerCount(), 50u);
  for (const auto id : ids) router->closeTransport(id);
  router->closeProducer(video);
  router->closeTransport(pubId);
  runUntil([&] { return server->transportCount() == 0; });
  EXPECT_EQ(router->transportCount(), 0u);
  EXPECT_EQ(router->producerCount(), 0u);
  EXPECT_EQ(router->consumerCount(), 0u);
  EXPECT_EQ(server->transportCount(), 0u);
  EXPECT_EQ(server->tupleCount(), 0u);
  EXPECT_EQ(events.transportsClosed.size(), 51u);
  EXPECT_EQ(events.consumersClosed.size(), 50u);
  EXPECT_TRUE(events.producersClosed.empty()) << "closeProducer is not reported";
}

TEST_F(RouterTest, ClosingAProducerReportsItsConsumersButNotItself) {
  auto [pubId, publisher] = connectedPeer();
  const auto video = produce(pubId, videoProducer());
  const auto subId = router->createTransport();
  const auto consumer = consume(subId, video, videoConsumer(0x91));
  router->closeProducer(video);
  EXPECT_EQ(events.consumersClosed, std::vector<ConsumerId>{consumer});
  EXPECT_TRUE(events.producersClosed.empty());
  EXPECT_EQ(router->consumerCount(), 0u);
  std::string error;
  EXPECT_TRUE(router->produce(pubId, videoProducer(), error)) << "its ssrc and mid are free again: " << error;
}

TEST_F(RouterTest, DestroyingTheRouterClosesItsTransportsWithoutReporting) {
  auto [pubId, publisher] = connectedPeer();
  produce(pubId, videoProducer());
  router.reset();
  EXPECT_TRUE(events.transportsClosed.empty());
  runUntil([&] { return server->transportCount() == 0; });
  EXPECT_EQ(server->transportCount(), 0u);
}

}  // namespace

TEST_F(RouterTest, ASimulcastConsumerSwitchesEncodingsAtAKeyframeWithContinuousNumbers) {
  auto [pubId, publisher] = connectedPeer();
  const ProducerParameters low = simulcastLayer("l", 0x1001);
  const ProducerParameters high = simulcastLayer("h", 0x1002);
  const auto lowId = produce(pubId, low);
  const auto highId = produce(pubId, high);
  std::string error;
  EXPECT_FALSE(router->produce(pubId, high, error)) << "mid 0 rid h is taken";
  auto [subId, sub] = connectedPeer();
  const auto consumer = consume(subId, lowId, videoConsumer(0xF1));
  publisher->sendRtp(rtpPacket(96, 100, 0, 0x1001, vp8(true, 0)));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0xF1).size() == 1; }));

  ASSERT_TRUE(router->switchProducer(consumer, highId, error)) << error;
  EXPECT_GE(router->producerStats(highId)->keyframeRequestsSent, 1u) << "a keyframe of the new encoding is asked for";
  publisher->sendRtp(rtpPacket(96, 5000, 90000, 0x1002, vp8(false, 1)));  // not a keyframe: not yet
  publisher->sendRtp(rtpPacket(96, 101, 3000, 0x1001, vp8(false, 2)));    // the old one still flows
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0xF1).size() == 2; }));
  publisher->sendRtp(rtpPacket(96, 5001, 93000, 0x1002, vp8(true, 3)));   // the switch
  publisher->sendRtp(rtpPacket(96, 102, 6000, 0x1001, vp8(false, 4)));    // the old one no more
  publisher->sendRtp(rtpPacket(96, 5002, 96000, 0x1002, vp8(false, 5)));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0xF1).size() == 4; }));
  ASSERT_TRUE(runUntil([&] { return router->producerStats(lowId)->packets == 3; }));
  const auto out = parsedFrom(*sub, 0xF1);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[1].payload().back(), 2);
  EXPECT_EQ(out[2].payload().back(), 3);
  EXPECT_EQ(out[3].payload().back(), 5);
  for (size_t i = 1; i < out.size(); ++i) EXPECT_EQ(out[i].sequenceNumber(), uint16_t(out[0].sequenceNumber() + i));

  // Closing the encoding it receives leaves the consumer in place (on the other one only while
  // switching); closing the one it switched from changes nothing.
  router->closeProducer(lowId);
  EXPECT_EQ(router->consumerCount(), 1u);
}

TEST_F(RouterTest, ASwitchWhoseKeyframeCameWhilePausedAsksForAnotherOnResume) {
  auto [pubId, publisher] = connectedPeer();
  const ProducerParameters low = simulcastLayer("l", 0x1001);
  const ProducerParameters high = simulcastLayer("h", 0x1002);
  const auto lowId = produce(pubId, low);
  const auto highId = produce(pubId, high);
  auto [subId, sub] = connectedPeer();
  const auto consumer = consume(subId, lowId, videoConsumer(0xF1));
  publisher->sendRtp(rtpPacket(96, 100, 0, 0x1001, vp8(true, 0)));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0xF1).size() == 1; }));
  std::string error;
  ASSERT_TRUE(router->switchProducer(consumer, highId, error)) << error;
  ASSERT_TRUE(runUntil([&] { return receivedPlis(*publisher, 0x1002) == 1; }));
  router->pauseConsumer(consumer);
  publisher->sendRtp(rtpPacket(96, 5000, 90000, 0x1002, vp8(true, 1)));  // answers the request; the paused consumer skips it
  ASSERT_TRUE(runUntil([&] { return router->producerStats(highId)->keyframes == 1; }));
  router->resumeConsumer(consumer);
  ASSERT_TRUE(runUntil([&] { return receivedPlis(*publisher, 0x1002) == 2; })) << "the switch needs a keyframe of its own";
  publisher->sendRtp(rtpPacket(96, 5001, 93000, 0x1002, vp8(true, 2)));
  ASSERT_TRUE(runUntil([&] { return parsedFrom(*sub, 0xF1).size() == 2; }));
  EXPECT_EQ(parsedFrom(*sub, 0xF1).back().payload().back(), 2);
}
