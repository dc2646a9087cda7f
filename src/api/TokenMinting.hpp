#pragma once
// Mints an access token for an HTTP route (POST /v1/tokens, stage participant tokens, demo
// tokens), with the issuer's refusals as API errors: a token over the size onair accepts is
// `payload_too_large` (the message names the size); no key to sign with is `internal`.
#include <string>
#include <variant>

#include "api/ApiError.hpp"
#include "auth/AccessClaims.hpp"

namespace onair::auth {
class TokenIssuer;
}

namespace onair::api {

std::variant<std::string, ApiError> mintToken(const auth::TokenIssuer& issuer, const auth::AccessClaims& claims);

}  // namespace onair::api
