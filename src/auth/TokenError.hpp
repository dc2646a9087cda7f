#pragma once
// Why a token was refused.
#include <string>

namespace onair::auth {

struct TokenError {
  std::string reason;  // safe to show and log: never contains the token or a secret
};

}  // namespace onair::auth
