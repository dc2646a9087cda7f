#pragma once
// An SFU's answer to a WebRTC offer (RFC 8829 JSEP §5.3, RFC 3264), as a pure function of the offer
// and the SFU's own parameters:
//   - one transport: every accepted section is in one a=group:BUNDLE (the offer's BUNDLE group
//     decides which sections can be), with rtcp-mux, the SFU's ICE-lite credentials, its
//     fingerprint, a=setup:passive (onair is the DTLS server) and its candidates with
//     end-of-candidates; a=ice-lite at session level;
//   - audio and video sections keep the offered payload types that match a CodecCapability, rtx
//     for those, and the offered RTCP feedback the SFU handles; header extensions the SFU handles
//     keep the ids the offer gave them, per section (never renumbered), except an id the offer
//     gives to two URIs in different sections (aiortc 1.4 does, in one BUNDLE), which is left out
//     everywhere;
//   - directions are mirrored (sendonly → recvonly); an offered simulcast send list is received
//     (a=rid:<id> recv for each offered send rid, a=simulcast:recv with the offered list);
//   - the first data channel section (UDP/DTLS/SCTP webrtc-datachannel) is accepted with the
//     SFU's sctp-port and max-message-size; the older "DTLS/SCTP <port>" + a=sctpmap form that
//     aiortc 1.4 offers is answered in that form;
//   - anything else is rejected with port 0: media the SFU cannot forward, sections without a mid
//     or outside the offered BUNDLE group, sections the offerer itself rejected. Without an
//     offered BUNDLE group only the first acceptable section is accepted.
// The answer carries no a=ssrc or a=msid: what the SFU sends is for the caller to add.
// Refused (nullopt, `error` says why): two sections with one mid, an offer whose transport lacks
// ICE credentials or a fingerprint, or that asks onair to be the DTLS client (a=setup:passive).
#include <optional>
#include <string>

#include "rtc/sdp/AnswerParameters.hpp"
#include "rtc/sdp/SessionDescription.hpp"

namespace onair::rtc::sdp {

class AnswerBuilder {
 public:
  static std::optional<SessionDescription> build(const SessionDescription& offer, const AnswerParameters& local,
                                                 std::string& error);
  // The answer's section for an offered section it does not take: port 0, the offered m= line
  // and mid, nothing else.
  static MediaSection rejected(const MediaSection& offered);
};

}  // namespace onair::rtc::sdp
