#pragma once
// Test helper: signs arbitrary header and payload JSON as a compact JWT, to forge tokens the
// issuers would never make (other algs, missing or odd claims). The MAC is HMAC-SHA256 unless
// `sha512` is set (what a real HS512 token carries).
#include <string>
#include <string_view>

namespace onair::auth::testing {

struct ForgedJwt {
  static std::string sign(std::string_view header, std::string_view payload, const std::string& secret, bool sha512 = false);
};

}  // namespace onair::auth::testing
