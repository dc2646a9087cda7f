#include "ForgedJwt.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/Base64Url.hpp"

namespace onair::auth::testing {

std::string ForgedJwt::sign(std::string_view header, std::string_view payload, const std::string& secret, bool sha512) {
  std::string input = util::base64UrlEncode(header) + "." + util::base64UrlEncode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(sha512 ? EVP_sha512() : EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + util::base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

}  // namespace onair::auth::testing
