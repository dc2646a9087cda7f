#pragma once
// Tells apart what arrives on a WebRTC UDP port by its first bytes (RFC 7983 §7, which updates
// RFC 5764 §5.1.2), the way every packet is routed before anything parses it:
//
//                  +----------------+
//                  |        [0..3] -+--> STUN        (also needs ≥ 20 bytes and the magic cookie)
//                  |                |
//                  |      [16..19] -+--> ZRTP        (not used by WebRTC: Unknown)
//                  |                |
//      packet -->  |      [20..63] -+--> DTLS        (≥ 13 bytes: one record header)
//                  |                |
//                  |      [64..79] -+--> TURN Channel (onair is no TURN server: Unknown)
//                  |                |
//                  |    [128..191] -+--> RTP/RTCP    (version 2; RTCP when the second byte is
//                  +----------------+                 192..223, RFC 5761 §4; RTP ≥ 12 bytes,
//                                                     RTCP ≥ 4 bytes)
//
// Everything else is Unknown and is dropped by the caller. The checks read at most the first 8
// bytes, allocate nothing and never fail; a packet they accept can still be malformed, which is
// for the parser of its kind to find out.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace onair::rtc {

class PacketClassifier {
 public:
  enum class Kind : uint8_t { Unknown, Stun, Dtls, Rtp, Rtcp };

  static constexpr size_t kStunHeaderBytes = 20;
  static constexpr size_t kDtlsRecordHeaderBytes = 13;
  static constexpr size_t kRtpHeaderBytes = 12;
  static constexpr size_t kRtcpHeaderBytes = 4;

  static Kind classify(std::span<const uint8_t> packet) noexcept;

  static bool isStun(std::span<const uint8_t> packet) noexcept;
  static bool isDtls(std::span<const uint8_t> packet) noexcept;
  static bool isRtcp(std::span<const uint8_t> packet) noexcept;
  // RTP proper: an RTP/RTCP first byte whose second byte is not an RTCP packet type.
  static bool isRtp(std::span<const uint8_t> packet) noexcept;

  // A stable lowercase name for logs and metric labels ("stun", "dtls", …).
  static std::string_view name(Kind kind) noexcept;
};

}  // namespace onair::rtc
