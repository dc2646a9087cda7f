#include "rtc/client/ClientTransport.hpp"

#include <cstring>
#include <utility>

#include "rtc/PacketClassifier.hpp"
#include "rtc/ice/StunBuilder.hpp"
#include "util/Random.hpp"

namespace onair::rtc::client {

namespace {

// RFC 8839 §5.4 ice-chars; one random byte's low 6 bits pick one evenly.
constexpr std::string_view kIceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string iceCredential(size_t length) {
  std::string text = util::randomBytes(length);
  for (char& c : text) c = kIceChars[static_cast<uint8_t>(c) & 63];
  return text;
}

// RFC 8445 §5.1.2.1 for a host candidate: type preference 126, local preference 65535, component 1.
constexpr uint32_t kHostPriority = (126u << 24) | (65535u << 8) | 255u;

}  // namespace

ClientTransport::ClientTransport(boost::asio::io_context& io, std::shared_ptr<const dtls::DtlsContext> context,
                                 Listener& listener, Options options)
    : context_(std::move(context)),
      listener_(listener),
      options_(std::move(options)),
      socket_(io, *this, options_.localAddress, 0, options_.sendQueueSlots),
      dtls_(*context_, *this),
      localUfrag_(iceCredential(8)),
      localPassword_(iceCredential(24)),
      checkTimer_(io),
      dtlsTimer_(io) {
  const std::string tie = util::randomBytes(sizeof tieBreaker_);
  std::memcpy(&tieBreaker_, tie.data(), sizeof tieBreaker_);
}

ClientTransport::~ClientTransport() = default;

void ClientTransport::connect(RemoteParameters remote) {
  if (remote_ || failed_) return;
  remote_ = std::move(remote);
  sendCheck();
  armCheckTimer(options_.checkInterval);
}

void ClientTransport::sendCheck() {
  const std::string id = util::randomBytes(pending_.size());
  std::memcpy(pending_.data(), id.data(), pending_.size());
  ice::StunBuilder builder(stunBuffer_, ice::StunMessage::Class::Request, ice::StunMessage::kBindingMethod, pending_);
  builder.username(remote_->iceUfrag + ":" + localUfrag_)
      .priority(kHostPriority)
      .iceControlling(tieBreaker_)
      .useCandidate()
      .integrity(remote_->icePassword)
      .fingerprint();
  socket_.send(stunBuffer_, remote_->endpoint);
  ++unansweredChecks_;
}

void ClientTransport::armCheckTimer(std::chrono::milliseconds after) {
  checkTimer_.expires_after(after);
  checkTimer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code error) {
    if (alive.expired() || error || failed_) return;
    onCheckTimer();
  });
}

void ClientTransport::onCheckTimer() {
  if (!iceConnected_ && unansweredChecks_ >= options_.maxChecks) {
    fail("ice_timeout");
    return;
  }
  sendCheck();
  armCheckTimer(iceConnected_ ? options_.consentInterval : options_.checkInterval);
}

void ClientTransport::OnUdpSocketPacket(net::UdpSocket&, std::span<uint8_t> data, const net::UdpSocket::Endpoint& from) {
  if (failed_ || !remote_ || from != remote_->endpoint) return;
  switch (PacketClassifier::classify(data)) {
    case PacketClassifier::Kind::Stun: handleStun(data); return;
    case PacketClassifier::Kind::Dtls:
      dtls_.receive(data);
      afterDtlsCall();
      return;
    case PacketClassifier::Kind::Rtp:
    case PacketClassifier::Kind::Rtcp: handleMedia(data); return;
    default: return;
  }
}

void ClientTransport::handleStun(std::span<const uint8_t> data) {
  const auto message = ice::StunMessage::parse(data);
  if (!message || message->messageClass() != ice::StunMessage::Class::SuccessResponse) return;
  if (message->transactionId() != pending_) return;  // an older check's answer: the newer one will do
  if (!message->checkIntegrity(remote_->icePassword)) return;
  unansweredChecks_ = 0;
  if (iceConnected_) return;
  iceConnected_ = true;
  armCheckTimer(options_.consentInterval);
  startDtls();
}

void ClientTransport::startDtls() {
  dtls_.start(dtls::DtlsTransport::Role::Client, remote_->fingerprint);
  afterDtlsCall();
}

void ClientTransport::afterDtlsCall() {
  if (failed_) return;
  if (!dtlsEnded_.empty()) {
    fail(dtlsEnded_);
    return;
  }
  if (dtlsConnected_) {
    dtlsConnected_ = false;
    listener_.OnClientTransportConnected(*this);
    if (failed_) return;
  }
  armDtlsTimer();
}

void ClientTransport::armDtlsTimer() {
  const auto timeout = dtls_.nextTimeout();
  if (!timeout) {
    dtlsTimer_.cancel();
    return;
  }
  dtlsTimer_.expires_after(*timeout);
  dtlsTimer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code error) {
    if (alive.expired() || error || failed_) return;
    dtls_.onTimeout();
    afterDtlsCall();
  });
}

void ClientTransport::handleMedia(std::span<uint8_t> data) {
  if (!srtpIn_) return;
  const bool rtcp = PacketClassifier::isRtcp(data);
  size_t length = data.size();
  if (options_.unprotectMedia || rtcp) {
    const auto error = rtcp ? srtpIn_->unprotectRtcp(data, length) : srtpIn_->unprotectRtp(data, length);
    if (error != srtp::SrtpSession::Error::None) {
      ++counters_.srtpErrorsIn;
      return;
    }
  }
  if (rtcp) {
    listener_.OnClientTransportRtcp(*this, data.first(length));
  } else {
    listener_.OnClientTransportRtp(*this, data.first(length));
  }
}

bool ClientTransport::sendRtp(std::span<const uint8_t> packet) { return sendProtected(packet, false); }
bool ClientTransport::sendRtcp(std::span<const uint8_t> packet) { return sendProtected(packet, true); }

bool ClientTransport::sendProtected(std::span<const uint8_t> packet, bool rtcp) {
  if (!connected() || packet.empty() ||
      packet.size() + srtp::SrtpSession::kMaxTrailerBytes > net::UdpSocket::kMaxPacketBytes) {
    ++counters_.sendFailures;
    return false;
  }
  // Protected once, straight into the socket's send slot.
  const std::span<uint8_t> slot = socket_.prepare(remote_->endpoint);
  if (slot.empty()) {
    ++counters_.sendFailures;
    return false;
  }
  std::memcpy(slot.data(), packet.data(), packet.size());
  size_t length = packet.size();
  const auto error = rtcp ? srtpOut_->protectRtcp(slot, length) : srtpOut_->protectRtp(slot, length);
  if (error != srtp::SrtpSession::Error::None) {
    ++counters_.sendFailures;
    return false;
  }
  socket_.commit(length);
  return true;
}

void ClientTransport::fail(std::string_view reason) {
  if (failed_) return;
  failed_ = true;
  checkTimer_.cancel();
  dtlsTimer_.cancel();
  listener_.OnClientTransportFailed(*this, reason);
}

void ClientTransport::OnDtlsTransportSendData(dtls::DtlsTransport&, std::span<const uint8_t> datagram) {
  socket_.send(datagram, remote_->endpoint);
}

void ClientTransport::OnDtlsTransportConnected(dtls::DtlsTransport&, srtp::SrtpProfile profile,
                                               std::span<const uint8_t> localKey, std::span<const uint8_t> remoteKey) {
  srtpOut_ = srtp::SrtpSession::create(srtp::SrtpSession::Direction::Outbound, profile, localKey);
  srtpIn_ = srtp::SrtpSession::create(srtp::SrtpSession::Direction::Inbound, profile, remoteKey);
  if (!srtpOut_ || !srtpIn_) {
    srtpOut_.reset();
    srtpIn_.reset();
    dtlsEnded_ = "srtp_failed";
    return;
  }
  dtlsConnected_ = true;
}

void ClientTransport::OnDtlsTransportFailed(dtls::DtlsTransport&, std::string_view reason) {
  dtlsEnded_ = "dtls_" + std::string(reason);
}

void ClientTransport::OnDtlsTransportClosed(dtls::DtlsTransport&) { dtlsEnded_ = "dtls_closed"; }

void ClientTransport::OnDtlsTransportApplicationData(dtls::DtlsTransport&, std::span<const uint8_t>) {}

}  // namespace onair::rtc::client
