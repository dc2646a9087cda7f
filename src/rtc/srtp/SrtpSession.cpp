#include "rtc/srtp/SrtpSession.hpp"

#include <srtp2/srtp.h>

#include <climits>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "util/Log.hpp"

namespace onair::rtc::srtp {

static_assert(SrtpSession::kMaxTrailerBytes == SRTP_MAX_TRAILER_LEN + 4);

namespace {

constexpr size_t kRtpHeaderBytes = 12;
constexpr size_t kRtcpHeaderBytes = 8;  // up to the sender SSRC, which SRTCP keys on
// Large enough for loss bursts and reordering on a busy video stream (libsrtp's default is 128).
constexpr unsigned long kReplayWindowPackets = 1024;

// libsrtp keeps process-wide state (its crypto kernel) that srtp_init sets up once.
void initLibsrtpOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (const auto status = srtp_init(); status != srtp_err_status_ok) {
      // Nothing media-related can work without it; fail loudly at the first session.
      spdlog::critical("srtp_init failed ({})", static_cast<int>(status));
      std::abort();
    }
  });
}

void setCryptoPolicy(SrtpProfile profile, srtp_policy_t& policy) {
  switch (profile) {
    case SrtpProfile::AeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
      return;
    case SrtpProfile::AesCm128HmacSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
      return;
  }
}

SrtpSession::Error toError(srtp_err_status_t status) {
  switch (status) {
    case srtp_err_status_ok: return SrtpSession::Error::None;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old: return SrtpSession::Error::Replay;
    case srtp_err_status_auth_fail: return SrtpSession::Error::AuthFail;
    case srtp_err_status_bad_param: return SrtpSession::Error::BadLength;
    default: return SrtpSession::Error::Other;
  }
}

// The tag an unprotect needs at least, so a truncated packet is refused before libsrtp sees it.
size_t tagBytes(SrtpProfile profile) { return profile == SrtpProfile::AeadAes128Gcm ? 16 : 10; }

}  // namespace

std::unique_ptr<SrtpSession> SrtpSession::create(Direction direction, SrtpProfile profile,
                                                 std::span<const uint8_t> masterKeyAndSalt) {
  if (masterKeyAndSalt.size() != SrtpProfileInfo::masterBytes(profile)) return nullptr;
  initLibsrtpOnce();

  srtp_policy_t policy{};
  setCryptoPolicy(profile, policy);
  policy.ssrc.type = direction == Direction::Inbound ? ssrc_any_inbound : ssrc_any_outbound;
  // srtp_create copies the key into the session; the policy's pointer is not kept.
  std::vector<uint8_t> key(masterKeyAndSalt.begin(), masterKeyAndSalt.end());
  policy.key = key.data();
  policy.window_size = kReplayWindowPackets;
  // Outbound: a packet resent for a NACK is protected again with the same sequence number.
  policy.allow_repeat_tx = direction == Direction::Outbound ? 1 : 0;

  srtp_t session = nullptr;
  if (const auto status = srtp_create(&session, &policy); status != srtp_err_status_ok) {
    spdlog::warn("srtp_create failed ({}) for {}", static_cast<int>(status), SrtpProfileInfo::name(profile));
    return nullptr;
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(direction, profile, session));
}

SrtpSession::SrtpSession(Direction direction, SrtpProfile profile, srtp_ctx_t_* session)
    : direction_(direction), profile_(profile), session_(session) {}

SrtpSession::~SrtpSession() { srtp_dealloc(session_); }

template <typename Transform>
SrtpSession::Error SrtpSession::apply(Transform transform, std::span<uint8_t> buffer, size_t& length,
                                      size_t minLength, bool grows) {
  // Lengths first: libsrtp trusts the buffer to hold the packet and, on protect, the trailer.
  if (length < minLength || length > buffer.size()) return Error::BadLength;
  if (grows && buffer.size() - length < kMaxTrailerBytes) return Error::BadLength;
  if (length > static_cast<size_t>(INT_MAX - kMaxTrailerBytes)) return Error::BadLength;

  int len = static_cast<int>(length);
  const auto error = toError(transform(session_, buffer.data(), &len));
  if (error != Error::None) return error;
  length = static_cast<size_t>(len);
  return Error::None;
}

SrtpSession::Error SrtpSession::protectRtp(std::span<uint8_t> buffer, size_t& length) {
  return apply(srtp_protect, buffer, length, kRtpHeaderBytes, true);
}

SrtpSession::Error SrtpSession::unprotectRtp(std::span<uint8_t> buffer, size_t& length) {
  return apply(srtp_unprotect, buffer, length, kRtpHeaderBytes + tagBytes(profile_), false);
}

SrtpSession::Error SrtpSession::protectRtcp(std::span<uint8_t> buffer, size_t& length) {
  return apply(srtp_protect_rtcp, buffer, length, kRtcpHeaderBytes, true);
}

SrtpSession::Error SrtpSession::unprotectRtcp(std::span<uint8_t> buffer, size_t& length) {
  // SRTCP adds the 4-byte E flag and index before the tag.
  return apply(srtp_unprotect_rtcp, buffer, length, kRtcpHeaderBytes + 4 + tagBytes(profile_), false);
}

std::string_view SrtpSession::name(Error error) noexcept {
  switch (error) {
    case Error::None: return "none";
    case Error::BadLength: return "bad_length";
    case Error::Replay: return "replay";
    case Error::AuthFail: return "auth_fail";
    case Error::Other: return "other";
  }
  return "other";
}

}  // namespace onair::rtc::srtp
