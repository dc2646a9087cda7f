#pragma once
// A compact HS256 JWT read from the network, in two steps: `parse` checks its shape and pins the
// algorithm without any key; `verify` then checks the signature with the secret the caller picked
// (from the header's kid, or a fixed one) and the token's time window. Claims are read only after
// both. Every verifier of onair's tokens (TokenVerifier, collab::RoomTokenVerifier) goes through
// it, so these rules live in one place.
//
// Contract: tokens over 8 KiB are refused unparsed; the header and payload must be base64url JSON
// objects (depth-limited); `alg` must be "HS256" (`none` and every other alg are refused before
// any signature is computed); the signature is compared in constant time; `exp` is required and
// `nbf`/`exp` are checked with the caller's leeway. Errors never contain the token or a secret.
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/TokenError.hpp"
#include "auth/TokenPurpose.hpp"

namespace onair::auth {

class Hs256Jwt {
 public:
  static constexpr size_t kMaxTokenBytes = 8192;

  // Shape, size, base64url JSON header and payload, alg pinned. No key is involved yet.
  static std::variant<Hs256Jwt, TokenError> parse(std::string_view token);

  // The signature made with `secret` (constant time, and libjwt must agree), then the time window
  // at `now` (unix seconds) with `leewaySeconds` for clock skew. nullopt when all hold.
  std::optional<TokenError> verify(const std::string& secret, int64_t now, int64_t leewaySeconds) const;

  // The `aud` check: the token must say it is meant for `purpose` (API credentials may omit it:
  // older ones have none).
  std::optional<TokenError> audienceError(TokenPurpose purpose) const;

  // `sub` as a user id: a string of 1 to 255 bytes (access tokens and the room tokens minted
  // from them carry the same user id).
  std::variant<std::string, TokenError> subject() const;

  // Claims of the payload: nullopt when absent or of another JSON type. Integer claims accept
  // JSON integers and in-range doubles (truncated).
  std::optional<std::string> stringClaim(std::string_view name) const;
  std::optional<int64_t> intClaim(std::string_view name) const;
  std::optional<std::string> headerString(std::string_view name) const;
  const boost::json::object& payload() const { return payload_; }

 private:
  Hs256Jwt(std::string token, size_t signatureAt, boost::json::object header, boost::json::object payload)
      : token_(std::move(token)), signatureAt_(signatureAt), header_(std::move(header)), payload_(std::move(payload)) {}

  bool signatureMatches(const std::string& secret) const;

  std::string token_;   // the whole token (libjwt wants it NUL-terminated)
  size_t signatureAt_;  // where the signature starts, after the second dot
  boost::json::object header_;
  boost::json::object payload_;
};

}  // namespace onair::auth
