#pragma once
// A Lua script and its SHA1 (hex, lowercase), computed locally so that EVALSHA needs no
// SCRIPT LOAD round trip; RedisClient::script() falls back to EVAL on NOSCRIPT.
#include <string>

namespace onair::engine::redis {

class RedisScript {
 public:
  explicit RedisScript(std::string lua);
  const std::string& lua() const { return lua_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string lua_;
  std::string sha1_;
};

}  // namespace onair::engine::redis
