#pragma once
// What the SFU puts of its own into an answer: its ICE-lite credentials and candidates (one host
// candidate per shard's UDP port), its DTLS certificate's fingerprint, the codecs, RTCP feedback
// and header extensions it handles, and the data channel's SCTP parameters.
#include <cstdint>
#include <string>
#include <vector>

#include "rtc/sdp/Candidate.hpp"
#include "rtc/sdp/CodecCapability.hpp"
#include "rtc/sdp/Fingerprint.hpp"

namespace onair::rtc::sdp {

struct AnswerParameters {
  std::string sessionId = "1";  // o= session id, stable for the peer connection
  uint64_t sessionVersion = 1;  // o= version, raised with each new answer
  std::string iceUfrag;
  std::string icePwd;
  Fingerprint fingerprint;
  std::vector<Candidate> candidates;  // the first one's address and port go on the m= and c= lines

  std::vector<CodecCapability> codecs = CodecCapability::defaults();
  // RTCP feedback kept when offered (RFC 4585, RFC 5104, goog-remb, transport-cc).
  std::vector<std::string> feedback = {"nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"};
  // Header extensions kept, by URI, with the id the offer gave them.
  std::vector<std::string> extensions = {
      "urn:ietf:params:rtp-hdrext:sdes:mid",
      "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
      "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
      "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
      "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
  };

  uint16_t sctpPort = 5000;
  uint64_t maxMessageSize = 262144;
};

}  // namespace onair::rtc::sdp
