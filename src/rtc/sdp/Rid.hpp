#pragma once
// a=rid:<rid-id> <send|recv> [<restrictions>] (RFC 8851 §10): one RTP stream of a simulcast
// section, named by the rid header extension's value.
#include <string>

namespace onair::rtc::sdp {

struct Rid {
  std::string id;
  bool send = true;          // "send" or "recv"
  std::string restrictions;  // verbatim: "pt=96;max-width=640", empty when none

  bool operator==(const Rid&) const = default;
};

}  // namespace onair::rtc::sdp
