#pragma once
// a=ssrc:<ssrc> <attribute>[:<value>] (RFC 5576 §4.1), e.g. "1234 cname:abc" or "1234 msid:s t".
#include <cstdint>
#include <optional>
#include <string>

namespace onair::rtc::sdp {

struct SsrcAttribute {
  uint32_t ssrc = 0;
  std::string name;                  // "cname", "msid", …
  std::optional<std::string> value;  // everything after the first ':', verbatim

  bool operator==(const SsrcAttribute&) const = default;
};

}  // namespace onair::rtc::sdp
