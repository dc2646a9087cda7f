#include "rtc/sdp/FormatParameters.hpp"

#include <algorithm>

namespace onair::rtc::sdp {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

bool FormatParameters::equalsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
  });
}

std::optional<std::string_view> FormatParameters::value(const std::optional<std::string>& fmtp, std::string_view key) {
  if (!fmtp) return std::nullopt;
  std::string_view rest = *fmtp;
  while (!rest.empty()) {
    const size_t semicolon = std::min(rest.find(';'), rest.size());
    const std::string_view pair = rest.substr(0, semicolon);
    rest.remove_prefix(std::min(semicolon + 1, rest.size()));
    const size_t equals = pair.find('=');
    if (equals != std::string_view::npos && equalsIgnoringCase(trimmed(pair.substr(0, equals)), key)) {
      return trimmed(pair.substr(equals + 1));
    }
  }
  return std::nullopt;
}

}  // namespace onair::rtc::sdp
