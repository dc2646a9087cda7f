#include "rtc/ice/StunAddress.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace onair::rtc::ice {

StunAddress StunAddress::v4(const std::array<uint8_t, 4>& ip, uint16_t port) {
  StunAddress a;
  a.family = Family::V4;
  a.port = port;
  std::copy(ip.begin(), ip.end(), a.ip.begin());
  return a;
}

StunAddress StunAddress::v6(const std::array<uint8_t, 16>& ip, uint16_t port) {
  StunAddress a;
  a.family = Family::V6;
  a.port = port;
  a.ip = ip;
  return a;
}

std::optional<StunAddress> StunAddress::fromText(std::string_view ip, uint16_t port) {
  if (ip.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(ip);  // inet_pton wants a NUL-terminated string
  std::array<uint8_t, 4> v4bytes{};
  if (inet_pton(AF_INET, text.c_str(), v4bytes.data()) == 1) return v4(v4bytes, port);
  std::array<uint8_t, 16> v6bytes{};
  if (inet_pton(AF_INET6, text.c_str(), v6bytes.data()) == 1) return v6(v6bytes, port);
  return std::nullopt;
}

std::string StunAddress::ipText() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::V4 ? AF_INET : AF_INET6, ip.data(), text, sizeof text);
  return text;
}

}  // namespace onair::rtc::ice
