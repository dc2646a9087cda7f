#pragma once
// One negotiated codec as a section of one peer's SDP has it: the payload types are that peer's,
// so a producer's and a consumer's RtpCodec for the same media differ in payloadType (and
// rtxPayloadType) and agree in name and clock rate.
#include <cstdint>
#include <optional>
#include <string>

namespace onair::rtc::sfu {

struct RtpCodec {
  std::string name;                        // "opus", "VP8", "H264", "VP9" (as in CodecCapability)
  uint8_t payloadType = 0;                 // this peer's payload type for it
  uint32_t clockRate = 90000;
  uint16_t channels = 0;                   // 2 for opus
  std::optional<uint8_t> rtxPayloadType;   // this peer's rtx (apt=payloadType), if negotiated
  std::string fmtp;                        // verbatim, for the subscriber's answer
  bool nack = false, pli = false, fir = false;  // RTCP feedback negotiated in this section
};

}  // namespace onair::rtc::sfu
