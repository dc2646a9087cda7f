#include "rtc/ice/IceLiteResponder.hpp"

#include "rtc/ice/StunBuilder.hpp"
#include "rtc/ice/StunMessage.hpp"

namespace onair::rtc::ice {

IceLiteResponder::IceLiteResponder(std::string localUfrag, std::string localPassword)
    : localUfrag_(std::move(localUfrag)), localPassword_(std::move(localPassword)) {}

void IceLiteResponder::setRemoteUfrag(std::string remoteUfrag) { remoteUfrag_ = std::move(remoteUfrag); }

bool IceLiteResponder::usernameMatches(std::string_view username) const {
  // "<local ufrag>:<remote ufrag>": the receiver's fragment comes first (RFC 8445 §7.2.2).
  if (username.size() <= localUfrag_.size() || !username.starts_with(localUfrag_) ||
      username[localUfrag_.size()] != ':') {
    return false;
  }
  const std::string_view remote = username.substr(localUfrag_.size() + 1);
  return remoteUfrag_.empty() ? !remote.empty() : remote == remoteUfrag_;
}

IceLiteResponder::Outcome IceLiteResponder::drop(Verdict verdict) {
  Outcome outcome;
  outcome.verdict = verdict;
  return outcome;
}

IceLiteResponder::Outcome IceLiteResponder::respond(Verdict verdict) {
  Outcome outcome;
  outcome.verdict = verdict;
  outcome.response = std::span<const uint8_t>(buffer_.data(), buffer_.size());
  return outcome;
}

IceLiteResponder::Outcome IceLiteResponder::handle(std::span<const uint8_t> datagram, const StunAddress& source) {
  buffer_.clear();
  // Only well-formed STUN with a good FINGERPRINT is ICE's; the rest is dropped without a word.
  const auto request = StunMessage::parse(datagram);
  if (!request) return drop(Verdict::Malformed);
  if (!request->checkFingerprint()) return drop(Verdict::BadFingerprint);
  if (request->messageClass() == StunMessage::Class::Indication) return drop(Verdict::Indication);
  if (request->messageClass() != StunMessage::Class::Request) return drop(Verdict::NotRequest);

  // Requests that fail before authentication get an answer without MESSAGE-INTEGRITY.
  if (request->method() != StunMessage::kBindingMethod) {
    StunBuilder::errorResponse(buffer_, *request, 400, {});
    return respond(Verdict::NotBinding);
  }
  if (!request->username() || !request->hasIntegrity() || !request->priority()) {
    StunBuilder::errorResponse(buffer_, *request, 400, {});
    return respond(Verdict::MissingAttribute);
  }
  if (!usernameMatches(*request->username())) {
    StunBuilder::errorResponse(buffer_, *request, 401, {});
    return respond(Verdict::WrongUsername);
  }
  if (!request->checkIntegrity(localPassword_)) {
    StunBuilder::errorResponse(buffer_, *request, 401, {});
    return respond(Verdict::BadIntegrity);
  }

  // Authenticated from here on: every answer carries MESSAGE-INTEGRITY.
  if (!request->unknownRequired().empty()) {
    StunBuilder::errorResponse(buffer_, *request, 420, localPassword_, request->unknownRequired());
    return respond(Verdict::UnknownAttribute);
  }
  if (request->iceControlled()) {
    StunBuilder::errorResponse(buffer_, *request, 487, localPassword_);
    return respond(Verdict::RoleConflict);
  }
  StunBuilder::bindingSuccess(buffer_, *request, source, localPassword_);
  Outcome outcome = respond(Verdict::Answered);
  outcome.nominated = request->useCandidate();
  outcome.priority = *request->priority();
  return outcome;
}

std::string_view IceLiteResponder::name(Verdict verdict) {
  switch (verdict) {
    case Verdict::Answered: return "answered";
    case Verdict::Malformed: return "malformed";
    case Verdict::BadFingerprint: return "bad_fingerprint";
    case Verdict::Indication: return "indication";
    case Verdict::NotRequest: return "not_request";
    case Verdict::NotBinding: return "not_binding";
    case Verdict::MissingAttribute: return "missing_attribute";
    case Verdict::WrongUsername: return "wrong_username";
    case Verdict::BadIntegrity: return "bad_integrity";
    case Verdict::UnknownAttribute: return "unknown_attribute";
    case Verdict::RoleConflict: return "role_conflict";
  }
  return "unknown";
}

}  // namespace onair::rtc::ice
