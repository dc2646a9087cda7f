// fuzz_stun: STUN messages from the network (RFC 8489) and the ICE-lite responder that answers
// them. Invariants:
//   - parse never reads past the input and reports why it refused;
//   - checkIntegrity and checkFingerprint never crash, whatever parsed;
//   - what parses re-encodes (its known attributes, then MESSAGE-INTEGRITY and FINGERPRINT under a
//     fixed password) into a message that parses to the same fields and passes both checks;
//   - whatever the responder sends back parses, keeps the transaction id and passes FINGERPRINT,
//     and an authenticated answer passes MESSAGE-INTEGRITY. The re-signed message goes through the
//     responder too, so the fuzzer reaches the paths behind the HMAC.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtc/ice/IceLiteResponder.hpp"
#include "rtc/ice/StunBuilder.hpp"
#include "rtc/ice/StunMessage.hpp"
#include "FuzzCheck.hpp"

using namespace onair::rtc::ice;

namespace {

constexpr std::string_view kUfrag = "fuzz";
constexpr std::string_view kPassword = "fuzz-password-0123456789";

bool sameFields(const StunMessage& a, const StunMessage& b) {
  const auto ua = a.unknownRequired(), ub = b.unknownRequired();
  const auto sameError = a.errorCode().has_value() == b.errorCode().has_value() &&
                         (!a.errorCode() || (a.errorCode()->code == b.errorCode()->code &&
                                             a.errorCode()->reason == b.errorCode()->reason));
  return a.messageClass() == b.messageClass() && a.method() == b.method() && a.transactionId() == b.transactionId() &&
         a.username() == b.username() && a.software() == b.software() && a.priority() == b.priority() &&
         a.useCandidate() == b.useCandidate() && a.iceControlling() == b.iceControlling() &&
         a.iceControlled() == b.iceControlled() && a.xorMappedAddress() == b.xorMappedAddress() && sameError &&
         std::equal(ua.begin(), ua.end(), ub.begin(), ub.end());
}

// The parsed message's known attributes written again, signed with kPassword.
bool reencode(const StunMessage& m, std::vector<uint8_t>& out) {
  StunBuilder b(out, m.messageClass(), m.method(), m.transactionId());
  if (m.username()) b.username(*m.username());
  if (m.software()) b.software(*m.software());
  if (m.priority()) b.priority(*m.priority());
  if (m.useCandidate()) b.useCandidate();
  if (m.iceControlling()) b.iceControlling(*m.iceControlling());
  if (m.iceControlled()) b.iceControlled(*m.iceControlled());
  if (m.xorMappedAddress()) b.xorMappedAddress(*m.xorMappedAddress());
  if (m.errorCode()) b.errorCode(m.errorCode()->code, m.errorCode()->reason);
  for (uint16_t type : m.unknownRequired()) b.attribute(type, {});
  b.integrity(kPassword).fingerprint();
  return b.ok();
}

void respond(IceLiteResponder& responder, std::span<const uint8_t> datagram, const StunAddress& source) {
  const auto outcome = responder.handle(datagram, source);
  if (outcome.response.empty()) {
    check(!outcome.nominated);
    return;
  }
  const auto request = StunMessage::parse(datagram);
  const auto response = StunMessage::parse(outcome.response);
  check(request && response);
  check(response->transactionId() == request->transactionId());
  check(response->checkFingerprint());
  using Verdict = IceLiteResponder::Verdict;
  const bool authenticated = outcome.verdict == Verdict::Answered || outcome.verdict == Verdict::RoleConflict ||
                             outcome.verdict == Verdict::UnknownAttribute;
  check(response->hasIntegrity() == authenticated);
  if (authenticated) check(response->checkIntegrity(kPassword));
  if (outcome.verdict == Verdict::Answered) check(response->xorMappedAddress() == source);
  else check(!outcome.nominated && response->errorCode().has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  static IceLiteResponder responder{std::string(kUfrag), std::string(kPassword)};
  const StunAddress source = size % 2 ? *StunAddress::fromText("2001:db8::1", 5000)
                                       : *StunAddress::fromText("192.0.2.1", 5000);

  StunMessage::ParseError error = StunMessage::ParseError::None;
  const auto message = StunMessage::parse(bytes, error);
  respond(responder, bytes, source);
  if (!message) {
    check(error != StunMessage::ParseError::None);
    return 0;
  }
  check(error == StunMessage::ParseError::None);
  check(size >= StunMessage::kHeaderBytes && size <= StunMessage::kMaxBytes);
  check(message->unknownRequired().size() <= StunMessage::kMaxUnknownListed);
  (void)message->checkIntegrity(kPassword);
  (void)message->checkIntegrity({});
  (void)message->checkFingerprint();

  std::vector<uint8_t> again;
  if (!reencode(*message, again)) {
    check(again.size() <= StunMessage::kMaxBytes);
    return 0;
  }
  const auto reparsed = StunMessage::parse(again);
  check(reparsed && sameFields(*message, *reparsed));
  check(reparsed->checkIntegrity(kPassword) && reparsed->checkFingerprint());
  respond(responder, again, source);
  return 0;
}
