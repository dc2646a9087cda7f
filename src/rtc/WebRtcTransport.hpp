#pragma once
// One peer connection's transport on a shard's WebRtcServer: ICE-lite, then DTLS, then SRTP
// (RFC 8445 §2.5, RFC 5764, RFC 7675), as mediasoup's WebRtcTransport does.
//
//   binding requests ─ IceLiteResponder ─ answered (XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY,
//                      FINGERPRINT); a valid one makes its source a tuple and, when it comes
//                      from the selected tuple (or none is selected yet), refreshes consent;
//                      USE-CANDIDATE selects it (a later nomination from elsewhere moves it).
//                      A request that fails authentication (no or bad MESSAGE-INTEGRITY, wrong
//                      USERNAME) is dropped without an answer.
//   DTLS ─ DtlsTransport (the role the answer gives, the offer's fingerprint) ─ keys exported
//   SRTP ─ Inbound session (unprotected in place, handed up) / Outbound (protected once, queued)
//   SCTP ─ when enableDataChannels() was called: an SctpAssociation inside DTLS application
//          data, connected once DTLS is; its channels and messages are handed up
//
// Closing (close(), consent expired, DTLS failed or closed by the peer) is final: the tuples and
// ufrag leave the server's maps, timers stop, and the listener hears OnWebRtcTransportClosed once,
// last. Nothing is reported after it.
//
// Listener contract: callbacks run on the shard's thread, inside the packet or timer that caused
// them; the spans are valid for the call only. A listener may send or close the transport from any
// callback.
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/UdpSocket.hpp"
#include "rtc/PacketClassifier.hpp"
#include "rtc/dtls/DtlsFingerprint.hpp"
#include "rtc/dtls/DtlsTransport.hpp"
#include "rtc/ice/IceLiteResponder.hpp"
#include "rtc/sctp/SctpAssociation.hpp"
#include "rtc/sdp/Candidate.hpp"
#include "rtc/srtp/SrtpSession.hpp"

namespace onair::rtc {

class WebRtcServer;

class WebRtcTransport final : private dtls::DtlsTransport::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // DTLS is done and SRTP keyed: media may flow.
    virtual void OnWebRtcTransportConnected(WebRtcTransport& transport) = 0;
    // One RTP or RTCP packet from the peer, already unprotected (header and payload in clear).
    virtual void OnWebRtcTransportRtp(WebRtcTransport& transport, std::span<uint8_t> packet) = 0;
    virtual void OnWebRtcTransportRtcp(WebRtcTransport& transport, std::span<uint8_t> packet) = 0;
    // The transport is closed; `reason` is a stable snake_case label: closed (by close()),
    // consent_timeout, dtls_closed, dtls_<DtlsTransport's failure reason>, srtp_failed.
    virtual void OnWebRtcTransportClosed(WebRtcTransport& transport, std::string_view reason) = 0;

    // Data channels (only after enableDataChannels). These run from a later loop turn than the
    // packet that caused them (see sctp::SctpAssociation), never inside a send.
    // The SCTP association is up: channels may be opened.
    virtual void OnWebRtcTransportDataReady(WebRtcTransport&) {}
    virtual void OnWebRtcTransportDataChannelOpened(WebRtcTransport&, uint16_t /*streamId*/, const sctp::DataChannelParameters&) {}
    virtual void OnWebRtcTransportDataMessage(WebRtcTransport&, uint16_t /*streamId*/, sctp::PayloadProtocol, std::span<const uint8_t>) {}
    virtual void OnWebRtcTransportDataChannelClosed(WebRtcTransport&, uint16_t /*streamId*/) {}
  };

  // What the peer's offer says (a=ice-ufrag, a=fingerprint, and the DTLS role onair answers with:
  // Server for a=setup:passive, the usual SFU answer).
  struct RemoteParameters {
    std::string iceUfrag;
    dtls::DtlsFingerprint fingerprint;
    dtls::DtlsTransport::Role dtlsRole = dtls::DtlsTransport::Role::Server;
  };

  // Tuples (remote addresses) one transport keeps at most; a new one evicts the oldest unselected.
  static constexpr size_t kMaxTuples = 4;

  // Created by WebRtcServer::createTransport.
  WebRtcTransport(WebRtcServer& server, Listener& listener, std::string localUfrag, std::string localPassword);
  ~WebRtcTransport() override;
  WebRtcTransport(const WebRtcTransport&) = delete;
  WebRtcTransport& operator=(const WebRtcTransport&) = delete;

  // From the offer; once only (later calls are ignored). DTLS starts now in the server role, or
  // once a tuple is selected in the client role.
  void setRemoteParameters(RemoteParameters remote);

  // Protects a copy of `packet` into the socket's send queue and sends it to the selected tuple
  // (in this loop turn's batch). False when not connected, no tuple is selected, the packet is
  // too large or the queue is full, or protection fails (counted).
  bool sendRtp(std::span<const uint8_t> packet);
  bool sendRtcp(std::span<const uint8_t> packet);

  // Data channels: called before DTLS connects, when the answer accepted an SCTP section (the
  // peer's a=sctp-port). The association starts once DTLS is connected.
  void enableDataChannels(uint16_t remoteSctpPort);
  bool dataReady() const { return sctp_ && sctp_->state() == sctp::SctpAssociation::State::Connected; }
  // nullopt until dataReady() or when no stream id is left.
  std::optional<uint16_t> openDataChannel(const sctp::DataChannelParameters& channel);
  sctp::SctpAssociation::SendResult sendData(uint16_t streamId, sctp::PayloadProtocol protocol, std::span<const uint8_t> message);
  void closeDataChannel(uint16_t streamId);

  // Closes the transport (DTLS close_notify if connected); the listener hears Closed("closed").
  void close();

  // What the answer announces.
  const std::string& localUfrag() const { return localUfrag_; }
  const std::string& localPassword() const { return localPassword_; }
  const dtls::DtlsFingerprint& fingerprint() const;
  const sdp::Candidate& candidate() const;

  bool connected() const { return srtpOut_ != nullptr && !closed_; }
  bool closed() const { return closed_; }
  const std::optional<net::UdpSocket::Endpoint>& selectedTuple() const { return selected_; }
  dtls::DtlsTransport::State dtlsState() const { return dtls_.state(); }

 private:
  friend class WebRtcServer;

  // Called by the server's demultiplexer.
  void handleStun(std::span<uint8_t> data, const net::UdpSocket::Endpoint& remote);
  void handlePacket(PacketClassifier::Kind kind, std::span<uint8_t> data);

  void learnTuple(const net::UdpSocket::Endpoint& remote, bool nominated);
  void startDtlsIfReady();
  void afterDtlsCall();
  void armDtlsTimer();
  void armConsentTimer(std::chrono::steady_clock::duration after);
  void onConsentTimer();
  bool sendProtected(std::span<const uint8_t> packet, bool rtcp);
  void closeWith(std::string_view reason);
  sctp::SctpAssociation::Callbacks sctpCallbacks();
  std::optional<net::UdpSocket::Endpoint> sendTarget() const;

  // DtlsTransport::Listener: these only record what happened; afterDtlsCall() acts on it once the
  // DtlsTransport has returned (its contract forbids calling back into it from a callback).
  void OnDtlsTransportSendData(dtls::DtlsTransport& transport, std::span<const uint8_t> datagram) override;
  void OnDtlsTransportConnected(dtls::DtlsTransport& transport, srtp::SrtpProfile profile,
                                std::span<const uint8_t> localKey, std::span<const uint8_t> remoteKey) override;
  void OnDtlsTransportFailed(dtls::DtlsTransport& transport, std::string_view reason) override;
  void OnDtlsTransportClosed(dtls::DtlsTransport& transport) override;
  void OnDtlsTransportApplicationData(dtls::DtlsTransport& transport, std::span<const uint8_t> data) override;

  WebRtcServer& server_;
  Listener& listener_;
  std::string localUfrag_;
  std::string localPassword_;
  ice::IceLiteResponder responder_;
  dtls::DtlsTransport dtls_;
  std::optional<RemoteParameters> remote_;
  std::vector<net::UdpSocket::Endpoint> tuples_;  // learned from valid checks, oldest first
  std::optional<net::UdpSocket::Endpoint> selected_;
  std::unique_ptr<srtp::SrtpSession> srtpIn_;
  std::unique_ptr<srtp::SrtpSession> srtpOut_;
  std::unique_ptr<sctp::SctpAssociation> sctp_;
  boost::asio::steady_timer dtlsTimer_;
  boost::asio::steady_timer consentTimer_;
  std::chrono::steady_clock::time_point lastConsent_;
  bool closed_ = false;
  // Set by the DTLS callbacks, acted on by afterDtlsCall().
  bool dtlsConnected_ = false;
  std::string dtlsEnded_;  // non-empty: the close reason the DTLS callbacks reported
  // Timer handlers hold a weak reference: a closed transport's handlers return untouched.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace onair::rtc
