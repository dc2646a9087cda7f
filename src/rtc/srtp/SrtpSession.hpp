#pragma once
// One direction of SRTP/SRTCP (RFC 3711, RFC 7714) for one transport: a thin wrapper over a
// libsrtp2 session keyed with what the DTLS handshake exported. An Inbound session unprotects what
// the peer sends (any SSRC, replay protection on: a 1024-packet window); an Outbound session
// protects what onair sends (any SSRC; the same packet may be protected again for a NACK
// retransmission).
//
// Packets are transformed in place in a caller buffer, with no allocation per packet: protect
// needs `kMaxTrailerBytes` of room past the packet for the tag (and SRTCP index); unprotect
// shortens it. Failures come back as an Error for per-reason metrics, never as exceptions.
// A session is used by one thread (the shard that owns its transport).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "rtc/srtp/SrtpProfile.hpp"

struct srtp_ctx_t_;

namespace onair::rtc::srtp {

class SrtpSession {
 public:
  enum class Direction : uint8_t { Inbound, Outbound };

  enum class Error : uint8_t {
    None,
    BadLength,  // shorter than an RTP/RTCP header (+ tag), or no room for the trailer
    Replay,     // already received, or older than the replay window
    AuthFail,   // the tag does not match: tampered, or keyed for another session
    Other,      // anything else libsrtp refuses (a malformed header, a cipher failure)
  };

  // Room a caller's buffer needs past a packet for protect (SRTP_MAX_TRAILER_LEN).
  static constexpr size_t kMaxTrailerBytes = 16 + 128 + 4;  // tag, MKI, SRTCP index

  // A session keyed with `masterKeyAndSalt` (SrtpProfileInfo::masterBytes(profile) bytes), or
  // null when the key has the wrong length or libsrtp refuses it. The key is copied.
  static std::unique_ptr<SrtpSession> create(Direction direction, SrtpProfile profile,
                                             std::span<const uint8_t> masterKeyAndSalt);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // `buffer` holds the packet in its first `length` bytes; on success `length` is the new length
  // (protect: longer, at most length + kMaxTrailerBytes; unprotect: shorter). On failure the
  // bytes are unspecified and `length` is unchanged.
  Error protectRtp(std::span<uint8_t> buffer, size_t& length);
  Error unprotectRtp(std::span<uint8_t> buffer, size_t& length);
  Error protectRtcp(std::span<uint8_t> buffer, size_t& length);
  Error unprotectRtcp(std::span<uint8_t> buffer, size_t& length);

  Direction direction() const noexcept { return direction_; }
  SrtpProfile profile() const noexcept { return profile_; }

  // A stable snake_case name for metric labels and logs ("replay", "auth_fail", …).
  static std::string_view name(Error error) noexcept;

 private:
  SrtpSession(Direction direction, SrtpProfile profile, srtp_ctx_t_* session);
  template <typename Transform>
  Error apply(Transform transform, std::span<uint8_t> buffer, size_t& length, size_t minLength, bool grows);

  Direction direction_;
  SrtpProfile profile_;
  srtp_ctx_t_* session_;
};

}  // namespace onair::rtc::srtp
