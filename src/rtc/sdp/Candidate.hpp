#pragma once
// a=candidate (RFC 8839 §5.1):
//   candidate:<foundation> <component-id> <transport> <priority> <connection-address> <port>
//             typ <cand-type> [raddr <address>] [rport <port>] *(<extension-name> <value>)
// e.g. "candidate:1 1 udp 2130706431 192.0.2.1 40000 typ host generation 0".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onair::rtc::sdp {

struct Candidate {
  std::string foundation;
  uint16_t component = 1;  // 1 = RTP (the only one with rtcp-mux)
  std::string transport;   // "udp", "UDP", "tcp", as written
  uint32_t priority = 0;
  std::string address;     // an IP address or an mDNS name ("….local")
  uint16_t port = 0;
  std::string type;        // "host", "srflx", "prflx", "relay"
  std::optional<std::string> relatedAddress;
  std::optional<uint16_t> relatedPort;
  std::vector<std::pair<std::string, std::string>> extensions;  // "generation 0", "tcptype passive"

  // Parses what follows "candidate:"; nullopt with `reason` set when it is not a candidate.
  static std::optional<Candidate> parse(std::string_view text, std::string& reason);
  // The value after "candidate:", tokens joined by single spaces, raddr/rport before extensions.
  std::string toText() const;

  bool operator==(const Candidate&) const = default;
};

}  // namespace onair::rtc::sdp
