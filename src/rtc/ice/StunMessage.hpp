#pragma once
// A STUN message (RFC 8489, which obsoletes RFC 5389), parsed as a view over the datagram's bytes,
// with the attributes an ICE-lite agent needs (RFC 8445 §7, §16.1).
//
// Header (§5):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |0 0|     STUN Message Type     |         Message Length        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         Magic Cookie                          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                                                               |
// |                     Transaction ID (96 bits)                  |
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Message Type: method bits M0..M11 interleaved with class bits C0, C1:
//   0                 1
//   2  3  4 5 6 7 8 9 0 1 2 3 4 5
//  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
//  |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
//  |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
//  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
// Message Length counts the bytes after the header (a multiple of 4); the cookie is 0x2112A442.
//
// Attributes (§14), each padded to a multiple of 4 bytes (padding not counted in Length):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         Type                  |            Length             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         Value (variable)                ....
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Types 0x0000-0x7FFF are comprehension-required, 0x8000-0xFFFF comprehension-optional.
//
// XOR-MAPPED-ADDRESS (§14.2), X-Port = port ^ 0x2112, X-Address = address ^ cookie (IPv4) or
// address ^ (cookie ‖ transaction id) (IPv6):
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                X-Address (Variable)                             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// ERROR-CODE (§14.8), code = Class × 100 + Number, 300..699:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           Reserved, should be 0         |Class|     Number    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      Reason Phrase (variable)                                ..
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// MESSAGE-INTEGRITY (§14.5): HMAC-SHA1 (20 bytes) over the message up to the attribute, with the
// header's Length set as if the message ended right after it. FINGERPRINT (§14.7): CRC-32 of the
// message up to the attribute, XOR 0x5354554E; when present it is the last attribute.
//
// Contract: parse() is pure and bounded (at most kMaxBytes, no allocation); the view it returns
// points into the caller's bytes and is valid as long as they are. Attributes after
// MESSAGE-INTEGRITY other than FINGERPRINT are ignored (§14.5); anything after FINGERPRINT makes
// the message malformed. Of a repeated attribute only the first counts (§14). Unknown
// comprehension-optional attributes are skipped; unknown comprehension-required ones are listed
// (unknownRequired()) for the caller to answer 420. parse() checks neither MESSAGE-INTEGRITY nor
// FINGERPRINT: checkIntegrity() and checkFingerprint() do, on the original bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/ice/StunAddress.hpp"

namespace onair::rtc::ice {

// Attribute types (RFC 8489 §18.3, RFC 8445 §16.1).
namespace stunattr {
inline constexpr uint16_t MappedAddress = 0x0001;
inline constexpr uint16_t Username = 0x0006;
inline constexpr uint16_t MessageIntegrity = 0x0008;
inline constexpr uint16_t ErrorCode = 0x0009;
inline constexpr uint16_t UnknownAttributes = 0x000A;
inline constexpr uint16_t Realm = 0x0014;
inline constexpr uint16_t Nonce = 0x0015;
inline constexpr uint16_t MessageIntegritySha256 = 0x001C;
inline constexpr uint16_t PasswordAlgorithm = 0x001D;
inline constexpr uint16_t Userhash = 0x001E;
inline constexpr uint16_t XorMappedAddress = 0x0020;
inline constexpr uint16_t Priority = 0x0024;
inline constexpr uint16_t UseCandidate = 0x0025;
inline constexpr uint16_t Software = 0x8022;
inline constexpr uint16_t AlternateServer = 0x8023;
inline constexpr uint16_t Fingerprint = 0x8028;
inline constexpr uint16_t IceControlled = 0x8029;
inline constexpr uint16_t IceControlling = 0x802A;
}  // namespace stunattr

class StunMessage {
 public:
  static constexpr size_t kHeaderBytes = 20;
  // One Ethernet-sized datagram: ICE messages are a few hundred bytes at most.
  static constexpr size_t kMaxBytes = 1500;
  static constexpr uint32_t kMagicCookie = 0x2112A442;
  static constexpr uint32_t kFingerprintXor = 0x5354554E;
  static constexpr size_t kTransactionIdBytes = 12;
  static constexpr size_t kIntegrityBytes = 20;
  static constexpr size_t kMaxUsernameBytes = 512;        // §14.3: < 513 bytes
  static constexpr size_t kMaxReasonBytes = 763;          // §14.8: < 128 characters, < 764 bytes
  static constexpr size_t kMaxUnknownListed = 8;          // enough for a 420 answer
  static constexpr uint16_t kBindingMethod = 0x001;

  enum class Class : uint8_t { Request = 0, Indication = 1, SuccessResponse = 2, ErrorResponse = 3 };

  enum class ParseError : uint8_t {
    None,
    TooShort,             // under the 20-byte header
    TooLong,              // over kMaxBytes
    NotStun,              // the two top bits are not zero
    BadCookie,            // not 0x2112A442
    BadLength,            // Length is not a multiple of 4 or not the datagram's size - 20
    TruncatedAttribute,   // an attribute (or its padding) runs past the end
    BadAttributeValue,    // a known attribute with a value of the wrong size or content
    AfterFingerprint,     // an attribute follows FINGERPRINT
  };

  struct ErrorCode {
    uint16_t code = 0;  // 300..699
    std::string_view reason;
  };

  using TransactionId = std::array<uint8_t, kTransactionIdBytes>;

  // nullopt on bad input, with the reason in `error`.
  static std::optional<StunMessage> parse(std::span<const uint8_t> bytes, ParseError& error);
  static std::optional<StunMessage> parse(std::span<const uint8_t> bytes);
  static std::string_view describe(ParseError error);

  Class messageClass() const { return class_; }
  uint16_t method() const { return method_; }
  bool isBindingRequest() const { return class_ == Class::Request && method_ == kBindingMethod; }
  const TransactionId& transactionId() const { return transactionId_; }
  std::span<const uint8_t> bytes() const { return bytes_; }

  const std::optional<std::string_view>& username() const { return username_; }
  const std::optional<std::string_view>& software() const { return software_; }
  const std::optional<uint32_t>& priority() const { return priority_; }
  bool useCandidate() const { return useCandidate_; }
  const std::optional<uint64_t>& iceControlling() const { return iceControlling_; }
  const std::optional<uint64_t>& iceControlled() const { return iceControlled_; }
  const std::optional<StunAddress>& xorMappedAddress() const { return xorMappedAddress_; }
  const std::optional<ErrorCode>& errorCode() const { return errorCode_; }
  bool hasIntegrity() const { return integrityOffset_ != 0; }
  bool hasFingerprint() const { return fingerprintOffset_ != 0; }

  // The unknown comprehension-required attribute types, in order, at most kMaxUnknownListed.
  std::span<const uint16_t> unknownRequired() const { return {unknownRequired_.data(), unknownCount_}; }

  // True when MESSAGE-INTEGRITY is present and is the HMAC-SHA1 of the message keyed with the
  // short-term `password` (ICE passwords are plain ASCII, so no OpaqueString step). The compare
  // takes the same time wherever the bytes differ.
  bool checkIntegrity(std::string_view password) const;
  // True when FINGERPRINT is present and matches the bytes before it.
  bool checkFingerprint() const;

 private:
  StunMessage() = default;
  ParseError parseAttributes();
  ParseError readAttribute(uint16_t type, std::span<const uint8_t> value);
  void noteUnknown(uint16_t type);

  std::span<const uint8_t> bytes_;
  Class class_ = Class::Request;
  uint16_t method_ = 0;
  TransactionId transactionId_{};
  std::optional<std::string_view> username_;
  std::optional<std::string_view> software_;
  std::optional<uint32_t> priority_;
  bool useCandidate_ = false;
  std::optional<uint64_t> iceControlling_;
  std::optional<uint64_t> iceControlled_;
  std::optional<StunAddress> xorMappedAddress_;
  std::optional<ErrorCode> errorCode_;
  // Byte offsets of the attributes' headers; 0 (inside the message header) means absent.
  size_t integrityOffset_ = 0;
  size_t fingerprintOffset_ = 0;
  std::array<uint16_t, kMaxUnknownListed> unknownRequired_{};
  size_t unknownCount_ = 0;
};

}  // namespace onair::rtc::ice
