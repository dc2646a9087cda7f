#pragma once
// a=msid:<stream id> [<track id>] (RFC 8830 §2): the MediaStream, and in older stacks the track,
// a section's media belongs to. "-" as stream id means no stream.
#include <optional>
#include <string>

namespace onair::rtc::sdp {

struct Msid {
  std::string stream;
  std::optional<std::string> track;

  bool operator==(const Msid&) const = default;
};

}  // namespace onair::rtc::sdp
