#pragma once
// Reading a=fmtp format parameters ("k=v;k=v", RFC 8866 §6.15; keys compared without case, as
// the codec RFCs say) and the case-insensitive compares codec names need (RFC 4855 §3).
#include <optional>
#include <string>
#include <string_view>

namespace onair::rtc::sdp {

struct FormatParameters {
  // The value of `key` in `fmtp`, spaces around it trimmed; nullopt when absent.
  static std::optional<std::string_view> value(const std::optional<std::string>& fmtp, std::string_view key);
  // ASCII letters compared without case.
  static bool equalsIgnoringCase(std::string_view a, std::string_view b);
};

}  // namespace onair::rtc::sdp
