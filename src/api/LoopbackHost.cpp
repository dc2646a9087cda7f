#include "api/LoopbackHost.hpp"

#include <cstdint>

namespace onair::api {
namespace {

constexpr size_t kMaxHostBytes = 261;  // a 255-byte name, ':' and a 5-digit port

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// ":<1-5 digits, at most 65535>" or nothing.
bool isPortSuffix(std::string_view rest) {
  if (rest.empty()) return true;
  if (rest[0] != ':' || rest.size() < 2 || rest.size() > 6) return false;
  uint32_t port = 0;
  for (char c : rest.substr(1)) {
    if (!isDigit(c)) return false;
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  return port <= 65535;
}

bool equalsIgnoringCase(std::string_view a, std::string_view lowercase) {
  if (a.size() != lowercase.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != lowercase[i]) return false;
  }
  return true;
}

// Dotted-quad IPv4 (four decimal octets, no leading zeros) whose first octet is 127.
bool isLoopbackIpv4(std::string_view text) {
  int octet = 0;
  for (size_t start = 0; octet < 4; ++octet) {
    size_t end = text.find('.', start);
    if (octet == 3 ? end != std::string_view::npos : end == std::string_view::npos) return false;
    std::string_view part = text.substr(start, octet == 3 ? std::string_view::npos : end - start);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
    uint32_t value = 0;
    for (char c : part) {
      if (!isDigit(c)) return false;
      value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    if (value > 255 || (octet == 0 && value != 127)) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

bool isLoopbackHost(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostBytes) return false;
  // IPv6 literals are bracketed; the only loopback one is ::1.
  if (host[0] == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    return host.substr(0, close + 1) == "[::1]" && isPortSuffix(host.substr(close + 1));
  }
  auto colon = host.find(':');
  std::string_view name = host.substr(0, colon);
  if (!isPortSuffix(colon == std::string_view::npos ? std::string_view{} : host.substr(colon))) return false;
  return equalsIgnoringCase(name, "localhost") || isLoopbackIpv4(name);
}

}  // namespace onair::api
