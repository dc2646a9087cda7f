#include "rtc/WebRtcServerPool.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "rtc/dtls/DtlsCertificate.hpp"

namespace onair::rtc {
namespace {

uint64_t read(const std::atomic<uint64_t>& counter) { return counter.load(std::memory_order_relaxed); }

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// One counter series per shard and reason: `count(shard, reason)` for each of the `reasons` values
// of enum `Reason`, labelled with `name(reason)`.
template <typename Reason, typename Name, typename Count>
void byReason(std::string& out, const char* metric, const char* help, size_t shards, size_t reasons, Name name, Count count) {
  header(out, metric, "counter", help);
  for (size_t i = 0; i < shards; ++i) {
    for (size_t r = 0; r < reasons; ++r) {
      const auto reason = static_cast<Reason>(r);
      out += fmt::format("{}{{shard=\"{}\",reason=\"{}\"}} {}\n", metric, i, name(reason), count(i, reason));
    }
  }
}

}  // namespace

WebRtcServerPool::WebRtcServerPool(const std::vector<boost::asio::io_context*>& shards, const Options& options)
    : dtlsContext_(std::make_shared<const dtls::DtlsContext>(dtls::DtlsCertificate::generate())) {
  if (options.firstPort != 0 && options.firstPort + shards.size() - 1 > 65535) {
    throw std::invalid_argument(fmt::format("rtc.first_port {} leaves no room for {} shards (the last port would be past 65535)",
                                            options.firstPort, shards.size()));
  }
  for (size_t i = 0; i < shards.size(); ++i) {
    WebRtcServer::Options serverOptions;
    serverOptions.listenAddress = options.listenAddress;
    serverOptions.port = options.firstPort == 0 ? 0 : static_cast<uint16_t>(options.firstPort + i);
    serverOptions.announcedAddress = options.announcedAddress;
    servers_.push_back(std::make_unique<WebRtcServer>(*shards[i], dtlsContext_, serverOptions));
  }
}

std::string WebRtcServerPool::metricsText() const {
  std::string out;
  auto perShard = [&](const char* name, const char* type, const char* help, auto get) {
    header(out, name, type, help);
    for (size_t i = 0; i < servers_.size(); ++i) out += fmt::format("{}{{shard=\"{}\"}} {}\n", name, i, get(*servers_[i]));
  };
  // Open transports from the counters (the maps belong to the shard's thread).
  perShard("onair_rtc_transports", "gauge", "Open WebRTC transports (peer connections).", [](const WebRtcServer& s) {
    return read(s.counters().transportsCreated) - read(s.counters().transportsClosed);
  });
  perShard("onair_rtc_transports_connected_total", "counter", "WebRTC transports that completed ICE and DTLS.",
           [](const WebRtcServer& s) { return read(s.counters().transportsConnected); });
  perShard("onair_rtc_consent_timeouts_total", "counter", "WebRTC transports closed because the peer stopped its ICE checks.",
           [](const WebRtcServer& s) { return read(s.counters().consentTimeouts); });
  byReason<WebRtcCounters::DtlsFailure>(
      out, "onair_rtc_dtls_failures_total", "WebRTC transports closed by a failed DTLS handshake, by reason.", servers_.size(),
      WebRtcCounters::kDtlsFailures, [](auto failure) { return WebRtcCounters::name(failure); },
      [&](size_t i, auto failure) { return servers_[i]->counters().dtlsFailures(failure); });
  perShard("onair_rtc_udp_packets_in_total", "counter", "UDP datagrams received on the WebRTC sockets.",
           [](const WebRtcServer& s) { return read(s.socketCounters().packetsIn); });
  perShard("onair_rtc_udp_bytes_in_total", "counter", "Bytes received on the WebRTC sockets.",
           [](const WebRtcServer& s) { return read(s.socketCounters().bytesIn); });
  perShard("onair_rtc_udp_packets_out_total", "counter", "UDP datagrams sent from the WebRTC sockets.",
           [](const WebRtcServer& s) { return read(s.socketCounters().packetsOut); });
  perShard("onair_rtc_udp_bytes_out_total", "counter", "Bytes sent from the WebRTC sockets.",
           [](const WebRtcServer& s) { return read(s.socketCounters().bytesOut); });
  perShard("onair_rtc_udp_gso_messages_total", "counter", "Messages that carried several datagrams to one peer (UDP GSO).",
           [](const WebRtcServer& s) { return read(s.socketCounters().gsoMessages); });
  header(out, "onair_rtc_packets_dropped_total", "counter", "WebRTC packets dropped, by reason.");
  for (size_t i = 0; i < servers_.size(); ++i) {
    const auto& socket = servers_[i]->socketCounters();
    out += fmt::format("onair_rtc_packets_dropped_total{{shard=\"{}\",reason=\"udp_oversized\"}} {}\n", i, read(socket.oversizedIn));
    out += fmt::format("onair_rtc_packets_dropped_total{{shard=\"{}\",reason=\"udp_queue_full\"}} {}\n", i, read(socket.queueFull));
    out += fmt::format("onair_rtc_packets_dropped_total{{shard=\"{}\",reason=\"udp_send_error\"}} {}\n", i, read(socket.sendErrors));
    servers_[i]->counters().forEachDrop([&](std::string_view reason, uint64_t count) {
      out += fmt::format("onair_rtc_packets_dropped_total{{shard=\"{}\",reason=\"{}\"}} {}\n", i, reason, count);
    });
  }
  appendRouterMetrics(out);
  return out;
}

void WebRtcServerPool::appendRouterMetrics(std::string& out) const {
  using sfu::RouterCounters;
  auto perShard = [&](const char* name, const char* help, auto member) {
    header(out, name, "counter", help);
    for (size_t i = 0; i < servers_.size(); ++i) {
      out += fmt::format("{}{{shard=\"{}\"}} {}\n", name, i, RouterCounters::read(servers_[i]->routerCounters().*member));
    }
  };
  perShard("onair_sfu_rtp_received_total", "RTP packets received from publishers.", &RouterCounters::rtpReceived);
  perShard("onair_sfu_rtp_received_bytes_total", "Bytes of RTP received from publishers.", &RouterCounters::rtpReceivedBytes);
  perShard("onair_sfu_rtp_forwarded_total", "RTP packets forwarded to subscribers.", &RouterCounters::rtpForwarded);
  perShard("onair_sfu_rtp_forwarded_bytes_total", "Bytes of RTP forwarded to subscribers.", &RouterCounters::rtpForwardedBytes);
  perShard("onair_sfu_nacks_sent_total", "NACK packets sent to publishers.", &RouterCounters::nacksSent);
  perShard("onair_sfu_nacks_received_total", "NACK packets received from subscribers.", &RouterCounters::nacksReceived);
  perShard("onair_sfu_keyframe_requests_sent_total", "PLI/FIR sent to publishers.", &RouterCounters::keyframeRequestsSent);
  perShard("onair_sfu_keyframe_requests_received_total", "PLI/FIR received from subscribers.",
           &RouterCounters::keyframeRequestsReceived);
  perShard("onair_sfu_retransmissions_total", "Packets resent to subscribers from the SFU's buffer.", &RouterCounters::retransmissions);
  perShard("onair_sfu_retransmission_misses_total", "NACKed packets no longer in the SFU's buffer.",
           &RouterCounters::retransmissionMisses);
  perShard("onair_sfu_data_messages_received_total", "Data channel messages received on publishers' data tracks.",
           &RouterCounters::dataMessagesReceived);
  perShard("onair_sfu_data_messages_forwarded_total", "Data channel messages sent to subscribers.", &RouterCounters::dataMessagesForwarded);
  perShard("onair_sfu_data_messages_dropped_total", "Data channel messages on no data track, or a subscriber's channel refused.",
           &RouterCounters::dataMessagesDropped);
  byReason<RouterCounters::Drop>(
      out, "onair_sfu_packets_dropped_total", "Media packets the SFU dropped, by reason.", servers_.size(),
      RouterCounters::kDropReasons, [](auto reason) { return RouterCounters::name(reason); },
      [&](size_t i, auto reason) { return servers_[i]->routerCounters().dropped(reason); });
}

}  // namespace onair::rtc
