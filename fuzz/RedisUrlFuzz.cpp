// fuzz_redis_url: the Redis URL from configuration (redis.url, environment, flags).
// Invariants: never crashes; an accepted URL has a host, a port in 1..65535 and a database in
// range (0 for a cluster); a password-free URL with a plain host parses back from toString()
// to the same value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/redis/RedisUrl.hpp"
#include "FuzzCheck.hpp"

using namespace onair::engine::redis;

namespace {

bool plainHost(const std::string& host) {
  for (const char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parsed = RedisUrl::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto* url = std::get_if<RedisUrl>(&parsed);
  if (url == nullptr) {
    check(!std::get<std::string>(parsed).empty());
    return 0;
  }
  check(!url->host.empty());
  check(url->port >= 1);
  check(url->database >= 0 && url->database <= RedisUrl::kMaxDatabase);
  check(!url->cluster || url->database == 0);
  check(url->password.empty() ? url->user.empty() : true);
  if (url->password.empty() && plainHost(url->host)) {
    const auto again = RedisUrl::parse(url->toString());
    const auto* copy = std::get_if<RedisUrl>(&again);
    check(copy != nullptr && *copy == *url);
  }
  return 0;
}
