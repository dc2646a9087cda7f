#include "api/QueryArgs.hpp"

#include <boost/url.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace onair::api {
namespace {

// Bytes RFC 3986 allows in a query, and '%' (an escape: checked by the parser). NUL is not one
// (strchr would find the literal's terminator).
bool keptAsIs(unsigned char c) {
  return c != 0 && (std::isalnum(c) || std::strchr("-._~!$&'()*+,;=:@/?%", c) != nullptr);
}

// Browsers, fetch and curl send some bytes RFC 3986 does not allow in a query unencoded ('|', '[',
// ']', '{', '}', '^', '`', '\', UTF-8): they are taken as the bytes they are, escaped here before
// parsing. Only a '%' that starts no escape is left to make the query malformed. By hand because
// boost::urls::encode refuses a character set that keeps '%' (it would not re-escape escapes).
std::string escapedQuery(const std::string& query) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(query.size());
  for (unsigned char c : query) {
    if (keptAsIs(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::optional<boost::json::object> QueryArgs::parse(const std::string& query, std::initializer_list<const char*> integerKeys) {
  boost::json::object args;
  const std::string target = "/?" + escapedQuery(query);  // the parsed view points into this string
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::nullopt;
  for (auto param : url->params()) {
    if (param.key.empty() && !param.has_value) continue;  // "" or a stray '&': no parameter
    std::string key = param.key;
    std::string value = param.has_value ? std::string(param.value) : std::string();
    const bool integerKey = std::any_of(integerKeys.begin(), integerKeys.end(), [&](const char* k) { return key == k; });
    char* end = nullptr;
    long long n = std::strtoll(value.c_str(), &end, 10);
    if (integerKey && !value.empty() && *end == '\0') args[key] = n;
    else args[key] = value;
  }
  return args;
}

std::vector<std::string> QueryArgs::segments(const std::string& path, size_t skip) {
  std::vector<std::string> out;
  auto url = boost::urls::parse_origin_form(path);
  if (!url) return out;
  size_t i = 0;
  for (auto seg : url->segments()) {
    if (i++ >= skip) out.push_back(seg);
  }
  return out;
}

}  // namespace onair::api
