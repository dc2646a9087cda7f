#pragma once
// a=ssrc-group:<semantics> <ssrc>… (RFC 5576 §4.2): FID pairs a stream with its retransmissions
// (RFC 4588), SIM lists simulcast layers (the older, SSRC-signalled form).
#include <cstdint>
#include <string>
#include <vector>

namespace onair::rtc::sdp {

struct SsrcGroup {
  std::string semantics;  // "FID", "SIM", "FEC-FR", …
  std::vector<uint32_t> ssrcs;

  bool operator==(const SsrcGroup&) const = default;
};

}  // namespace onair::rtc::sdp
