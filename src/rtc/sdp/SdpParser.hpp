#pragma once
// Parses a session description (RFC 8866 §5, §9 grammar, as WebRTC stacks write it: RFC 8829) into
// the typed model, SessionDescription.
//
// Contract: pure and bounded. The text is refused, with the 1-based line number and a reason,
// when it exceeds a limit (SdpLimits), when a line is not "<letter>=<value>", holds a control
// character, or is a known line or attribute with a malformed value (a payload type over 127, a
// port over 65535, a second a=mid in one section, …), and when v=0 is not the first line or o=,
// s= or t= is missing. Lines may end in CRLF or LF; blank lines are skipped. Unknown attributes
// are kept verbatim (bounded by the line and attribute limits); unknown line types are ignored.
// The model keeps nothing that points into the text.
//
// Written by SdpWriter, whatever parsed parses again to an equal model (fuzz_sdp checks it).
#include <optional>
#include <string_view>

#include "rtc/sdp/SdpError.hpp"
#include "rtc/sdp/SdpLimits.hpp"
#include "rtc/sdp/SessionDescription.hpp"

namespace onair::rtc::sdp {

class SdpParser {
 public:
  static std::optional<SessionDescription> parse(std::string_view text, SdpError& error,
                                                 const SdpLimits& limits = {});
};

}  // namespace onair::rtc::sdp
