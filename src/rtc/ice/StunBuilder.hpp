#pragma once
// Writes STUN messages (the format is drawn in StunMessage.hpp): a header, then attributes in
// the order they are added, each zero-padded to 4 bytes, the header's Length kept current.
// integrity() and fingerprint() come last, in that order, as RFC 8489 §14.5 and §14.7 require.
//
// The builder writes into a caller's buffer (cleared first, its capacity reused), so answering a
// binding request allocates nothing once the buffer has grown. A message that would outgrow
// StunMessage::kMaxBytes, or an attribute value over 65535 bytes, is not written: ok() turns
// false and the buffer holds what was written before.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "rtc/ice/StunAddress.hpp"
#include "rtc/ice/StunMessage.hpp"

namespace onair::rtc::ice {

class StunBuilder {
 public:
  StunBuilder(std::vector<uint8_t>& out, StunMessage::Class messageClass, uint16_t method,
              const StunMessage::TransactionId& transactionId);

  // The padding byte. RFC 8489 §14 says zero, the default; RFC 5769's test vectors pad with spaces
  // (RFC 5389 allowed any value), which the tests use to rebuild them byte for byte.
  StunBuilder& padWith(uint8_t byte);

  StunBuilder& username(std::string_view username);
  StunBuilder& software(std::string_view software);
  StunBuilder& priority(uint32_t priority);
  StunBuilder& useCandidate();
  StunBuilder& iceControlling(uint64_t tieBreaker);
  StunBuilder& iceControlled(uint64_t tieBreaker);
  StunBuilder& xorMappedAddress(const StunAddress& address);
  // `code` 300..699; the reason phrase is written as given.
  StunBuilder& errorCode(uint16_t code, std::string_view reason);
  StunBuilder& unknownAttributes(std::span<const uint16_t> types);
  StunBuilder& attribute(uint16_t type, std::span<const uint8_t> value);
  // MESSAGE-INTEGRITY keyed with the short-term password.
  StunBuilder& integrity(std::string_view password);
  StunBuilder& fingerprint();

  bool ok() const { return ok_; }

  // A Binding success response to `request` (RFC 8445 §7.3.1.4): XOR-MAPPED-ADDRESS = the
  // request's source, MESSAGE-INTEGRITY with the local password, FINGERPRINT.
  static void bindingSuccess(std::vector<uint8_t>& out, const StunMessage& request, const StunAddress& source,
                             std::string_view localPassword);
  // An error response to `request` with the standard reason phrase for `code` (400, 401, 420,
  // 487, …) and FINGERPRINT; MESSAGE-INTEGRITY only when `localPassword` is not empty (a
  // response to an authenticated request carries it, a 400 or 401 does not, RFC 8489 §9.1.3).
  // A 420 lists `unknown` in UNKNOWN-ATTRIBUTES.
  static void errorResponse(std::vector<uint8_t>& out, const StunMessage& request, uint16_t code,
                            std::string_view localPassword, std::span<const uint16_t> unknown = {});
  static std::string_view reasonPhrase(uint16_t code);

 private:
  // Appends an attribute's header, value and padding; false (and ok_ false) if it does not fit.
  bool append(uint16_t type, std::span<const uint8_t> value);
  void setLength(size_t length);

  std::vector<uint8_t>& out_;
  uint8_t padding_ = 0;
  bool ok_ = true;
};

}  // namespace onair::rtc::ice
