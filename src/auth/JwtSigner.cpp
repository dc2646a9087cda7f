#include "auth/JwtSigner.hpp"

#include <jwt.h>

#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace onair::auth {
namespace {

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};

}  // namespace

std::string signHs256(const boost::json::object& payload, const std::string& keyId, const std::string& secret) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
  if (jwt_add_grants_json(jwt.get(), boost::json::serialize(payload).c_str()) != 0) {
    throw std::runtime_error("jwt_add_grants_json failed");
  }
  if (!keyId.empty()) jwt_add_header(jwt.get(), "kid", keyId.c_str());
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) != 0) {
    throw std::runtime_error("jwt_set_alg failed");
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (!encoded) throw std::runtime_error("jwt_encode_str failed");
  std::string out(encoded);
  std::free(encoded);  // libjwt 1.10 has no jwt_free_str
  return out;
}

}  // namespace onair::auth
