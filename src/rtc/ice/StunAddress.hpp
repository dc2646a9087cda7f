#pragma once
// A transport address as STUN carries it (XOR-MAPPED-ADDRESS, RFC 8489 §14.2): IPv4 or IPv6
// bytes in network order and a port. A plain value, so the ICE layer stays free of sockets; the
// UDP socket converts its endpoints to and from it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onair::rtc::ice {

struct StunAddress {
  // The family codes of the attribute's value.
  enum class Family : uint8_t { V4 = 0x01, V6 = 0x02 };

  Family family = Family::V4;
  uint16_t port = 0;
  std::array<uint8_t, 16> ip{};  // V4 uses the first 4 bytes; the rest stay zero

  static StunAddress v4(const std::array<uint8_t, 4>& ip, uint16_t port);
  static StunAddress v6(const std::array<uint8_t, 16>& ip, uint16_t port);
  // "192.0.2.1" or "2001:db8::1"; nullopt when the text is neither.
  static std::optional<StunAddress> fromText(std::string_view ip, uint16_t port);

  size_t ipBytes() const { return family == Family::V4 ? 4 : 16; }
  // The address in its usual text form, without the port.
  std::string ipText() const;

  bool operator==(const StunAddress&) const = default;
};

}  // namespace onair::rtc::ice
