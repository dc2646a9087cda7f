#pragma once
// The [collab] and [turn] settings the collab ops need, as configured (app/Config.hpp).
#include <cstdint>
#include <string>

namespace onair::collab {

struct CollabSettings {
  std::string tokenSecret;         // collab.token_secret, else the generated one (app/Credentials)
  int64_t tokenTtlSeconds = 600;   // collab.token_ttl_seconds: default and maximum `ttl`
  std::string turnUrls;            // turn.urls, comma-separated; "": TURN credentials are off
  std::string turnSecret;          // turn.secret (coturn static-auth-secret)
  int64_t turnTtlSeconds = 3600;   // turn.ttl_seconds
};

}  // namespace onair::collab
