#pragma once
// Writes a command in RESP2 as Redis expects it from clients: an array of bulk strings,
//   *<argc>\r\n $<len>\r\n<arg>\r\n ...
// formatted by hiredis's redisFormatCommandArgv. Binary-safe: arguments may hold any byte.
#include <string>
#include <vector>

namespace onair::engine::redis {

class RedisCommand {
 public:
  // Appends the encoded command to `out`. `args` must not be empty.
  static void append(std::string& out, const std::vector<std::string>& args);
  static std::string format(const std::vector<std::string>& args);
};

}  // namespace onair::engine::redis
