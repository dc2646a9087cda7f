#include "rtc/WebRtcTransport.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "rtc/WebRtcServer.hpp"

namespace onair::rtc {
namespace {

using Endpoint = net::UdpSocket::Endpoint;
using Drop = WebRtcCounters::Drop;

// The peer's address as STUN reports it. On a dual-stack socket ("::") IPv4 peers arrive as
// v4-mapped IPv6 addresses; they are told their IPv4 address.
ice::StunAddress toStunAddress(const Endpoint& endpoint) {
  const auto address = endpoint.address();
  if (address.is_v4()) return ice::StunAddress::v4(address.to_v4().to_bytes(), endpoint.port());
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return ice::StunAddress::v4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_bytes(), endpoint.port());
  }
  return ice::StunAddress::v6(v6.to_bytes(), endpoint.port());
}

}  // namespace

WebRtcTransport::WebRtcTransport(WebRtcServer& server, Listener& listener, std::string localUfrag,
                                 std::string localPassword)
    : server_(server),
      listener_(listener),
      localUfrag_(std::move(localUfrag)),
      localPassword_(std::move(localPassword)),
      responder_(localUfrag_, localPassword_),
      dtls_(server.dtlsContext(), *this, server.options().dtls),
      dtlsTimer_(server.io()),
      consentTimer_(server.io()),
      lastConsent_(std::chrono::steady_clock::now()) {
  armConsentTimer(server_.options().consentTimeout);
}

WebRtcTransport::~WebRtcTransport() = default;

const dtls::DtlsFingerprint& WebRtcTransport::fingerprint() const { return server_.dtlsContext().certificate().fingerprint(); }

const sdp::Candidate& WebRtcTransport::candidate() const { return server_.candidate(); }

void WebRtcTransport::setRemoteParameters(RemoteParameters remote) {
  if (remote_ || closed_) return;
  responder_.setRemoteUfrag(remote.iceUfrag);
  remote_ = std::move(remote);
  startDtlsIfReady();
}

void WebRtcTransport::handleStun(std::span<uint8_t> data, const Endpoint& remote) {
  using Verdict = ice::IceLiteResponder::Verdict;
  const auto outcome = responder_.handle(data, toStunAddress(remote));
  // Only a peer that proved it knows the password hears back (a success, a 420 or a 487): the
  // port answers no one else, so it cannot be used to reflect traffic or to probe for ufrags.
  const bool authenticated = outcome.verdict == Verdict::Answered || outcome.verdict == Verdict::UnknownAttribute ||
                             outcome.verdict == Verdict::RoleConflict;
  if (authenticated && !outcome.response.empty()) server_.socket().send(outcome.response, remote);
  if (outcome.verdict != Verdict::Answered) {
    server_.mutableCounters().stunRejectedBy(outcome.verdict);
    return;
  }
  learnTuple(remote, outcome.nominated);
  // A valid check on the selected pair (or on any, before one is selected): the peer still wants
  // this transport (RFC 7675 §5.1).
  if (!selected_ || *selected_ == remote) lastConsent_ = std::chrono::steady_clock::now();
}

void WebRtcTransport::learnTuple(const Endpoint& remote, bool nominated) {
  const bool known = std::find(tuples_.begin(), tuples_.end(), remote) != tuples_.end();
  if (!known) {
    // Keep the set bounded: evict the oldest tuple that is not the selected one.
    if (tuples_.size() == kMaxTuples) {
      auto victim = std::find_if(tuples_.begin(), tuples_.end(), [&](const Endpoint& t) { return t != selected_; });
      server_.removeTuple(*victim, *this);
      tuples_.erase(victim);
    }
    tuples_.push_back(remote);
    server_.addTuple(remote, *this);
  }
  // A nomination selects the pair; one from another address moves it (the peer's network changed).
  if (!nominated || selected_ == remote) return;
  if (selected_) spdlog::debug("rtc: transport {} moves to {}:{}", localUfrag_, remote.address().to_string(), remote.port());
  selected_ = remote;
  startDtlsIfReady();
}

void WebRtcTransport::handlePacket(PacketClassifier::Kind kind, std::span<uint8_t> data) {
  if (closed_) return;
  if (kind == PacketClassifier::Kind::Dtls) {
    // Before the offer's fingerprint is known there is nothing to check the peer against.
    if (dtls_.state() == dtls::DtlsTransport::State::New || !dtls_.receive(data)) {
      server_.mutableCounters().drop(Drop::DtlsRejected);
    }
    afterDtlsCall();
    return;
  }
  if (!srtpIn_) {
    server_.mutableCounters().drop(Drop::NotConnected, PacketClassifier::name(kind));
    return;
  }
  size_t length = data.size();
  const bool rtcp = kind == PacketClassifier::Kind::Rtcp;
  const auto error = rtcp ? srtpIn_->unprotectRtcp(data, length) : srtpIn_->unprotectRtp(data, length);
  if (error != srtp::SrtpSession::Error::None) {
    server_.mutableCounters().srtpFailed(error, rtcp ? "srtcp_unprotect" : "srtp_unprotect");
    return;
  }
  if (rtcp) {
    listener_.OnWebRtcTransportRtcp(*this, data.first(length));
  } else {
    listener_.OnWebRtcTransportRtp(*this, data.first(length));
  }
}

void WebRtcTransport::startDtlsIfReady() {
  if (closed_ || !remote_ || dtls_.state() != dtls::DtlsTransport::State::New) return;
  // A client's ClientHello needs somewhere to go; a server just waits for one.
  if (remote_->dtlsRole == dtls::DtlsTransport::Role::Client && !selected_) return;
  dtls_.start(remote_->dtlsRole, remote_->fingerprint);
  afterDtlsCall();
}

void WebRtcTransport::afterDtlsCall() {
  if (closed_) return;
  if (!dtlsEnded_.empty()) {
    closeWith(dtlsEnded_);
    return;
  }
  if (dtlsConnected_) {
    dtlsConnected_ = false;
    WebRtcCounters::add(server_.mutableCounters().transportsConnected);
    if (sctp_) sctp_->connect();
    listener_.OnWebRtcTransportConnected(*this);
    if (closed_) return;  // the listener closed it
  }
  armDtlsTimer();
}

void WebRtcTransport::armDtlsTimer() {
  const auto timeout = dtls_.nextTimeout();
  if (!timeout) {
    dtlsTimer_.cancel();
    return;
  }
  dtlsTimer_.expires_after(*timeout);
  dtlsTimer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code error) {
    if (alive.expired() || error || closed_) return;
    dtls_.onTimeout();
    afterDtlsCall();
  });
}

void WebRtcTransport::armConsentTimer(std::chrono::steady_clock::duration after) {
  consentTimer_.expires_after(after);
  consentTimer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code error) {
    if (alive.expired() || error || closed_) return;
    onConsentTimer();
  });
}

void WebRtcTransport::onConsentTimer() {
  // One timer for the whole transport: checks refresh lastConsent_, the timer rearms for the rest.
  const auto deadline = lastConsent_ + server_.options().consentTimeout;
  const auto now = std::chrono::steady_clock::now();
  if (now < deadline) {
    armConsentTimer(deadline - now);
    return;
  }
  WebRtcCounters::add(server_.mutableCounters().consentTimeouts);
  closeWith("consent_timeout");
}

std::optional<Endpoint> WebRtcTransport::sendTarget() const {
  if (selected_) return selected_;
  // Before a nomination (a DTLS server answering early), the latest address that passed a check.
  if (!tuples_.empty()) return tuples_.back();
  return std::nullopt;
}

bool WebRtcTransport::sendRtp(std::span<const uint8_t> packet) { return sendProtected(packet, false); }

bool WebRtcTransport::sendRtcp(std::span<const uint8_t> packet) { return sendProtected(packet, true); }

bool WebRtcTransport::sendProtected(std::span<const uint8_t> packet, bool rtcp) {
  if (closed_ || !srtpOut_ || !selected_) return false;
  if (packet.empty() || packet.size() + srtp::SrtpSession::kMaxTrailerBytes > net::UdpSocket::kMaxPacketBytes) {
    server_.mutableCounters().drop(Drop::SendFailed, "too_large");
    return false;
  }
  // Protected once, straight into the socket's send slot.
  const std::span<uint8_t> slot = server_.socket().prepare(*selected_);
  if (slot.empty()) {
    server_.mutableCounters().drop(Drop::SendFailed, "queue_full");
    return false;
  }
  std::memcpy(slot.data(), packet.data(), packet.size());
  size_t length = packet.size();
  const auto error = rtcp ? srtpOut_->protectRtcp(slot, length) : srtpOut_->protectRtp(slot, length);
  if (error != srtp::SrtpSession::Error::None) {
    server_.mutableCounters().srtpFailed(error, rtcp ? "srtcp_protect" : "srtp_protect");
    return false;
  }
  server_.socket().commit(length);
  return true;
}

void WebRtcTransport::close() { closeWith("closed"); }

void WebRtcTransport::closeWith(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  dtlsTimer_.cancel();
  consentTimer_.cancel();
  // A polite close_notify when the handshake got that far; its callbacks find closed_ set.
  if (dtls_.state() == dtls::DtlsTransport::State::Connecting || dtls_.state() == dtls::DtlsTransport::State::Connected) {
    dtls_.close();
  }
  srtpIn_.reset();
  srtpOut_.reset();
  sctp_.reset();  // no data callback runs after this
  for (const auto& tuple : tuples_) server_.removeTuple(tuple, *this);
  tuples_.clear();
  selected_.reset();
  const std::string why(reason);  // `reason` may point into dtlsEnded_
  server_.onTransportClosed(*this);
  listener_.OnWebRtcTransportClosed(*this, why);
}

void WebRtcTransport::OnDtlsTransportSendData(dtls::DtlsTransport&, std::span<const uint8_t> datagram) {
  const auto target = sendTarget();
  if (!target || !server_.socket().send(datagram, *target)) server_.mutableCounters().drop(Drop::SendFailed, "dtls");
}

void WebRtcTransport::OnDtlsTransportConnected(dtls::DtlsTransport&, srtp::SrtpProfile profile,
                                               std::span<const uint8_t> localKey, std::span<const uint8_t> remoteKey) {
  if (closed_) return;
  // The keys are wiped when this returns: key both sessions now.
  srtpIn_ = srtp::SrtpSession::create(srtp::SrtpSession::Direction::Inbound, profile, remoteKey);
  srtpOut_ = srtp::SrtpSession::create(srtp::SrtpSession::Direction::Outbound, profile, localKey);
  if (!srtpIn_ || !srtpOut_) {
    srtpIn_.reset();
    srtpOut_.reset();
    dtlsEnded_ = "srtp_failed";
    return;
  }
  dtlsConnected_ = true;
}

void WebRtcTransport::OnDtlsTransportFailed(dtls::DtlsTransport& transport, std::string_view reason) {
  if (closed_) return;
  spdlog::debug("rtc: transport {} DTLS failed: {} ({})", localUfrag_, reason, transport.failureDetail());
  server_.mutableCounters().dtlsFailed(reason);
  dtlsEnded_ = "dtls_" + std::string(reason);
}

void WebRtcTransport::OnDtlsTransportClosed(dtls::DtlsTransport&) {
  if (closed_) return;
  dtlsEnded_ = "dtls_closed";
}

void WebRtcTransport::OnDtlsTransportApplicationData(dtls::DtlsTransport&, std::span<const uint8_t> data) {
  // Safe inside a DTLS callback: the association posts everything it produces (nothing comes
  // back into DtlsTransport from here).
  if (sctp_ && !closed_) sctp_->receive(data);
}

// ---- data channels -----------------------------------------------------------------------------

void WebRtcTransport::enableDataChannels(uint16_t remoteSctpPort) {
  if (sctp_ || closed_) return;
  sctp::SctpAssociation::Options options;
  options.dtlsClient = remote_ && remote_->dtlsRole == dtls::DtlsTransport::Role::Client;
  options.remotePort = remoteSctpPort;
  sctp_ = std::make_unique<sctp::SctpAssociation>(dtlsTimer_.get_executor(), options, sctpCallbacks());
  if (connected()) sctp_->connect();
}

sctp::SctpAssociation::Callbacks WebRtcTransport::sctpCallbacks() {
  // Each runs from a posted handler on this shard, and only while sctp_ (and so this transport)
  // exists: the association drops its callbacks when it is destroyed.
  sctp::SctpAssociation::Callbacks c;
  c.sendToPeer = [this](std::span<const uint8_t> packet) {
    if (closed_ || packet.size() > dtls::DtlsTransport::kMaxApplicationDataBytes) return;
    if (!dtls_.send(packet)) server_.mutableCounters().drop(Drop::SendFailed, "sctp");
  };
  c.onStateChange = [this](sctp::SctpAssociation::State state) {
    if (state == sctp::SctpAssociation::State::Connected) listener_.OnWebRtcTransportDataReady(*this);
  };
  c.onChannelOpened = [this](uint16_t id, const sctp::DataChannelParameters& p) { listener_.OnWebRtcTransportDataChannelOpened(*this, id, p); };
  c.onMessage = [this](uint16_t id, sctp::PayloadProtocol protocol, std::span<const uint8_t> message) {
    listener_.OnWebRtcTransportDataMessage(*this, id, protocol, message);
  };
  c.onChannelClosed = [this](uint16_t id) { listener_.OnWebRtcTransportDataChannelClosed(*this, id); };
  return c;
}

std::optional<uint16_t> WebRtcTransport::openDataChannel(const sctp::DataChannelParameters& channel) {
  if (!sctp_ || closed_) return std::nullopt;
  return sctp_->openChannel(channel);
}

sctp::SctpAssociation::SendResult WebRtcTransport::sendData(uint16_t streamId, sctp::PayloadProtocol protocol, std::span<const uint8_t> message) {
  if (!sctp_ || closed_) return sctp::SctpAssociation::SendResult::NotOpen;
  return sctp_->send(streamId, protocol, message);
}

void WebRtcTransport::closeDataChannel(uint16_t streamId) {
  if (sctp_ && !closed_) sctp_->closeChannel(streamId);
}

}  // namespace onair::rtc
