#include "engine/redis/RedisUrl.hpp"

#include <fmt/format.h>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <optional>

namespace onair::engine::redis {

namespace {

using Parsed = std::variant<RedisUrl, std::string>;

// A decimal number in [min, max], digits only.
bool parseNumber(std::string_view digits, int min, int max, int& out) {
  if (digits.empty() || digits.size() > 6) return false;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && end == digits.data() + digits.size() && out >= min && out <= max;
}

std::optional<std::string> readScheme(const boost::urls::url_view& url, RedisUrl& out) {
  const std::string scheme(url.scheme());
  if (scheme == "redis") return std::nullopt;
  if (scheme == "redis+cluster") {
    out.cluster = true;
    return std::nullopt;
  }
  if (scheme == "rediss" || scheme == "rediss+cluster") return "rediss:// (TLS to Redis) is not supported yet; use redis://";
  if (scheme == "unix" || scheme == "redis+unix") return "unix sockets are not supported yet; use redis://host:port";
  return fmt::format("unknown scheme \"{}\": expected redis:// or redis+cluster://", scheme);
}

std::optional<std::string> readHost(const boost::urls::url_view& url, RedisUrl& out) {
  if (!url.has_authority()) return "missing host: expected redis://host[:port]";
  switch (url.host_type()) {
    case boost::urls::host_type::ipv6: out.host = url.host_ipv6_address().to_string(); break;
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::name: out.host = url.host(); break;
    default: return "unsupported host form in the Redis URL";
  }
  if (out.host.empty()) return "missing host: expected redis://host[:port]";
  if (!url.has_port()) return std::nullopt;
  int port = 0;
  if (!parseNumber(url.port(), 1, 65535, port)) return fmt::format("bad port \"{}\": expected 1..65535", std::string(url.port()));
  out.port = static_cast<uint16_t>(port);
  return std::nullopt;
}

std::optional<std::string> readDatabase(const boost::urls::url_view& url, RedisUrl& out) {
  std::string_view path = url.encoded_path();
  if (path.empty() || path == "/") return std::nullopt;
  path.remove_prefix(1);
  if (!parseNumber(path, 0, RedisUrl::kMaxDatabase, out.database))
    return fmt::format("bad database \"{}\": expected /0../{}", std::string(path), RedisUrl::kMaxDatabase);
  if (out.cluster && out.database != 0) return "Redis Cluster has database 0 only";
  return std::nullopt;
}

}  // namespace

Parsed RedisUrl::parse(std::string_view text) {
  if (text.empty()) return std::string("empty Redis URL: expected redis://host[:port][/db]");
  if (text.size() > kMaxBytes) return fmt::format("Redis URL longer than {} bytes", kMaxBytes);
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return std::string("malformed Redis URL: expected redis://[user[:password]@]host[:port][/db]");
  const auto& url = *parsed;
  RedisUrl out;
  if (auto error = readScheme(url, out)) return *error;
  if (auto error = readHost(url, out)) return *error;
  if (auto error = readDatabase(url, out)) return *error;
  if (url.has_query() || url.has_fragment()) return std::string("query and fragment are not supported in the Redis URL");
  if (url.has_userinfo()) {
    out.user = url.user();
    out.password = url.password();
    if (out.password.empty() && !out.user.empty()) return std::string("a user needs a password: redis://user:password@host");
  }
  return out;
}

std::string RedisUrl::toString() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  const std::string hostPart = ipv6 ? "[" + host + "]" : host;
  std::string auth;
  if (!password.empty()) auth = user + ":***@";
  return fmt::format("{}://{}{}:{}/{}", cluster ? "redis+cluster" : "redis", auth, hostPart, port, database);
}

}  // namespace onair::engine::redis
