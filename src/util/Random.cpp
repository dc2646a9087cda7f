#include "util/Random.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "util/Base64Url.hpp"

namespace onair::util {

std::string randomBytes(size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    std::fputs("onair: the system random number generator failed\n", stderr);
    std::abort();
  }
  return out;
}

std::string randomId(std::string_view prefix, size_t entropyBytes) {
  return std::string(prefix) + base64UrlEncode(randomBytes(entropyBytes));
}

}  // namespace onair::util
