#pragma once
// What a data channel is, as its opener declared it (RFC 8832 §5.1): a label, a sub-protocol and
// how reliably and in what order its messages travel.
#include <cstdint>
#include <optional>
#include <string>

namespace onair::rtc::sctp {

struct DataChannelParameters {
  std::string label;
  std::string protocol;
  bool ordered = true;
  // At most one of the two is set; neither: fully reliable.
  std::optional<uint32_t> maxRetransmits;
  std::optional<uint32_t> maxPacketLifeTimeMs;
  uint16_t priority = 256;  // RFC 8831 §6.4 "normal"

  bool operator==(const DataChannelParameters&) const = default;
};

}  // namespace onair::rtc::sctp
