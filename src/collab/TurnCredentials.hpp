#pragma once
// TURN credentials in the coturn REST scheme (coturn `use-auth-secret`, the "TURN REST API"
// draft): username = "<unix expiry>:<userId>", credential = base64(HMAC-SHA1(secret, username)).
// coturn recomputes the credential from the username with its static-auth-secret and refuses
// the allocation once the expiry has passed, so onair keeps no state for them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onair::collab {

struct TurnCredentials {
  std::vector<std::string> urls;
  std::string username;
  std::string credential;
  int64_t ttl = 0;  // seconds

  // Credentials for `userId` valid from `now` for `ttl` seconds.
  static TurnCredentials make(std::vector<std::string> urls, std::string_view secret, std::string_view userId,
                              int64_t now, int64_t ttl);
  // base64 (RFC 4648 §4, padded) of HMAC-SHA1(secret, username).
  static std::string credentialFor(std::string_view secret, std::string_view username);
  // Splits `turn.urls` at commas, trimming blanks and dropping empty entries.
  static std::vector<std::string> splitUrls(std::string_view text);
};

}  // namespace onair::collab
