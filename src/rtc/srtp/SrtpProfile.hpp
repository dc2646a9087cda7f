#pragma once
// The DTLS-SRTP protection profiles onair negotiates (RFC 5764 §4.1.2, RFC 7714 §14.2), in its
// order of preference, with the master key and salt lengths each one takes. The keying material a
// DTLS handshake exports for one direction is the master key followed by the master salt, which is
// also the layout libsrtp wants.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace onair::rtc::srtp {

enum class SrtpProfile : uint8_t {
  AeadAes128Gcm,        // SRTP_AEAD_AES_128_GCM: 16-byte key, 12-byte salt, 16-byte tag
  AesCm128HmacSha1_80,  // SRTP_AES128_CM_SHA1_80: 16-byte key, 14-byte salt, 10-byte tag
};

struct SrtpProfileInfo {
  static constexpr size_t keyBytes(SrtpProfile) noexcept { return 16; }
  static constexpr size_t saltBytes(SrtpProfile profile) noexcept {
    return profile == SrtpProfile::AeadAes128Gcm ? 12 : 14;
  }
  // Key followed by salt: what one direction of a session is keyed with.
  static constexpr size_t masterBytes(SrtpProfile profile) noexcept { return keyBytes(profile) + saltBytes(profile); }

  // The IANA "DTLS-SRTP Protection Profiles" id (0x0007, 0x0001) and back.
  static constexpr uint16_t ianaId(SrtpProfile profile) noexcept {
    return profile == SrtpProfile::AeadAes128Gcm ? 0x0007 : 0x0001;
  }
  static constexpr std::optional<SrtpProfile> fromIanaId(uint64_t id) noexcept {
    if (id == 0x0007) return SrtpProfile::AeadAes128Gcm;
    if (id == 0x0001) return SrtpProfile::AesCm128HmacSha1_80;
    return std::nullopt;
  }

  // The name OpenSSL's use_srtp list takes ("SRTP_AEAD_AES_128_GCM", …), also used in logs.
  static constexpr std::string_view name(SrtpProfile profile) noexcept {
    return profile == SrtpProfile::AeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80";
  }
};

}  // namespace onair::rtc::srtp
