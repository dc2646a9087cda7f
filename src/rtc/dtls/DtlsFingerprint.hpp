#pragma once
// A certificate fingerprint as SDP carries it (RFC 8122 §5, `a=fingerprint:sha-256 AB:CD:…`):
// the hash function's name and the digest of the DER certificate. The peer's fingerprint, from its
// SDP, is what its DTLS certificate is checked against (RFC 8842 §5); onair's own is announced the
// same way.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

namespace onair::rtc::dtls {

class DtlsFingerprint {
 public:
  // Hash functions a peer may name. MD5 and MD2 (in RFC 8122's table) are refused.
  enum class Algorithm : uint8_t { Sha1, Sha224, Sha256, Sha384, Sha512 };

  // Parses "<hash-func> <HEX:HEX:…>" (the attribute's value; case-insensitive, one space or more
  // between the parts). Null when the function is unknown or refused, a byte is not two hex digits,
  // or the digest's length is not the function's.
  static std::optional<DtlsFingerprint> parse(std::string_view text);

  // The fingerprint of `certificate` under `algorithm`; null if OpenSSL cannot compute it.
  static std::optional<DtlsFingerprint> of(X509* certificate, Algorithm algorithm = Algorithm::Sha256);

  // Whether `certificate` hashes to this digest under this algorithm (constant-time compare).
  bool matches(X509* certificate) const;

  Algorithm algorithm() const noexcept { return algorithm_; }
  const std::vector<uint8_t>& digest() const noexcept { return digest_; }

  // "sha-256 AB:CD:…", the SDP form (upper-case hex).
  std::string toString() const;

  bool operator==(const DtlsFingerprint&) const = default;

 private:
  DtlsFingerprint(Algorithm algorithm, std::vector<uint8_t> digest);

  Algorithm algorithm_;
  std::vector<uint8_t> digest_;
};

}  // namespace onair::rtc::dtls
