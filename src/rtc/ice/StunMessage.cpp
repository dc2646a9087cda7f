#include "rtc/ice/StunMessage.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "rtc/ice/StunDigest.hpp"

namespace onair::rtc::ice {

namespace {

uint16_t read16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t read32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
uint64_t read64(const uint8_t* p) { return (uint64_t(read32(p)) << 32) | read32(p + 4); }

std::string_view text(std::span<const uint8_t> value) {
  return {reinterpret_cast<const char*>(value.data()), value.size()};
}

size_t padded(size_t length) { return (length + 3) & ~size_t(3); }

bool comprehensionRequired(uint16_t type) { return type < 0x8000; }

// Known attributes this parser reads or deliberately ignores (the long-term credential and
// TURN-server ones an ICE agent has no use for); any other comprehension-required type is unknown.
bool isKnown(uint16_t type) {
  switch (type) {
    case stunattr::MappedAddress:
    case stunattr::Username:
    case stunattr::MessageIntegrity:
    case stunattr::ErrorCode:
    case stunattr::UnknownAttributes:
    case stunattr::Realm:
    case stunattr::Nonce:
    case stunattr::MessageIntegritySha256:
    case stunattr::PasswordAlgorithm:
    case stunattr::Userhash:
    case stunattr::XorMappedAddress:
    case stunattr::Priority:
    case stunattr::UseCandidate:
      return true;
    default:
      return !comprehensionRequired(type);
  }
}

}  // namespace

std::optional<StunMessage> StunMessage::parse(std::span<const uint8_t> bytes) {
  ParseError ignored;
  return parse(bytes, ignored);
}

std::optional<StunMessage> StunMessage::parse(std::span<const uint8_t> bytes, ParseError& error) {
  // Header: size, the two zero bits, the cookie, a Length that is the rest of the datagram.
  error = ParseError::None;
  if (bytes.size() < kHeaderBytes) error = ParseError::TooShort;
  else if (bytes.size() > kMaxBytes) error = ParseError::TooLong;
  else if ((bytes[0] & 0xC0) != 0) error = ParseError::NotStun;
  else if (read32(&bytes[4]) != kMagicCookie) error = ParseError::BadCookie;
  else if (const size_t length = read16(&bytes[2]); length % 4 != 0 || length != bytes.size() - kHeaderBytes) {
    error = ParseError::BadLength;
  }
  if (error != ParseError::None) return std::nullopt;

  StunMessage m;
  m.bytes_ = bytes;
  const uint16_t type = read16(&bytes[0]);
  m.method_ = static_cast<uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
  m.class_ = static_cast<Class>(((type >> 7) & 0x2) | ((type >> 4) & 0x1));
  std::copy_n(&bytes[8], kTransactionIdBytes, m.transactionId_.begin());

  error = m.parseAttributes();
  if (error != ParseError::None) return std::nullopt;
  return m;
}

StunMessage::ParseError StunMessage::parseAttributes() {
  size_t pos = kHeaderBytes;
  while (pos < bytes_.size()) {
    // Every attribute header and padded value lies inside the message (Length is a multiple
    // of 4, so a 4-byte header always fits once pos < size).
    if (fingerprintOffset_ != 0) return ParseError::AfterFingerprint;
    const uint16_t type = read16(&bytes_[pos]);
    const size_t length = read16(&bytes_[pos + 2]);
    if (padded(length) > bytes_.size() - pos - 4) return ParseError::TruncatedAttribute;
    const auto value = bytes_.subspan(pos + 4, length);

    if (type == stunattr::Fingerprint) {
      if (length != 4) return ParseError::BadAttributeValue;
      fingerprintOffset_ = pos;
    } else if (integrityOffset_ == 0) {
      // After MESSAGE-INTEGRITY everything but FINGERPRINT is ignored (§14.5).
      if (const ParseError e = readAttribute(type, value); e != ParseError::None) return e;
      if (type == stunattr::MessageIntegrity) integrityOffset_ = pos;
    }
    pos += 4 + padded(length);
  }
  return ParseError::None;
}

StunMessage::ParseError StunMessage::readAttribute(uint16_t type, std::span<const uint8_t> value) {
  const size_t n = value.size();
  switch (type) {
    case stunattr::Username:
      if (n > kMaxUsernameBytes) return ParseError::BadAttributeValue;
      if (!username_) username_ = text(value);
      return ParseError::None;
    case stunattr::Software:
      if (!software_) software_ = text(value);
      return ParseError::None;
    case stunattr::MessageIntegrity:
      return n == kIntegrityBytes ? ParseError::None : ParseError::BadAttributeValue;
    case stunattr::Priority:
      if (n != 4) return ParseError::BadAttributeValue;
      if (!priority_) priority_ = read32(value.data());
      return ParseError::None;
    case stunattr::UseCandidate:
      if (n != 0) return ParseError::BadAttributeValue;
      useCandidate_ = true;
      return ParseError::None;
    case stunattr::IceControlling:
    case stunattr::IceControlled: {
      if (n != 8) return ParseError::BadAttributeValue;
      auto& slot = type == stunattr::IceControlling ? iceControlling_ : iceControlled_;
      if (!slot) slot = read64(value.data());
      return ParseError::None;
    }
    case stunattr::XorMappedAddress: {
      // Family 1 with 4 address bytes or family 2 with 16; the first byte is reserved.
      if (n < 4) return ParseError::BadAttributeValue;
      const uint8_t family = value[1];
      if (!((family == 0x01 && n == 8) || (family == 0x02 && n == 20))) return ParseError::BadAttributeValue;
      if (xorMappedAddress_) return ParseError::None;
      StunAddress a;
      a.family = family == 0x01 ? StunAddress::Family::V4 : StunAddress::Family::V6;
      a.port = static_cast<uint16_t>(read16(&value[2]) ^ (kMagicCookie >> 16));
      // The XOR pad is the cookie followed by the transaction id: header bytes 4..19.
      for (size_t i = 0; i < a.ipBytes(); ++i) a.ip[i] = value[4 + i] ^ bytes_[4 + i];
      xorMappedAddress_ = a;
      return ParseError::None;
    }
    case stunattr::ErrorCode: {
      if (n < 4 || n - 4 > kMaxReasonBytes) return ParseError::BadAttributeValue;
      const unsigned errorClass = value[2] & 0x07;
      const unsigned number = value[3];
      if (errorClass < 3 || errorClass > 6 || number > 99) return ParseError::BadAttributeValue;
      if (!errorCode_) errorCode_ = ErrorCode{static_cast<uint16_t>(errorClass * 100 + number), text(value.subspan(4))};
      return ParseError::None;
    }
    default:
      if (!isKnown(type)) noteUnknown(type);
      return ParseError::None;
  }
}

void StunMessage::noteUnknown(uint16_t type) {
  const auto listed = unknownRequired();
  if (unknownCount_ == kMaxUnknownListed || std::find(listed.begin(), listed.end(), type) != listed.end()) return;
  unknownRequired_[unknownCount_++] = type;
}

bool StunMessage::checkIntegrity(std::string_view password) const {
  if (!hasIntegrity()) return false;
  const auto expected = StunDigest::integrity(bytes_.first(integrityOffset_), password);
  return expected && CRYPTO_memcmp(expected->data(), &bytes_[integrityOffset_ + 4], kIntegrityBytes) == 0;
}

bool StunMessage::checkFingerprint() const {
  if (!hasFingerprint()) return false;
  return StunDigest::fingerprint(bytes_.first(fingerprintOffset_)) == read32(&bytes_[fingerprintOffset_ + 4]);
}

std::string_view StunMessage::describe(ParseError error) {
  switch (error) {
    case ParseError::None: return "ok";
    case ParseError::TooShort: return "shorter than the 20-byte STUN header";
    case ParseError::TooLong: return "longer than one 1500-byte datagram";
    case ParseError::NotStun: return "the two top bits of the message type are not zero";
    case ParseError::BadCookie: return "the magic cookie is not 0x2112A442";
    case ParseError::BadLength: return "the message length is not a multiple of 4 or not the datagram's size";
    case ParseError::TruncatedAttribute: return "an attribute runs past the end of the message";
    case ParseError::BadAttributeValue: return "an attribute's value has the wrong size or content";
    case ParseError::AfterFingerprint: return "an attribute follows FINGERPRINT";
  }
  return "unknown";
}

}  // namespace onair::rtc::ice
