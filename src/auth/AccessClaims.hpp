#pragma once
// What a verified access token says about its bearer.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "auth/GrantSet.hpp"

namespace onair::auth {

struct AccessClaims {
  std::string userId;                     // sub
  std::string name;                       // optional display name
  std::optional<std::string> scope;       // tenant or organisation
  int64_t issuedAt = 0;                   // iat (seconds)
  int64_t notBefore = 0;                  // nbf
  int64_t expiresAt = 0;                  // exp
  GrantSet grants;
  std::map<std::string, std::string> attributes;
  std::string keyId;                      // the API key that signed it
};

}  // namespace onair::auth
