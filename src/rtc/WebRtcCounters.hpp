#pragma once
// What one shard's WebRtcServer counts for /metrics: transports, and every packet dropped, by
// reason (DESIGN.md §9: media packets that fail checks are counted and dropped, with a
// rate-limited tagged log line). Written only by the shard's thread (relaxed single-writer
// increments); read from any thread.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "rtc/ice/IceLiteResponder.hpp"
#include "rtc/srtp/SrtpSession.hpp"

namespace onair::rtc {

class WebRtcCounters {
 public:
  using Counter = std::atomic<uint64_t>;

  enum class Drop : uint8_t {
    NotWebRtc,       // neither STUN, DTLS, RTP nor RTCP (PacketClassifier: Unknown)
    MalformedStun,   // classified as STUN, but StunMessage::parse refuses it
    UnknownUfrag,    // a STUN request whose USERNAME names no transport of this server
    UnknownAddress,  // DTLS/RTP/RTCP (or STUN without USERNAME) from an address no check came from
    StunRejected,    // refused by the transport's IceLiteResponder (by verdict in stunRejected)
    DtlsRejected,    // DtlsTransport::receive dropped it unread, or it came before the offer's fingerprint
    NotConnected,    // RTP/RTCP before the SRTP keys exist
    SrtpFailed,      // SrtpSession refused it (by error in srtpErrors)
    SendFailed,      // an outgoing packet the socket could not queue, or protect failed
  };
  static constexpr size_t kDropReasons = 9;

  // Why a transport's DTLS handshake failed (the transport closes with it).
  enum class DtlsFailure : uint8_t {
    FingerprintMismatch,  // the peer's certificate is not the one its offer's a=fingerprint names
    HandshakeTimeout,     // no handshake within DtlsTransport's time limit
    Other,                // a failed handshake, no SRTP profile, key export, a fatal alert
  };
  static constexpr size_t kDtlsFailures = 3;
  static constexpr size_t kVerdicts = 11;    // IceLiteResponder::Verdict
  static constexpr size_t kSrtpErrors = 5;   // SrtpSession::Error

  Counter transportsCreated{0};
  Counter transportsClosed{0};
  Counter transportsConnected{0};  // reached SRTP keys
  Counter consentTimeouts{0};      // closed by consent freshness (no valid check in time)
  std::array<Counter, kDtlsFailures> dtlsFailureCounts{};
  std::array<Counter, kDropReasons> drops{};
  std::array<Counter, kVerdicts> stunRejected{};
  std::array<Counter, kSrtpErrors> srtpErrors{};

  // Counts one drop; logs at most one line per reason per kLogInterval, with the count since.
  void drop(Drop reason, std::string_view detail = {});
  void stunRejectedBy(ice::IceLiteResponder::Verdict verdict);
  void srtpFailed(srtp::SrtpSession::Error error, std::string_view what);

  uint64_t dropped(Drop reason) const { return drops[size_t(reason)].load(std::memory_order_relaxed); }
  // Counts a failure by DtlsTransport's reason ("fingerprint_mismatch", "handshake_timeout", …).
  void dtlsFailed(std::string_view reason);
  uint64_t dtlsFailures(DtlsFailure failure) const { return dtlsFailureCounts[size_t(failure)].load(std::memory_order_relaxed); }
  static std::string_view name(DtlsFailure failure);
  uint64_t rejected(ice::IceLiteResponder::Verdict verdict) const {
    return stunRejected[size_t(verdict)].load(std::memory_order_relaxed);
  }
  uint64_t srtpFailures(srtp::SrtpSession::Error error) const {
    return srtpErrors[size_t(error)].load(std::memory_order_relaxed);
  }

  // Every drop counter as (metric label, value) for /metrics: "not_webrtc", …, "stun_bad_integrity",
  // "srtp_replay", … Zero counters are included so series exist from the start.
  void forEachDrop(const std::function<void(std::string_view reason, uint64_t count)>& visit) const;

  static std::string_view name(Drop reason);
  static void add(Counter& counter, uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  static constexpr std::chrono::seconds kLogInterval{10};

 private:
  void logRateLimited(size_t slot, std::string_view reason, std::string_view detail);

  // Per reason (drop reasons, then verdicts, then SRTP errors): when it was last logged and how
  // many went by since.
  static constexpr size_t kLogSlots = kDropReasons + kVerdicts + kSrtpErrors;
  std::array<std::chrono::steady_clock::time_point, kLogSlots> lastLogged_{};
  std::array<uint64_t, kLogSlots> sinceLogged_{};
};

}  // namespace onair::rtc
