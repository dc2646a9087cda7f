#pragma once
// The two checksums of a STUN message (RFC 8489 §14.5, §14.7), shared by the parser, which checks
// them, and the builder, which writes them. Each is computed over the message's bytes up to the
// attribute, with the header's Length field taken as if the message ended right after that
// attribute (24 bytes for MESSAGE-INTEGRITY, 8 for FINGERPRINT), whatever the bytes say.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace onair::rtc::ice {

class StunDigest {
 public:
  static constexpr size_t kIntegrityAttributeBytes = 4 + 20;
  static constexpr size_t kFingerprintAttributeBytes = 4 + 4;

  // HMAC-SHA1 keyed with the short-term password; nullopt only if OpenSSL fails. `upToAttribute`
  // is at least the 20-byte header and at most StunMessage::kMaxBytes.
  static std::optional<std::array<uint8_t, 20>> integrity(std::span<const uint8_t> upToAttribute,
                                                          std::string_view password);
  // CRC-32 (ISO-HDLC, as zlib) XOR 0x5354554E. `upToAttribute` is at least the 20-byte header.
  static uint32_t fingerprint(std::span<const uint8_t> upToAttribute);
};

}  // namespace onair::rtc::ice
