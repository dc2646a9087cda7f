#include "engine/redis/RedisScript.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace onair::engine::redis {

namespace {
std::string sha1Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha1(), nullptr) != 1)
    throw std::runtime_error("SHA1 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0f];
  }
  return hex;
}
}  // namespace

RedisScript::RedisScript(std::string lua) : lua_(std::move(lua)), sha1_(sha1Hex(lua_)) {}

}  // namespace onair::engine::redis
