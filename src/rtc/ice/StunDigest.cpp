#include "rtc/ice/StunDigest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/crc.hpp>
#include <cstring>

#include "rtc/ice/StunMessage.hpp"

namespace onair::rtc::ice {

namespace {
// The header's first 4 bytes with the Length field replaced.
std::array<uint8_t, 4> typeAndLength(std::span<const uint8_t> header, size_t length) {
  return {header[0], header[1], static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
}
}  // namespace

std::optional<std::array<uint8_t, 20>> StunDigest::integrity(std::span<const uint8_t> upTo, std::string_view password) {
  // One contiguous copy with the patched Length: HMAC() is one-shot, and 1.5 KB on the stack is
  // cheaper than the streaming API's context allocation.
  std::array<uint8_t, StunMessage::kMaxBytes> copy;
  const size_t n = std::min(upTo.size(), copy.size());
  std::memcpy(copy.data(), upTo.data(), n);
  const auto head = typeAndLength(upTo, n - StunMessage::kHeaderBytes + kIntegrityAttributeBytes);
  std::memcpy(copy.data(), head.data(), head.size());

  std::array<uint8_t, 20> mac{};
  unsigned int macLen = 0;
  if (!HMAC(EVP_sha1(), password.data(), static_cast<int>(password.size()), copy.data(), n, mac.data(), &macLen) ||
      macLen != mac.size()) {
    return std::nullopt;
  }
  return mac;
}

uint32_t StunDigest::fingerprint(std::span<const uint8_t> upTo) {
  const auto head = typeAndLength(upTo, upTo.size() - StunMessage::kHeaderBytes + kFingerprintAttributeBytes);
  boost::crc_32_type crc;
  crc.process_bytes(head.data(), head.size());
  crc.process_bytes(upTo.data() + head.size(), upTo.size() - head.size());
  return crc.checksum() ^ StunMessage::kFingerprintXor;
}

}  // namespace onair::rtc::ice
