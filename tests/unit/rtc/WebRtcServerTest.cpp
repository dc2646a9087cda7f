// WebRtcServer and WebRtcTransport over real UDP on 127.0.0.1 ephemeral ports. The peer is made of
// onair's own pieces in the other role: StunBuilder writes its connectivity checks, a client-role
// DtlsTransport does the handshake, SrtpSessions keyed from it protect and unprotect media.
#include "rtc/WebRtcServer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/UdpSocket.hpp"
#include "rtc/PacketClassifier.hpp"
#include "rtc/dtls/DtlsCertificate.hpp"
#include "rtc/dtls/DtlsContext.hpp"
#include "rtc/dtls/DtlsTransport.hpp"
#include "rtc/ice/StunBuilder.hpp"
#include "rtc/ice/StunMessage.hpp"
#include "rtc/srtp/SrtpSession.hpp"
#include "WebRtcPeer.hpp"

using namespace onair::rtc;
using onair::net::UdpSocket;
using Endpoint = UdpSocket::Endpoint;
using Verdict = ice::IceLiteResponder::Verdict;

namespace {

// What the server side's transport listener saw.
struct TransportEvents : WebRtcTransport::Listener {
  bool connected = false;
  std::optional<std::string> closedReason;
  std::vector<std::vector<uint8_t>> rtp, rtcp;
  std::function<void(WebRtcTransport&)> onConnected;

  void OnWebRtcTransportConnected(WebRtcTransport& transport) override {
    connected = true;
    if (onConnected) onConnected(transport);
  }
  std::function<void(WebRtcTransport&)> onRtp;

  void OnWebRtcTransportRtp(WebRtcTransport& transport, std::span<uint8_t> packet) override {
    rtp.emplace_back(packet.begin(), packet.end());
    if (onRtp) onRtp(transport);
  }
  void OnWebRtcTransportRtcp(WebRtcTransport&, std::span<uint8_t> packet) override { rtcp.emplace_back(packet.begin(), packet.end()); }
  void OnWebRtcTransportClosed(WebRtcTransport&, std::string_view reason) override { closedReason = std::string(reason); }
};

using testpeer::Peer;

class WebRtcServerTest : public ::testing::Test {
 protected:
  std::unique_ptr<WebRtcServer> makeServer(std::chrono::milliseconds consentTimeout = std::chrono::seconds(30)) {
    WebRtcServer::Options options;
    options.listenAddress = "127.0.0.1";
    options.port = 0;
    options.consentTimeout = consentTimeout;
    return std::make_unique<WebRtcServer>(io, serverContext, options);
  }

  std::unique_ptr<Peer> makePeer(const WebRtcServer& server) {
    auto peer = std::make_unique<Peer>(io);
    peer->server = Endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port());
    return peer;
  }

  // Runs the loop until `done` or a generous bound (a failing test ends, never hangs). Peers'
  // DTLS timers are driven here too.
  bool runUntil(const std::function<bool()>& done, std::vector<Peer*> peers = {}) {
    const auto giveUp = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < giveUp) {
      io.run_for(std::chrono::milliseconds(5));
      io.restart();
      for (Peer* peer : peers) peer->dtls.onTimeout();
    }
    return done();
  }

  static WebRtcTransport::RemoteParameters remoteOf(const Peer& peer) {
    return {peer.ufrag, peer.certificate->fingerprint(), dtls::DtlsTransport::Role::Server};
  }

  static std::optional<ice::StunMessage> response(const std::vector<uint8_t>& bytes) { return ice::StunMessage::parse(bytes); }

  boost::asio::io_context io;
  std::shared_ptr<const dtls::DtlsContext> serverContext =
      std::make_shared<dtls::DtlsContext>(dtls::DtlsCertificate::generate());
};

TEST_F(WebRtcServerTest, CompletesIceDtlsAndSrtpAndCarriesMediaBothWays) {
  auto server = makeServer();
  TransportEvents events;
  WebRtcTransport& transport = server->createTransport(events);
  EXPECT_EQ(transport.candidate().port, server->port());
  EXPECT_EQ(transport.candidate().address, "127.0.0.1");
  EXPECT_EQ(transport.fingerprint(), serverContext->certificate().fingerprint());
  EXPECT_GE(transport.localPassword().size(), 22u);

  auto peer = makePeer(*server);
  transport.setRemoteParameters(remoteOf(*peer));

  // ICE: a nominating check is answered with the peer's address, signed with the transport's password.
  const auto id = peer->check(transport, transport.localPassword(), /*nominate=*/true);
  ASSERT_TRUE(runUntil([&] { return !peer->stunResponses.empty(); }));
  const auto answer = response(peer->stunResponses[0]);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->messageClass(), ice::StunMessage::Class::SuccessResponse);
  EXPECT_EQ(answer->transactionId(), id);
  EXPECT_TRUE(answer->checkIntegrity(transport.localPassword()));
  EXPECT_TRUE(answer->checkFingerprint());
  ASSERT_TRUE(answer->xorMappedAddress());
  EXPECT_EQ(answer->xorMappedAddress()->port, peer->socket.localPort());
  EXPECT_EQ(answer->xorMappedAddress()->ipText(), "127.0.0.1");
  ASSERT_TRUE(transport.selectedTuple());
  EXPECT_EQ(*transport.selectedTuple(), peer->socket.localEndpoint());
  EXPECT_EQ(server->tupleCount(), 1u);

  // DTLS: the peer is the client; both ends get keys.
  peer->startDtls(transport.fingerprint());
  ASSERT_TRUE(runUntil([&] { return events.connected && peer->srtpIn; }, {peer.get()}));
  EXPECT_TRUE(transport.connected());

  // SRTP peer → server: unprotected once and handed up.
  const auto up = Peer::rtpPacket(1, "from the peer");
  peer->sendRtp(up);
  peer->sendRtcp(Peer::rtcpPacket());
  ASSERT_TRUE(runUntil([&] { return events.rtp.size() == 1 && events.rtcp.size() == 1; }));
  EXPECT_EQ(events.rtp[0], up);
  EXPECT_EQ(events.rtcp[0], Peer::rtcpPacket());

  // SRTP server → peer through the socket's batch.
  const auto down = Peer::rtpPacket(7, "from the server");
  EXPECT_TRUE(transport.sendRtp(down));
  EXPECT_TRUE(transport.sendRtcp(Peer::rtcpPacket()));
  ASSERT_TRUE(runUntil([&] { return peer->rtp.size() == 1 && peer->rtcp.size() == 1; }));
  EXPECT_EQ(peer->rtp[0], down);
  EXPECT_EQ(peer->rtcp[0], Peer::rtcpPacket());
  EXPECT_EQ(server->counters().transportsConnected.load(), 1u);
}

TEST_F(WebRtcServerTest, TakesTheDtlsClientRoleOnceAPairIsNominated) {
  auto server = makeServer();
  TransportEvents events;
  WebRtcTransport& transport = server->createTransport(events);
  auto peer = makePeer(*server);
  // The answer said a=setup:active: onair sends the ClientHello, to the nominated address.
  auto remote = remoteOf(*peer);
  remote.dtlsRole = dtls::DtlsTransport::Role::Client;
  transport.setRemoteParameters(remote);
  peer->startDtls(transport.fingerprint(), dtls::DtlsTransport::Role::Server);
  EXPECT_EQ(transport.dtlsState(), dtls::DtlsTransport::State::New);

  peer->check(transport, transport.localPassword(), true);
  ASSERT_TRUE(runUntil([&] { return events.connected && peer->srtpIn; }, {peer.get()}));
  const auto down = Peer::rtpPacket(3, "server was the DTLS client");
  EXPECT_TRUE(transport.sendRtp(down));
  ASSERT_TRUE(runUntil([&] { return peer->rtp.size() == 1; }));
  EXPECT_EQ(peer->rtp[0], down);
}

TEST_F(WebRtcServerTest, CountsAReplayedSrtpPacketByItsReason) {
  auto server = makeServer();
  TransportEvents events;
  WebRtcTransport& transport = server->createTransport(events);
  auto peer = makePeer(*server);
  transport.setRemoteParameters(remoteOf(*peer));
  peer->check(transport, transport.localPassword(), true);
  ASSERT_TRUE(runUntil([&] { return !peer->stunResponses.empty(); }));
  peer->startDtls(transport.fingerprint());
  ASSERT_TRUE(runUntil([&] { return events.connected && peer->srtpIn; }, {peer.get()}));

  const auto packet = Peer::rtpPacket(42, "once");
  std::vector<uint8_t> buffer(packet.size() + srtp::SrtpSession::kMaxTrailerBytes);
  std::copy(packet.begin(), packet.end(), buffer.begin());
  size_t length = packet.size();
  ASSERT_EQ(peer->srtpOut->protectRtp(buffer, length), srtp::SrtpSession::Error::None);
  peer->socket.send(std::span<const uint8_t>(buffer.data(), length), peer->server);
  peer->socket.send(std::span<const uint8_t>(buffer.data(), length), peer->server);
  ASSERT_TRUE(runUntil([&] { return server->counters().srtpFailures(srtp::SrtpSession::Error::Replay) == 1; }));
  EXPECT_EQ(events.rtp.size(), 1u);
}

TEST_F(WebRtcServerTest, DropsChecksWithBadIntegrityOrAnUnknownUfragWithoutAnswer) {
  auto server = makeServer();
  TransportEvents events;
  WebRtcTransport& transport = server->createTransport(events);
  auto peer = makePeer(*server);
  transport.setRemoteParameters(remoteOf(*peer));

  peer->check(transport, "not-the-password-at-all", true);
  ASSERT_TRUE(runUntil([&] { return server->counters().rejected(Verdict::BadIntegrity) == 1; }));
  EXPECT_EQ(server->tupleCount(), 0u);
  EXPECT_FALSE(transport.selectedTuple());

  // A transport nobody created.
  TransportEvents otherEvents;
  WebRtcTransport& other = server->createTransport(otherEvents);
  const std::string otherPassword = other.localPassword();
  other.close();
  peer->check(other, otherPassword, true);
  ASSERT_TRUE(runUntil([&] { return server->counters().dropped(WebRtcCounters::Drop::UnknownUfrag) == 1; }));

  // DTLS from an address no valid check came from.
  const std::vector<uint8_t> dtlsLike = {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  peer->socket.send(dtlsLike, peer->server);
  ASSERT_TRUE(runUntil([&] { return server->counters().dropped(WebRtcCounters::Drop::UnknownAddress) == 1; }));

  // /metrics sees each reason under its label.
  std::map<std::string, uint64_t> labels;
  server->counters().forEachDrop([&](std::string_view reason, uint64_t count) { labels[std::string(reason)] = count; });
  EXPECT_EQ(labels["stun_bad_integrity"], 1u);
  EXPECT_EQ(labels["unknown_ufrag"], 1u);
  EXPECT_EQ(labels["unknown_address"], 1u);
  EXPECT_EQ(labels["srtp_replay"], 0u);
  EXPECT_FALSE(labels.contains("stun_answered"));

  // Then a good check: its answer is the only one the peer ever got.
  const auto good = peer->check(transport, transport.localPassword(), true);
  ASSERT_TRUE(runUntil([&] { return !peer->stunResponses.empty(); }));
  ASSERT_EQ(peer->stunResponses.size(), 1u);
  EXPECT_EQ(response(peer->stunResponses[0])->transactionId(), good);
  EXPECT_EQ(server->tupleCount(), 1u);
}

TEST_F(WebRtcServerTest, AListenerMayCloseTheTransportFromInsideItsCallback) {
  auto server = makeServer();
  TransportEvents events;
  events.onRtp = [](WebRtcTransport& transport) { transport.close(); };
  WebRtcTransport& transport = server->createTransport(events);
  auto peer = makePeer(*server);
  transport.setRemoteParameters(remoteOf(*peer));
  peer->check(transport, transport.localPassword(), true);
  ASSERT_TRUE(runUntil([&] { return !peer->stunResponses.empty(); }));
  peer->startDtls(transport.fingerprint());
  ASSERT_TRUE(runUntil([&] { return events.connected && peer->srtpIn; }, {peer.get()}));

  // Two packets in one batch: the first closes the transport, the second finds its address unknown.
  peer->sendRtp(Peer::rtpPacket(1, "a"));
  peer->sendRtp(Peer::rtpPacket(2, "b"));
  ASSERT_TRUE(runUntil([&] { return server->counters().dropped(WebRtcCounters::Drop::UnknownAddress) == 1; }));
  EXPECT_EQ(events.rtp.size(), 1u);
  EXPECT_EQ(events.closedReason, "closed");
  EXPECT_EQ(server->transportCount(), 0u);
  EXPECT_EQ(server->tupleCount(), 0u);
}

TEST_F(WebRtcServerTest, APeerWhoseCertificateDoesNotMatchTheOfferNeverConnects) {
  auto server = makeServer();
  TransportEvents events;
  WebRtcTransport& transport = server->createTransport(events);
  auto peer = makePeer(*server);
  // The offer announces another certificate than the one the peer's handshake presents.
  auto remote = remoteOf(*peer);
  remote.fingerprint = dtls::DtlsCertificate::generate()->fingerprint();
  transport.setRemoteParameters(remote);

  peer->check(transport, transport.localPassword(), true);
  ASSERT_TRUE(runUntil([&] { return !peer->stunResponses.empty(); }));
  peer->startDtls(transport.fingerprint());
  ASSERT_TRUE(runUntil([&] { return events.closedReason.has_value(); }, {peer.get()}));
  EXPECT_EQ(*events.closedReason, "dtls_fingerprint_mismatch");
  EXPECT_EQ(server->counters().dtlsFailures(WebRtcCounters::DtlsFailure::FingerprintMismatch), 1u);
  EXPECT_EQ(server->counters().dtlsFailures(WebRtcCounters::DtlsFailure::Other), 0u);
  EXPECT_FALSE(events.connected);
  EXPECT_EQ(server->transportCount(), 0u);
  EXPECT_EQ(server->tupleCount(), 0u);
}

TEST_F(WebRtcServerTest, LeavesNothingBehindAfterTransportsComeAndGo) {
  auto server = makeServer();
  constexpr size_t kTransports = 40;
  std::vector<TransportEvents> events(kTransports);
  std::vector<WebRtcTransport*> transports;
  std::vector<std::unique_ptr<Peer>> peers;
  for (size_t i = 0; i < kTransports; ++i) {
    transports.push_back(&server->createTransport(events[i]));
    // Every fourth one gets its own peer and a tuple through a valid check.
    if (i % 4 != 0) continue;
    peers.push_back(makePeer(*server));
    transports.back()->setRemoteParameters(remoteOf(*peers.back()));
    peers.back()->check(*transports.back(), transports.back()->localPassword(), true);
  }
  EXPECT_EQ(server->transportCount(), kTransports);
  ASSERT_TRUE(runUntil([&] { return server->tupleCount() == peers.size(); }));

  for (auto* transport : transports) transport->close();
  EXPECT_EQ(server->transportCount(), 0u);
  EXPECT_EQ(server->tupleCount(), 0u);
  for (const auto& e : events) EXPECT_EQ(e.closedReason, "closed");
  EXPECT_EQ(server->counters().transportsCreated.load(), kTransports);
  EXPECT_EQ(server->counters().transportsClosed.load(), kTransports);

  // The closed transports' timers and objects go away with the next turn; their addresses are unknown now.
  peers[0]->socket.send(Peer::rtpPacket(1, "late"), peers[0]->server);
  ASSERT_TRUE(runUntil([&] { return server->counters().dropped(WebRtcCounters::Drop::UnknownAddress) == 1; }));
}

TEST_F(WebRtcServerTest, ClosesATransportWhoseConsentLapses) {
  auto server = makeServer(std::chrono::milliseconds(200));
  TransportEvents events;
  WebRtcTransport& transport = server->createTransport(events);
  auto peer = makePeer(*server);
  transport.setRemoteParameters(remoteOf(*peer));
  peer->check(transport, transport.localPassword(), true);
  ASSERT_TRUE(runUntil([&] { return server->tupleCount() == 1; }));

  ASSERT_TRUE(runUntil([&] { return events.closedReason.has_value(); }));
  EXPECT_EQ(*events.closedReason, "consent_timeout");
  EXPECT_EQ(server->transportCount(), 0u);
  EXPECT_EQ(server->tupleCount(), 0u);
  EXPECT_EQ(server->counters().consentTimeouts.load(), 1u);
}

TEST_F(WebRtcServerTest, FollowsANewerNominationFromAnotherAddress) {
  auto server = makeServer();
  TransportEvents events;
  WebRtcTransport& transport = server->createTransport(events);
  auto first = makePeer(*server);
  auto second = makePeer(*server);
  transport.setRemoteParameters(remoteOf(*first));

  first->check(transport, transport.localPassword(), true);
  ASSERT_TRUE(runUntil([&] { return !first->stunResponses.empty(); }));
  EXPECT_EQ(*transport.selectedTuple(), first->socket.localEndpoint());

  // A check without USE-CANDIDATE from elsewhere is answered but moves nothing.
  second->check(transport, transport.localPassword(), false);
  ASSERT_TRUE(runUntil([&] { return !second->stunResponses.empty(); }));
  EXPECT_EQ(*transport.selectedTuple(), first->socket.localEndpoint());

  second->check(transport, transport.localPassword(), true);
  ASSERT_TRUE(runUntil([&] { return second->stunResponses.size() == 2; }));
  EXPECT_EQ(*transport.selectedTuple(), second->socket.localEndpoint());
  EXPECT_EQ(server->tupleCount(), 2u);
}

TEST_F(WebRtcServerTest, AnnouncesTheConfiguredAddressInItsCandidate) {
  WebRtcServer::Options options;
  options.announcedAddress = "192.0.2.7";
  WebRtcServer server(io, serverContext, options);
  EXPECT_EQ(server.candidate().address, "192.0.2.7");
  EXPECT_EQ(server.candidate().port, server.port());
  EXPECT_EQ(server.candidate().type, "host");
}

}  // namespace
