#include "api/QueryArgs.hpp"

#include <boost/url.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace onair::api {

std::optional<boost::json::object> QueryArgs::parse(const std::string& query, std::initializer_list<const char*> integerKeys) {
  boost::json::object args;
  const std::string target = "/?" + query;  // the parsed view points into this string
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
