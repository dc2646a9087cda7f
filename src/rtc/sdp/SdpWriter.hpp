#pragma once
// Turns the model back into SDP text: CRLF line ends, lines in RFC 8866 §5 order (v o s c b t,
// session attributes, then each m= section with c b and its attributes), attributes in a fixed
// order (mid, transport, direction, rtcp-mux, extmap, msid, payload types each with rtpmap,
// rtcp-fb and fmtp, rid, simulcast, ssrc-group, ssrc, sctp, candidates, then the verbatim rest).
// Deterministic: one model, one text. SdpParser reads what this writes back to an equal model.
#include <string>

#include "rtc/sdp/SessionDescription.hpp"

namespace onair::rtc::sdp {

class SdpWriter {
 public:
  static std::string write(const SessionDescription& description);
};

}  // namespace onair::rtc::sdp
