#include "rtc/WebRtcServer.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <cstring>
#include <functional>

#include "rtc/ice/StunMessage.hpp"
#include "util/Random.hpp"

namespace onair::rtc {
namespace {

using Endpoint = net::UdpSocket::Endpoint;
using Drop = WebRtcCounters::Drop;

// RFC 8839 §5.4: ICE credentials are ice-chars (ALPHA / DIGIT / "+" / "/"), 4-256 of them in a
// ufrag and 22-256 in a password. 64 symbols, so one random byte's low 6 bits pick one evenly.
constexpr std::string_view kIceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kUfragChars = 8;      // 48 bits: unique within a shard, checked anyway
constexpr size_t kPasswordChars = 24;  // 144 bits

std::string iceCredential(size_t length) {
  std::string text = util::randomBytes(length);
  for (char& c : text) c = kIceChars[static_cast<uint8_t>(c) & 63];
  return text;
}

sdp::Candidate hostCandidate(const WebRtcServer::Options& options, uint16_t port) {
  return sdp::Candidate{
      .foundation = "1",
      .component = 1,
      .transport = "udp",
      .priority = 2130706431,  // RFC 8445 §5.1.2.1: type preference 126 (host), local 65535, component 1
      .address = options.announcedAddress.empty() ? options.listenAddress : options.announcedAddress,
      .port = port,
      .type = "host",
      .relatedAddress = std::nullopt,
      .relatedPort = std::nullopt,
      .extensions = {},
  };
}

}  // namespace

WebRtcServer::WebRtcServer(boost::asio::io_context& io, std::shared_ptr<const dtls::DtlsContext> dtlsContext,
                           Options options)
    : io_(io),
      dtlsContext_(std::move(dtlsContext)),
      options_(std::move(options)),
      socket_(std::make_unique<net::UdpSocket>(io, static_cast<net::UdpSocket::Listener&>(*this), options_.listenAddress,
                                              options_.port)),
      candidate_(hostCandidate(options_, socket_->localPort())) {
  spdlog::debug("rtc: WebRTC UDP socket on {}:{}", options_.listenAddress, socket_->localPort());
}

WebRtcServer::~WebRtcServer() {
  // Transports first: their destruction must still find the socket and the io_context.
  byTuple_.clear();
  byUfrag_.clear();
  closed_.clear();
}

WebRtcTransport& WebRtcServer::createTransport(WebRtcTransport::Listener& listener) {
  std::string ufrag = newUfrag();
  auto transport = std::make_unique<WebRtcTransport>(*this, listener, ufrag, iceCredential(kPasswordChars));
  WebRtcTransport& created = *transport;
  byUfrag_.emplace(std::move(ufrag), std::move(transport));
  WebRtcCounters::add(counters_.transportsCreated);
  return created;
}

std::string WebRtcServer::newUfrag() const {
  std::string ufrag = iceCredential(kUfragChars);
  while (byUfrag_.contains(ufrag)) ufrag = iceCredential(kUfragChars);
  return ufrag;
}

void WebRtcServer::OnUdpSocketPacket(net::UdpSocket&, std::span<uint8_t> data, const Endpoint& remote) {
  // Classify by the first byte (RFC 7983), then route: STUN by ufrag, the rest by address.
  const auto kind = PacketClassifier::classify(data);
  if (kind == PacketClassifier::Kind::Unknown) {
    counters_.drop(Drop::NotWebRtc);
    return;
  }
  if (kind == PacketClassifier::Kind::Stun) {
    routeStun(data, remote);
    return;
  }
  const auto found = byTuple_.find(remote);
  if (found == byTuple_.end()) {
    counters_.drop(Drop::UnknownAddress, PacketClassifier::name(kind));
    return;
  }
  found->second->handlePacket(kind, data);
}

void WebRtcServer::routeStun(std::span<uint8_t> data, const Endpoint& remote) {
  const auto message = ice::StunMessage::parse(data);
  if (!message) {
    counters_.drop(Drop::MalformedStun);
    return;
  }
  // No USERNAME (an indication, a stray response): the transport of that address, if any, judges.
  if (!message->username()) {
    const auto found = byTuple_.find(remote);
    if (found == byTuple_.end()) {
      counters_.drop(Drop::UnknownAddress, "stun");
      return;
    }
    found->second->handleStun(data, remote);
    return;
  }
  // "<local ufrag>:<remote ufrag>": ours comes first (RFC 8445 §7.2.2).
  const std::string_view username = *message->username();
  const std::string_view localUfrag = username.substr(0, username.find(':'));
  const auto found = byUfrag_.find(localUfrag);
  if (found == byUfrag_.end()) {
    counters_.drop(Drop::UnknownUfrag);
    return;
  }
  found->second->handleStun(data, remote);
}

void WebRtcServer::addTuple(const Endpoint& tuple, WebRtcTransport& transport) { byTuple_[tuple] = &transport; }

void WebRtcServer::removeTuple(const Endpoint& tuple, const WebRtcTransport& transport) {
  const auto found = byTuple_.find(tuple);
  if (found != byTuple_.end() && found->second == &transport) byTuple_.erase(found);
}

void WebRtcServer::onTransportClosed(WebRtcTransport& transport) {
  const auto found = byUfrag_.find(transport.localUfrag());
  if (found == byUfrag_.end()) return;
  WebRtcCounters::add(counters_.transportsClosed);
  // Kept alive until the next turn: the caller (a packet handler, a timer) is still inside it.
  closed_.push_back(std::move(found->second));
  byUfrag_.erase(found);
  if (closed_.size() > 1) return;  // a cleanup is already posted
  boost::asio::post(io_, [this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired()) return;
    closed_.clear();
  });
}

size_t WebRtcServer::EndpointHash::operator()(const Endpoint& endpoint) const {
  // The raw sockaddr's bytes that matter: family, port, address.
  const auto address = endpoint.address();
  size_t hash = std::hash<uint16_t>()(endpoint.port());
  if (address.is_v4()) return hash ^ (std::hash<uint32_t>()(address.to_v4().to_uint()) * 31);
  const auto bytes = address.to_v6().to_bytes();
  uint64_t high = 0;
  uint64_t low = 0;
  std::memcpy(&high, bytes.data(), 8);
  std::memcpy(&low, bytes.data() + 8, 8);
  return hash ^ (std::hash<uint64_t>()(high) * 31) ^ (std::hash<uint64_t>()(low) * 131);
}

}  // namespace onair::rtc
