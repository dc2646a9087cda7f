#pragma once
// A browser stand-in for tests over real UDP on 127.0.0.1, made of onair's own pieces in the client
// role: StunBuilder writes its connectivity checks, a client-role DtlsTransport does the handshake,
// SrtpSessions keyed from it protect and unprotect media. Shared by WebRtcServerTest and RouterTest.
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "net/UdpSocket.hpp"
#include "rtc/PacketClassifier.hpp"
#include "rtc/WebRtcTransport.hpp"
#include "rtc/dtls/DtlsCertificate.hpp"
#include "rtc/dtls/DtlsContext.hpp"
#include "rtc/dtls/DtlsTransport.hpp"
#include "rtc/ice/StunBuilder.hpp"
#include "rtc/ice/StunMessage.hpp"
#include "rtc/srtp/SrtpSession.hpp"

namespace onair::rtc::testpeer {

using Endpoint = net::UdpSocket::Endpoint;

// A browser stand-in: ICE controlling agent, DTLS client, SRTP both ways.
struct Peer : net::UdpSocket::Listener, dtls::DtlsTransport::Listener {
  explicit Peer(boost::asio::io_context& io)
      : certificate(dtls::DtlsCertificate::generate()),
        context(certificate),
        socket(io, *this, "127.0.0.1", 0),
        dtls(context, *this) {}

  // A Binding request to the server's transport, signed with `password`.
  ice::StunMessage::TransactionId check(const WebRtcTransport& transport, const std::string& password, bool nominate) {
    ice::StunMessage::TransactionId id{};
    for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(++transactions * 7 + i);
    std::vector<uint8_t> out;
    ice::StunBuilder builder(out, ice::StunMessage::Class::Request, ice::StunMessage::kBindingMethod, id);
    builder.username(transport.localUfrag() + ":" + ufrag).priority(1853824767).iceControlling(0x1234);
    if (nominate) builder.useCandidate();
    builder.integrity(password).fingerprint();
    socket.send(out, server);
    return id;
  }

  void startDtls(const dtls::DtlsFingerprint& serverFingerprint,
                 dtls::DtlsTransport::Role role = dtls::DtlsTransport::Role::Client) {
    dtls.start(role, serverFingerprint);
  }

  // An RTP packet: version 2, payload type 96, the sequence number, SSRC 0x11223344, a payload.
  static std::vector<uint8_t> rtpPacket(uint16_t sequence, const std::string& payload) {
    const uint8_t header[] = {0x80, 96, uint8_t(sequence >> 8), uint8_t(sequence), 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44};
    std::vector<uint8_t> p(sizeof header + payload.size());
    std::copy(std::begin(header), std::end(header), p.begin());
    std::copy(payload.begin(), payload.end(), p.begin() + sizeof header);
    return p;
  }
  // An RTCP receiver report without blocks (PT 201, length 1), SSRC 0x55667788.
  static std::vector<uint8_t> rtcpPacket() { return {0x80, 201, 0, 1, 0x55, 0x66, 0x77, 0x88}; }

  void sendRtp(const std::vector<uint8_t>& packet) { sendProtected(packet, false); }
  void sendRtcp(const std::vector<uint8_t>& packet) { sendProtected(packet, true); }

  void sendProtected(const std::vector<uint8_t>& packet, bool rtcp) {
    std::vector<uint8_t> buffer(packet.size() + srtp::SrtpSession::kMaxTrailerBytes);
    std::copy(packet.begin(), packet.end(), buffer.begin());
    size_t length = packet.size();
    ASSERT_EQ(rtcp ? srtpOut->protectRtcp(buffer, length) : srtpOut->protectRtp(buffer, length),
              srtp::SrtpSession::Error::None);
    socket.send(std::span<const uint8_t>(buffer.data(), length), server);
  }

  void OnUdpSocketPacket(net::UdpSocket&, std::span<uint8_t> data, const Endpoint&) override {
    switch (PacketClassifier::classify(data)) {
      case PacketClassifier::Kind::Stun: stunResponses.emplace_back(data.begin(), data.end()); break;
      case PacketClassifier::Kind::Dtls: dtls.receive(data); break;
      case PacketClassifier::Kind::Rtp:
      case PacketClassifier::Kind::Rtcp: {
        if (!srtpIn) break;
        size_t length = data.size();
        const bool isRtcp = PacketClassifier::isRtcp(data);
        if ((isRtcp ? srtpIn->unprotectRtcp(data, length) : srtpIn->unprotectRtp(data, length)) !=
            srtp::SrtpSession::Error::None) {
          break;
        }
        (isRtcp ? rtcp : rtp).emplace_back(data.begin(), data.begin() + length);
        break;
      }
      default: break;
    }
  }

  void OnDtlsTransportSendData(dtls::DtlsTransport&, std::span<const uint8_t> datagram) override {
    socket.send(datagram, server);
  }
  void OnDtlsTransportConnected(dtls::DtlsTransport&, srtp::SrtpProfile profile, std::span<const uint8_t> localKey,
                                std::span<const uint8_t> remoteKey) override {
    srtpOut = srtp::SrtpSession::create(srtp::SrtpSession::Direction::Outbound, profile, localKey);
    srtpIn = srtp::SrtpSession::create(srtp::SrtpSession::Direction::Inbound, profile, remoteKey);
  }
  void OnDtlsTransportFailed(dtls::DtlsTransport&, std::string_view reason) override { dtlsFailure = std::string(reason); }
  void OnDtlsTransportClosed(dtls::DtlsTransport&) override {}
  void OnDtlsTransportApplicationData(dtls::DtlsTransport&, std::span<const uint8_t>) override {}

  std::shared_ptr<const dtls::DtlsCertificate> certificate;
  dtls::DtlsContext context;
  net::UdpSocket socket;
  dtls::DtlsTransport dtls;
  Endpoint server;
  std::string ufrag = "peerUfrag";
  unsigned transactions = 0;
  std::vector<std::vector<uint8_t>> stunResponses;
  std::unique_ptr<srtp::SrtpSession> srtpIn, srtpOut;
  std::optional<std::string> dtlsFailure;
  std::vector<std::vector<uint8_t>> rtp, rtcp;
};

}  // namespace onair::rtc::testpeer
