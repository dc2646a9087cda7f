#pragma once
// One m= section of a session description (RFC 8866 §5.14) and the attributes WebRTC gives it
// (RFC 8829 JSEP §5.2): what the parser reads, what the writer writes, what the answer builder
// fills in. Attributes the model has no field for are kept verbatim in `otherAttributes`.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rtc/sdp/Candidate.hpp"
#include "rtc/sdp/Direction.hpp"
#include "rtc/sdp/DtlsSetup.hpp"
#include "rtc/sdp/Fingerprint.hpp"
#include "rtc/sdp/HeaderExtension.hpp"
#include "rtc/sdp/Msid.hpp"
#include "rtc/sdp/Rid.hpp"
#include "rtc/sdp/RtpFormat.hpp"
#include "rtc/sdp/Simulcast.hpp"
#include "rtc/sdp/SsrcAttribute.hpp"
#include "rtc/sdp/SsrcGroup.hpp"

namespace onair::rtc::sdp {

struct MediaSection {
  // m=<media> <port>[/<number of ports>] <proto> <fmt> …
  std::string kind;  // "audio", "video", "application", …
  uint16_t port = 9;
  std::optional<uint16_t> portCount;
  std::string proto;                 // "UDP/TLS/RTP/SAVPF", "UDP/DTLS/SCTP", …
  std::vector<std::string> formats;  // payload types, or "webrtc-datachannel"

  std::optional<std::string> connection;  // c= value, "IN IP4 0.0.0.0"
  std::vector<std::string> bandwidths;    // b= values, "AS:2000"

  std::optional<std::string> mid;
  std::optional<Direction> direction;  // absent means sendrecv
  bool rtcpMux = false;
  bool rtcpRsize = false;

  // Transport parameters; Chromium writes them here rather than at session level.
  std::optional<std::string> iceUfrag;
  std::optional<std::string> icePwd;
  std::vector<std::string> iceOptions;
  std::vector<Fingerprint> fingerprints;
  std::optional<DtlsSetup> setup;

  std::vector<HeaderExtension> extensions;
  std::vector<Msid> msids;
  std::vector<RtpFormat> rtpFormats;        // in order of first mention
  std::vector<std::string> wildcardFeedback;  // a=rtcp-fb:* <value>
  std::vector<Rid> rids;
  std::optional<Simulcast> simulcast;
  std::vector<SsrcGroup> ssrcGroups;
  std::vector<SsrcAttribute> ssrcs;

  std::optional<uint16_t> sctpPort;
  std::optional<uint64_t> maxMessageSize;

  std::vector<Candidate> candidates;
  bool endOfCandidates = false;

  std::vector<std::string> otherAttributes;  // "rtcp:9 IN IP4 0.0.0.0", "extmap-allow-mixed", …

  bool isRejected() const { return port == 0; }
  const RtpFormat* rtpFormat(uint8_t payloadType) const {
    for (const RtpFormat& f : rtpFormats) {
      if (f.payloadType == payloadType) return &f;
    }
    return nullptr;
  }

  bool operator==(const MediaSection&) const = default;
};

}  // namespace onair::rtc::sdp
