#pragma once
// What the Routers of one shard count for /metrics (the shard's WebRtcServer owns one, see
// WebRtcServer::routerCounters()): forwarded media, feedback both ways, and every packet a router
// drops, by reason. Written only by the shard's thread (relaxed single-writer increments, as in
// WebRtcCounters); read from any thread.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace onair::rtc::sfu {

struct RouterCounters {
  using Counter = std::atomic<uint64_t>;

  enum class Drop : uint8_t {
    MalformedRtp,        // RtpPacket::parse refused it
    MalformedRtcp,       // RtcpCompound stopped at a bad header
    UnknownSsrc,         // no producer of the transport has the ssrc and no mid extension names one
    UnknownPayloadType,  // not the producer's codec (nor its rtx)
    EmptyRtx,            // an RTX packet without OSN (padding, probing)
    Stale,               // the consumer's rewriter refused it (older than the consumer's start)
    SendFailed,          // the consumer's transport could not send it
  };
  static constexpr size_t kDropReasons = 7;

  Counter rtpReceived{0};              // RTP packets from publishers matched to a producer
  Counter rtpReceivedBytes{0};
  Counter rtpForwarded{0};             // RTP packets sent to consumers (retransmissions excluded)
  Counter rtpForwardedBytes{0};
  Counter nacksSent{0};                // NACK packets sent upstream
  Counter nacksReceived{0};            // NACK packets from subscribers
  Counter keyframeRequestsSent{0};     // PLI/FIR sent upstream
  Counter keyframeRequestsReceived{0}; // PLI/FIR from subscribers
  Counter retransmissions{0};          // packets resent to subscribers from the producers' buffers
  Counter retransmissionMisses{0};     // NACKed packets no longer (or never) in the buffer
  Counter dataMessagesReceived{0};     // data channel messages from publishers' data tracks
  Counter dataMessagesForwarded{0};    // data channel messages sent to subscribers
  Counter dataMessagesDropped{0};      // on no data track, or refused by a subscriber's association
  std::array<Counter, kDropReasons> drops{};

  static void add(Counter& counter, uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  static uint64_t read(const Counter& counter) { return counter.load(std::memory_order_relaxed); }
  void drop(Drop reason) { add(drops[size_t(reason)]); }
  uint64_t dropped(Drop reason) const { return read(drops[size_t(reason)]); }

  static std::string_view name(Drop reason) {
    switch (reason) {
      case Drop::MalformedRtp: return "malformed_rtp";
      case Drop::MalformedRtcp: return "malformed_rtcp";
      case Drop::UnknownSsrc: return "unknown_ssrc";
      case Drop::UnknownPayloadType: return "unknown_payload_type";
      case Drop::EmptyRtx: return "empty_rtx";
      case Drop::Stale: return "stale";
      case Drop::SendFailed: return "send_failed";
    }
    return "unknown";
  }
};

}  // namespace onair::rtc::sfu
