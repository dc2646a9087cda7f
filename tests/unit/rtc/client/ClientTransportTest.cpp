// ClientTransport against onair's own WebRtcServer over 127.0.0.1: the offer OfferWriter writes
// gives the server transport its remote parameters, an answer written from the server
// transport's and read back by AnswerReader gives the client its own; then ICE, DTLS and SRTP
// both ways.
#include "rtc/client/ClientTransport.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rtc/WebRtcServer.hpp"
#include "rtc/client/AnswerReader.hpp"
#include "rtc/client/OfferWriter.hpp"
#include "rtc/dtls/DtlsCertificate.hpp"
#include "rtc/sdp/SdpParser.hpp"
#include "rtc/sdp/SdpWriter.hpp"

using namespace onair::rtc;
using namespace onair::rtc::client;

namespace {

struct ServerEvents : WebRtcTransport::Listener {
  bool connected = false;
  std::vector<std::vector<uint8_t>> rtp;
  std::function<void(WebRtcTransport&)> onRtp;
  void OnWebRtcTransportConnected(WebRtcTransport&) override { connected = true; }
  void OnWebRtcTransportRtp(WebRtcTransport& transport, std::span<uint8_t> packet) override {
    rtp.emplace_back(packet.begin(), packet.end());
    if (onRtp) onRtp(transport);
  }
  void OnWebRtcTransportRtcp(WebRtcTransport&, std::span<uint8_t>) override {}
  void OnWebRtcTransportClosed(WebRtcTransport&, std::string_view) override {}
};

struct ClientEvents : ClientTransport::Listener {
  bool connected = false;
  std::optional<std::string> failure;
  std::vector<std::vector<uint8_t>> rtp;
  void OnClientTransportConnected(ClientTransport&) override { connected = true; }
  void OnClientTransportRtp(ClientTransport&, std::span<uint8_t> packet) override {
    rtp.emplace_back(packet.begin(), packet.end());
  }
  void OnClientTransportRtcp(ClientTransport&, std::span<uint8_t>) override {}
  void OnClientTransportFailed(ClientTransport&, std::string_view reason) override { failure = std::string(reason); }
};

std::vector<uint8_t> rtpPacket(uint16_t sequence, uint32_t ssrc, const std::string& payload) {
  std::vector<uint8_t> p = {0x80, 96, uint8_t(sequence >> 8), uint8_t(sequence), 0, 0, 0, 1,
                            uint8_t(ssrc >> 24), uint8_t(ssrc >> 16), uint8_t(ssrc >> 8), uint8_t(ssrc)};
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

// An answer as an SFU would write it for `transport`: ICE-lite, passive, the server's candidate.
std::string answerFor(const WebRtcTransport& transport, const WebRtcServer& server) {
  sdp::SessionDescription answer;
  answer.iceLite = true;
  sdp::MediaSection m;
  m.kind = "video";
  m.proto = "UDP/TLS/RTP/SAVPF";
  m.formats = {"96"};
  m.mid = "0";
  m.iceUfrag = transport.localUfrag();
  m.icePwd = transport.localPassword();
  const std::string fp = transport.fingerprint().toString();
  m.fingerprints.push_back({fp.substr(0, fp.find(' ')), fp.substr(fp.find(' ') + 1)});
  m.setup = sdp::DtlsSetup::Passive;
  m.candidates.push_back(server.candidate());
  m.ssrcs.push_back({0x0A0B0C0D, "cname", std::string("sfu")});
  answer.media.push_back(m);
  return sdp::SdpWriter::write(answer);
}

std::string transportFingerprint(const WebRtcTransport& transport) { return transport.fingerprint().toString(); }

class ClientTransportTest : public ::testing::Test {
 protected:
  void runUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(std::chrono::milliseconds(10));
      io.restart();
    }
  }

  boost::asio::io_context io;
  std::shared_ptr<const dtls::DtlsContext> serverContext =
      std::make_shared<dtls::DtlsContext>(dtls::DtlsCertificate::generate());
  std::shared_ptr<const dtls::DtlsContext> clientContext =
      std::make_shared<dtls::DtlsContext>(dtls::DtlsCertificate::generate());
  WebRtcServer server{io, serverContext, WebRtcServer::Options{}};
  ServerEvents serverEvents;
  ClientEvents clientEvents;
};

TEST_F(ClientTransportTest, OfferParsesWithSendAndReceiveSections) {
  ClientTransport client(io, clientContext, clientEvents, {});
  const std::vector<ClientTrack> tracks = {
      {ClientTrack::Kind::Audio, ClientTrack::Direction::Send, "0", 1111, "mic"},
      {ClientTrack::Kind::Video, ClientTrack::Direction::Receive, "1", 0, ""},
  };
  const std::string text = OfferWriter::write({client.localUfrag(), client.localPassword(), client.fingerprint()}, tracks);
  sdp::SdpError error;
  const auto offer = sdp::SdpParser::parse(text, error);
  ASSERT_TRUE(offer) << error.message();
  ASSERT_EQ(offer->media.size(), 2u);
  EXPECT_EQ(offer->media[0].direction, sdp::Direction::SendOnly);
  ASSERT_EQ(offer->media[0].ssrcs.size(), 2u);
  EXPECT_EQ(offer->media[0].ssrcs[0].ssrc, 1111u);
  EXPECT_EQ(offer->media[0].rtpFormats[0].rtpmap->encodingName, "opus");
  EXPECT_EQ(offer->media[1].direction, sdp::Direction::RecvOnly);
  EXPECT_EQ(offer->media[1].rtpFormats[0].rtpmap->encodingName, "VP8");
  EXPECT_EQ(offer->media[1].iceUfrag, client.localUfrag());
  ASSERT_NE(offer->group("BUNDLE"), nullptr);
  EXPECT_EQ(offer->group("BUNDLE")->mids, (std::vector<std::string>{"0", "1"}));
}

TEST_F(ClientTransportTest, AnswerReaderRefusesAnActiveAnswer) {
  WebRtcTransport& transport = server.createTransport(serverEvents);
  std::string text = answerFor(transport, server);
  text.replace(text.find("a=setup:passive"), 15, "a=setup:active");
  std::string error;
  EXPECT_FALSE(AnswerReader::read(text, error));
  EXPECT_NE(error.find("setup"), std::string::npos);
}

TEST_F(ClientTransportTest, AnswerReaderTakesSessionLevelTransportAndSkipsRejectedSections) {
  const std::string fingerprint = transportFingerprint(server.createTransport(serverEvents));
  const std::string text =
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=ice-ufrag:AbCdEfGh\r\n"
      "a=ice-pwd:0123456789abcdefghijklmn\r\na=fingerprint:" + fingerprint + "\r\na=setup:passive\r\n"
      "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=mid:a\r\n"
      "m=video 40000 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=rtpmap:96 VP8/90000\r\n"
      "a=candidate:1 1 udp 2130706431 ::1 40000 typ host\r\n";
  std::string error;
  const auto answer = AnswerReader::read(text, error);
  ASSERT_TRUE(answer) << error;
  EXPECT_EQ(answer->remote.iceUfrag, "AbCdEfGh");
  EXPECT_EQ(answer->remote.endpoint.address().to_string(), "::1");
  EXPECT_EQ(answer->remote.endpoint.port(), 40000);
  ASSERT_EQ(answer->sections.size(), 1u);
  EXPECT_EQ(answer->sections[0].mid, "v");
  EXPECT_EQ(answer->sections[0].payloadType, 96);
  EXPECT_FALSE(answer->sections[0].ssrc);
}

TEST_F(ClientTransportTest, ConnectsAndCarriesSrtpBothWays) {
  ClientTransport client(io, clientContext, clientEvents, {});
  WebRtcTransport& transport = server.createTransport(serverEvents);
  const std::vector<ClientTrack> tracks = {{ClientTrack::Kind::Video, ClientTrack::Direction::Send, "0", 0x11223344, ""}};
  sdp::SdpError sdpError;
  const auto offer =
      sdp::SdpParser::parse(OfferWriter::write({client.localUfrag(), client.localPassword(), client.fingerprint()}, tracks), sdpError);
  ASSERT_TRUE(offer);
  transport.setRemoteParameters({*offer->media[0].iceUfrag,
                                 *dtls::DtlsFingerprint::parse(offer->media[0].fingerprints[0].algorithm + " " +
                                                               offer->media[0].fingerprints[0].value),
                                 dtls::DtlsTransport::Role::Server});

  std::string error;
  const auto answer = AnswerReader::read(answerFor(transport, server), error);
  ASSERT_TRUE(answer) << error;
  ASSERT_EQ(answer->sections.size(), 1u);
  EXPECT_EQ(answer->sections[0].ssrc, 0x0A0B0C0Du);
  client.connect(answer->remote);
  runUntil([&] { return (client.connected() && serverEvents.connected) || clientEvents.failure; });
  ASSERT_FALSE(clientEvents.failure) << *clientEvents.failure;
  ASSERT_TRUE(clientEvents.connected);
  ASSERT_TRUE(serverEvents.connected);

  serverEvents.onRtp = [](WebRtcTransport& t) { t.sendRtp(rtpPacket(7, 0x0A0B0C0D, "pong")); };
  ASSERT_TRUE(client.sendRtp(rtpPacket(1, 0x11223344, "ping")));
  runUntil([&] { return !clientEvents.rtp.empty(); });
  ASSERT_EQ(serverEvents.rtp.size(), 1u);
  EXPECT_EQ(serverEvents.rtp[0], rtpPacket(1, 0x11223344, "ping"));
  ASSERT_EQ(clientEvents.rtp.size(), 1u);
  EXPECT_EQ(clientEvents.rtp[0], rtpPacket(7, 0x0A0B0C0D, "pong"));
  EXPECT_EQ(client.counters().srtpErrorsIn, 0u);
}

TEST_F(ClientTransportTest, FailsWhenTheRemoteNeverAnswers) {
  ClientTransport::Options options;
  options.checkInterval = std::chrono::milliseconds(5);
  options.maxChecks = 3;
  ClientTransport client(io, clientContext, clientEvents, options);
  WebRtcTransport& transport = server.createTransport(serverEvents);
  std::string error;
  auto answer = AnswerReader::read(answerFor(transport, server), error);
  ASSERT_TRUE(answer);
  answer->remote.icePassword = "wrong-password-wrong-password";  // the server drops unauthenticated checks
  client.connect(answer->remote);
  runUntil([&] { return clientEvents.failure.has_value(); });
  EXPECT_EQ(clientEvents.failure, "ice_timeout");
  EXPECT_FALSE(client.connected());
}

}  // namespace
