#pragma once
// The STUN side of one ICE-lite transport (RFC 8445 §2.5, §7.3): answers the peer's connectivity
// checks, never sends any of its own. Pure logic: a datagram the caller has classified as STUN
// and the address it came from go in; a verdict, and when there is one the bytes to send back to
// that address, come out. No sockets, no timers; selecting the pair the peer nominates and consent
// freshness (RFC 7675) belong to the transport that owns this.
//
// Checks, in the order RFC 8489 §6.3 and §9.1.3 and RFC 8445 §7.3 give them, each a verdict:
//   unparseable                                    Malformed         dropped
//   FINGERPRINT absent or wrong                    BadFingerprint    dropped (ICE requires it)
//   an indication (a keepalive)                    Indication        dropped, nothing to do
//   a response (a lite agent asks nothing)         NotRequest        dropped
//   a request of another method than Binding       NotBinding        400
//   no USERNAME, MESSAGE-INTEGRITY or PRIORITY     MissingAttribute  400
//   USERNAME not "<local ufrag>:<remote ufrag>"    WrongUsername     401
//   MESSAGE-INTEGRITY not keyed with the password  BadIntegrity      401
//   unknown comprehension-required attributes      UnknownAttribute  420, authenticated
//   ICE-CONTROLLED: the peer is controlled too     RoleConflict      487, authenticated (lite is always controlled)
//   otherwise                                      Answered          success, XOR-MAPPED-ADDRESS = the source
// Responses to authenticated requests carry MESSAGE-INTEGRITY; all carry FINGERPRINT.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtc/ice/StunAddress.hpp"

namespace onair::rtc::ice {

class IceLiteResponder {
 public:
  enum class Verdict : uint8_t {
    Answered,
    Malformed,
    BadFingerprint,
    Indication,
    NotRequest,
    NotBinding,
    MissingAttribute,
    WrongUsername,
    BadIntegrity,
    UnknownAttribute,
    RoleConflict,
  };

  struct Outcome {
    Verdict verdict = Verdict::Malformed;
    // The bytes to send back to the request's source; empty when the datagram is dropped. Valid
    // until the next handle() on this responder.
    std::span<const uint8_t> response;
    // Answered, and the request carried USE-CANDIDATE: the peer nominates this pair.
    bool nominated = false;
    // Answered: the request's PRIORITY (the peer-reflexive candidate's, RFC 8445 §7.3.1.3).
    uint32_t priority = 0;
  };

  // The local ICE credentials, as announced in the SDP answer (a=ice-ufrag, a=ice-pwd).
  IceLiteResponder(std::string localUfrag, std::string localPassword);

  // The peer's ufrag from its offer. Until it is set, any non-empty remote part is accepted: a
  // check may arrive before the signaling that carries the offer has been processed.
  void setRemoteUfrag(std::string remoteUfrag);

  Outcome handle(std::span<const uint8_t> datagram, const StunAddress& source);

  // A stable snake_case name for metric labels and logs ("bad_integrity", …).
  static std::string_view name(Verdict verdict);

 private:
  bool usernameMatches(std::string_view username) const;
  static Outcome drop(Verdict verdict);
  Outcome respond(Verdict verdict);

  std::string localUfrag_;
  std::string localPassword_;
  std::string remoteUfrag_;
  std::vector<uint8_t> buffer_;  // the last response; its capacity is reused
};

}  // namespace onair::rtc::ice
