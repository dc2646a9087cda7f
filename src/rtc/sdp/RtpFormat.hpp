#pragma once
// One RTP payload type of a media section with what the section says of it:
//   a=rtpmap:<pt> <encoding name>/<clock rate>[/<channels>]   (RFC 8866 §6.6)
//   a=fmtp:<pt> <format parameters>                            (RFC 8866 §6.15)
//   a=rtcp-fb:<pt> <feedback type> [<parameters>]              (RFC 4585 §4.2)
// A payload type can have feedback or parameters without an rtpmap (static types such as 0 PCMU).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onair::rtc::sdp {

struct RtpMap {
  std::string encodingName;  // as written: "opus", "VP8", "H264", "rtx"
  uint32_t clockRate = 0;
  std::optional<uint16_t> channels;

  bool operator==(const RtpMap&) const = default;
};

struct RtpFormat {
  uint8_t payloadType = 0;
  std::optional<RtpMap> rtpmap;
  std::optional<std::string> fmtp;    // verbatim: "minptime=10;useinbandfec=1"
  std::vector<std::string> feedback;  // verbatim: "nack", "nack pli", "transport-cc"

  bool operator==(const RtpFormat&) const = default;
};

}  // namespace onair::rtc::sdp
