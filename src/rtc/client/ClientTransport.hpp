#pragma once
// The client side of one WebRTC peer connection, made of onair's own pieces: what a browser does
// against an SFU, for benchmarks and tests (RFC 8445 full agent in the controlling role with
// aggressive nomination against an ICE-lite peer, RFC 5764 DTLS client, RFC 3711 SRTP).
//
//   connect(remote) ─ binding requests (USERNAME remote:local, PRIORITY, ICE-CONTROLLING,
//                     USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT) every checkInterval until a
//                     success response authenticated with the remote password
//                   ─ DtlsTransport, client role, the answer's fingerprint ─ keys exported
//                   ─ SRTP: Outbound protects what sendRtp/sendRtcp queue, Inbound unprotects
//   then a binding request every consentInterval keeps the remote's consent (RFC 7675).
//
// One UdpSocket of its own (an ephemeral port on localAddress): each client is one 5-tuple, as
// each browser is. Failure (ICE gets no answer, DTLS fails) is final and reported once.
//
// Listener contract: callbacks run on the io_context's thread; spans are valid for the call only.
// A listener may send from any callback; it must not destroy the transport inside one.
#include <boost/asio/io_context.hpp>
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
#include "rtc/client/RemoteParameters.hpp"
#include "rtc/dtls/DtlsContext.hpp"
#include "rtc/dtls/DtlsTransport.hpp"
#include "rtc/ice/StunMessage.hpp"
#include "rtc/srtp/SrtpSession.hpp"

namespace onair::rtc::client {

class ClientTransport final : private net::UdpSocket::Listener, private dtls::DtlsTransport::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnClientTransportConnected(ClientTransport& transport) = 0;
    // One RTP or RTCP packet from the remote side: unprotected, or still protected (header in the
    // clear, payload not) when Options::unprotectMedia is false.
    virtual void OnClientTransportRtp(ClientTransport& transport, std::span<uint8_t> packet) = 0;
    virtual void OnClientTransportRtcp(ClientTransport& transport, std::span<uint8_t> packet) = 0;
    // `reason`: ice_timeout, or dtls_<DtlsTransport's failure reason>, dtls_closed, srtp_failed.
    virtual void OnClientTransportFailed(ClientTransport& transport, std::string_view reason) = 0;
  };

  struct Options {
    std::string localAddress = "127.0.0.1";
    size_t sendQueueSlots = 64;
    std::chrono::milliseconds checkInterval{50};
    size_t maxChecks = 200;  // unanswered checks before ice_timeout
    std::chrono::milliseconds consentInterval{5000};
    // False: media is handed up as received (SRTP), for load tools that read only the RTP header
    // (which SRTP leaves in the clear) and would otherwise spend their core on decryption.
    bool unprotectMedia = true;
  };

  struct Counters {
    uint64_t srtpErrorsIn = 0;   // inbound packets that failed to unprotect: dropped
    uint64_t sendFailures = 0;   // not connected, queue full, too large or protect failed
  };

  // Binds the socket (throws boost::system::system_error if it cannot) and makes fresh ICE
  // credentials. `context` carries the client's certificate.
  ClientTransport(boost::asio::io_context& io, std::shared_ptr<const dtls::DtlsContext> context, Listener& listener,
                  Options options);
  ~ClientTransport() override;
  ClientTransport(const ClientTransport&) = delete;
  ClientTransport& operator=(const ClientTransport&) = delete;

  // What the offer announces.
  const std::string& localUfrag() const { return localUfrag_; }
  const std::string& localPassword() const { return localPassword_; }
  const dtls::DtlsFingerprint& fingerprint() const { return context_->certificate().fingerprint(); }
  uint16_t localPort() const { return socket_.localPort(); }

  // From the answer: starts the connectivity checks. Once only (later calls are ignored).
  void connect(RemoteParameters remote);

  // Protects `packet` into the socket's send queue (sent in this loop turn's batch).
  bool sendRtp(std::span<const uint8_t> packet);
  bool sendRtcp(std::span<const uint8_t> packet);

  bool connected() const { return srtpOut_ != nullptr && !failed_; }
  bool failed() const { return failed_; }
  const Counters& counters() const { return counters_; }
  const net::UdpSocket::Counters& socketCounters() const { return socket_.counters(); }

 private:
  void OnUdpSocketPacket(net::UdpSocket& socket, std::span<uint8_t> data, const net::UdpSocket::Endpoint& remote) override;
  void handleStun(std::span<const uint8_t> data);
  void handleMedia(std::span<uint8_t> data);

  void sendCheck();
  void armCheckTimer(std::chrono::milliseconds after);
  void onCheckTimer();
  void startDtls();
  void afterDtlsCall();
  void armDtlsTimer();
  bool sendProtected(std::span<const uint8_t> packet, bool rtcp);
  void fail(std::string_view reason);

  void OnDtlsTransportSendData(dtls::DtlsTransport& transport, std::span<const uint8_t> datagram) override;
  void OnDtlsTransportConnected(dtls::DtlsTransport& transport, srtp::SrtpProfile profile,
                                std::span<const uint8_t> localKey, std::span<const uint8_t> remoteKey) override;
  void OnDtlsTransportFailed(dtls::DtlsTransport& transport, std::string_view reason) override;
  void OnDtlsTransportClosed(dtls::DtlsTransport& transport) override;
  void OnDtlsTransportApplicationData(dtls::DtlsTransport& transport, std::span<const uint8_t> data) override;

  std::shared_ptr<const dtls::DtlsContext> context_;
  Listener& listener_;
  Options options_;
  net::UdpSocket socket_;
  dtls::DtlsTransport dtls_;
  std::string localUfrag_;
  std::string localPassword_;
  uint64_t tieBreaker_ = 0;
  std::optional<RemoteParameters> remote_;
  ice::StunMessage::TransactionId pending_{};  // the last check sent
  size_t unansweredChecks_ = 0;
  bool iceConnected_ = false;
  std::unique_ptr<srtp::SrtpSession> srtpIn_;
  std::unique_ptr<srtp::SrtpSession> srtpOut_;
  boost::asio::steady_timer checkTimer_;
  boost::asio::steady_timer dtlsTimer_;
  bool failed_ = false;
  // Set by the DTLS callbacks, acted on by afterDtlsCall() (DtlsTransport forbids re-entry).
  bool dtlsConnected_ = false;
  std::string dtlsEnded_;
  std::vector<uint8_t> stunBuffer_;
  Counters counters_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace onair::rtc::client
