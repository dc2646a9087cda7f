#pragma once
// Verifies HS256 JWTs: access tokens (clients) and API credentials (app backends). The checks
// every HS256 token gets (shape, alg, signature, time window, aud) are Hs256Jwt's; this class
// picks the key and reads the claims of each purpose.
//
// Contract: the algorithm is pinned to HS256 (`none` and every other alg are refused before any
// key is looked at); the key is chosen by the header's `kid` (else the payload's `iss`), and `iss`
// must name that same key; the signature is compared in constant time; `exp` is required and
// `nbf`/`exp` are checked with the configured leeway; `aud` must be the audience of the purpose the
// caller asks for (TokenPurpose.hpp). Input is hostile: tokens over 8 KiB are refused unparsed.
//
// Tokens minted before `aud` existed carry none: access tokens without `aud` are refused (get a
// new one); API credentials may omit it, since they can never carry `sub` and so cannot pass for
// anything else.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/AccessClaims.hpp"
#include "auth/Hs256Jwt.hpp"
#include "auth/KeyRing.hpp"
#include "auth/TokenError.hpp"
#include "auth/TokenPurpose.hpp"

namespace onair::auth {

class TokenVerifier {
 public:
  static constexpr size_t kMaxTokenBytes = Hs256Jwt::kMaxTokenBytes;

  TokenVerifier(const KeyRing& keys, int64_t leewaySeconds) : keys_(keys), leeway_(leewaySeconds) {}

  std::variant<AccessClaims, TokenError> verifyAccess(std::string_view token, int64_t now) const;
  // An API credential: returns the API key it was signed with.
  std::variant<std::string, TokenError> verifyApiCredential(std::string_view token, int64_t now) const;

 private:
  struct Verified;
  // Every check but the claims particular to one purpose.
  std::variant<Verified, TokenError> verifySigned(std::string_view token, TokenPurpose purpose, int64_t now) const;

  const KeyRing& keys_;
  int64_t leeway_;
};

}  // namespace onair::auth
