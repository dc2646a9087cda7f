#pragma once
// One shard's WebRTC endpoint (DESIGN.md §2, §7): one UDP socket, shared by every WebRtcTransport
// of the shard, and the demultiplexing that hands each datagram to its transport:
//
//   datagram ─ PacketClassifier ─┬─ STUN with USERNAME ─ local ufrag (before ':') ─ ufrag map ─┐
//                                ├─ STUN without it, DTLS, RTP, RTCP ─ source address ─ tuple map ─┴─> transport
//                                └─ anything else: dropped (not_webrtc)
//
// A transport's tuples (remote addresses) enter the tuple map only through a binding request that
// passed its MESSAGE-INTEGRITY check, so nothing but STUN reaches a transport from an address that
// has not proven it knows the ICE password. Every drop is counted by reason (counters()).
//
// Lifetime: createTransport() returns a transport the server owns. It lives until it closes (its
// close(), consent or DTLS failure, or the server's destruction); closing removes it from both
// maps at once and it is destroyed on a later loop turn, so a pointer held across the close
// callback stays valid until that callback returns. Destroying the server destroys its
// transports without calling their listeners.
//
// Threading: everything runs on the shard's io_context thread; counters() may be read from any.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/UdpSocket.hpp"
#include "rtc/WebRtcCounters.hpp"
#include "rtc/WebRtcTransport.hpp"
#include "rtc/dtls/DtlsContext.hpp"
#include "rtc/ice/StunAddress.hpp"
#include "rtc/sfu/RouterCounters.hpp"

namespace onair::rtc {

class WebRtcServer final : private net::UdpSocket::Listener {
 public:
  struct Options {
    // The address and port the socket binds (rtc.listen_address, rtc.first_port + shard index;
    // port 0: an ephemeral one).
    std::string listenAddress = "127.0.0.1";
    uint16_t port = 0;
    // The address put in candidates (rtc.announced_address); empty: the listen address.
    std::string announcedAddress;
    // RFC 7675's consent freshness: a transport with no valid binding request for this long is
    // closed (also counted from its creation, so a transport no peer ever checks goes away).
    std::chrono::milliseconds consentTimeout{30000};
    dtls::DtlsTransport::Options dtls;
  };

  // Binds the socket; throws boost::system::system_error if it cannot (called at start-up).
  WebRtcServer(boost::asio::io_context& io, std::shared_ptr<const dtls::DtlsContext> dtlsContext, Options options);
  ~WebRtcServer() override;
  WebRtcServer(const WebRtcServer&) = delete;
  WebRtcServer& operator=(const WebRtcServer&) = delete;

  // A new transport with fresh ICE credentials, reporting to `listener` (which must outlive it or
  // close it first). Give it the offer's parameters with setRemoteParameters().
  WebRtcTransport& createTransport(WebRtcTransport::Listener& listener);

  // The host candidate every transport of this server announces (announced or listen address,
  // the socket's port).
  const sdp::Candidate& candidate() const { return candidate_; }
  uint16_t port() const { return socket_->localPort(); }
  const dtls::DtlsContext& dtlsContext() const { return *dtlsContext_; }

  // Live transports and the remote addresses mapped to them: both drop to zero once every
  // transport has closed.
  size_t transportCount() const { return byUfrag_.size(); }
  size_t tupleCount() const { return byTuple_.size(); }

  const WebRtcCounters& counters() const { return counters_; }
  const net::UdpSocket::Counters& socketCounters() const { return socket_->counters(); }
  // What this shard's sfu::Routers count (written by them, on this thread).
  sfu::RouterCounters& routerCounters() { return routerCounters_; }
  const sfu::RouterCounters& routerCounters() const { return routerCounters_; }

 private:
  friend class WebRtcTransport;

  void OnUdpSocketPacket(net::UdpSocket& socket, std::span<uint8_t> data, const net::UdpSocket::Endpoint& remote) override;
  void routeStun(std::span<uint8_t> data, const net::UdpSocket::Endpoint& remote);

  // Called by transports.
  // A tuple maps to the transport whose check last came from it; removing it is a no-op when it
  // has since moved to another transport.
  void addTuple(const net::UdpSocket::Endpoint& tuple, WebRtcTransport& transport);
  void removeTuple(const net::UdpSocket::Endpoint& tuple, const WebRtcTransport& transport);
  void onTransportClosed(WebRtcTransport& transport);
  net::UdpSocket& socket() { return *socket_; }
  WebRtcCounters& mutableCounters() { return counters_; }
  boost::asio::io_context& io() { return io_; }
  const Options& options() const { return options_; }

  std::string newUfrag() const;

  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  struct EndpointHash {
    size_t operator()(const net::UdpSocket::Endpoint& endpoint) const;
  };

  boost::asio::io_context& io_;
  std::shared_ptr<const dtls::DtlsContext> dtlsContext_;
  Options options_;
  WebRtcCounters counters_;
  sfu::RouterCounters routerCounters_;
  std::unique_ptr<net::UdpSocket> socket_;
  sdp::Candidate candidate_;
  std::unordered_map<std::string, std::unique_ptr<WebRtcTransport>, TextHash, std::equal_to<>> byUfrag_;
  std::unordered_map<net::UdpSocket::Endpoint, WebRtcTransport*, EndpointHash> byTuple_;
  // Closed transports, destroyed on the next loop turn (a caller up the stack may still hold one).
  std::vector<std::unique_ptr<WebRtcTransport>> closed_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace onair::rtc
