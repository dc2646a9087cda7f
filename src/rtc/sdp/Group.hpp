#pragma once
// a=group:<semantics> <mid>… (RFC 5888 §5); BUNDLE (RFC 9143) is the one WebRTC uses.
#include <string>
#include <vector>

namespace onair::rtc::sdp {

struct Group {
  std::string semantics;  // "BUNDLE", "LS", …
  std::vector<std::string> mids;

  bool operator==(const Group&) const = default;
};

}  // namespace onair::rtc::sdp
