#include "engine/redis/RedisCommand.hpp"

#include <hiredis/hiredis.h>

#include <new>
#include <stdexcept>

namespace onair::engine::redis {

void RedisCommand::append(std::string& out, const std::vector<std::string>& args) {
  if (args.empty()) throw std::invalid_argument("a Redis command needs at least one argument");
  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
  pointers.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    pointers.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* encoded = nullptr;
  const int length =
      redisFormatCommandArgv(&encoded, static_cast<int>(args.size()), pointers.data(), lengths.data());
  if (length < 0) throw std::bad_alloc();
  out.append(encoded, static_cast<size_t>(length));
  redisFreeCommand(encoded);
}

std::string RedisCommand::format(const std::vector<std::string>& args) {
  std::string out;
  append(out, args);
  return out;
}

}  // namespace onair::engine::redis
