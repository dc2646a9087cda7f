#pragma once
// a=simulcast:[send <streams>] [recv <streams>] (RFC 8853 §5.1). Each stream is one entry of the
// ';'-separated list, kept as written: a rid, alternatives "a,b", or a paused rid "~a".
#include <string>
#include <vector>

namespace onair::rtc::sdp {

struct Simulcast {
  std::vector<std::string> send;
  std::vector<std::string> recv;

  bool operator==(const Simulcast&) const = default;
};

}  // namespace onair::rtc::sdp
