#pragma once
// Why a session description was refused: the 1-based line that made it so (0 when the refusal is
// about the whole text, such as its size or a missing line) and a reason a person can act on.
#include <cstddef>
#include <string>

namespace onair::rtc::sdp {

struct SdpError {
  size_t line = 0;
  std::string reason;

  // "line 12: a=rtpmap payload type 300 is not 0..127", or the bare reason when line is 0.
  std::string message() const { return line == 0 ? reason : "line " + std::to_string(line) + ": " + reason; }
};

}  // namespace onair::rtc::sdp
