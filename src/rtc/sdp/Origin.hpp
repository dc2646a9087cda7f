#pragma once
// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (RFC 8866 §5.2).
// Kept as the six tokens: session ids of some stacks do not fit 64 bits.
#include <string>

namespace onair::rtc::sdp {

struct Origin {
  std::string username = "-";
  std::string sessionId = "0";
  std::string sessionVersion = "0";
  std::string netType = "IN";
  std::string addressType = "IP4";
  std::string address = "0.0.0.0";

  bool operator==(const Origin&) const = default;
};

}  // namespace onair::rtc::sdp
