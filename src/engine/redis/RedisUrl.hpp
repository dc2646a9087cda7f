#pragma once
// Where Redis is: `redis://[user[:password]@]host[:port][/db]` (RFC 3986 syntax, userinfo
// percent-decoded, IPv6 hosts in brackets), or `redis+cluster://…` for a Redis Cluster seed node
// (database 0 only). `rediss://` (TLS) and `unix://` sockets are refused with a message saying
// so: neither is supported yet.
//
// Contract: pure; parse() never throws, accepts at most kMaxBytes, and either returns a URL with a
// non-empty host, a port in 1..65535 and a database in 0..kMaxDatabase, or an error text a person
// can act on. toString() never shows the password.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace onair::engine::redis {

struct RedisUrl {
  static constexpr size_t kMaxBytes = 2048;
  static constexpr int kMaxDatabase = 9999;
  static constexpr uint16_t kDefaultPort = 6379;

  std::string host;
  uint16_t port = kDefaultPort;
  std::string user;      // empty: AUTH with the password only (or no AUTH)
  std::string password;  // empty: no AUTH
  int database = 0;      // SELECTed on every connect when not 0
  bool cluster = false;

  // The URL or an error text.
  static std::variant<RedisUrl, std::string> parse(std::string_view text);
  // redis://user:***@host:port/db (for logs).
  std::string toString() const;
  bool operator==(const RedisUrl&) const = default;
};

}  // namespace onair::engine::redis
