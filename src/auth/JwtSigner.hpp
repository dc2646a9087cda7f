#pragma once
// Signs a JSON payload as an HS256 JWT with libjwt: the one place tokens are made (access tokens,
// API credentials, collab room tokens). Header kid = `keyId` when it is not empty.
#include <boost/json/object.hpp>
#include <string>

namespace onair::auth {

// Throws std::runtime_error if libjwt fails (out of memory).
std::string signHs256(const boost::json::object& payload, const std::string& keyId, const std::string& secret);

}  // namespace onair::auth
