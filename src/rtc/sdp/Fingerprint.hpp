#pragma once
// a=fingerprint:<hash-function> <fingerprint> (RFC 8122 §5), e.g. "sha-256 AB:CD:…": the hash of
// the certificate the peer's DTLS handshake must present.
#include <string>

namespace onair::rtc::sdp {

struct Fingerprint {
  std::string algorithm;  // "sha-256", as written
  std::string value;      // upper-case hex pairs joined by ':', as written

  bool operator==(const Fingerprint&) const = default;
};

}  // namespace onair::rtc::sdp
