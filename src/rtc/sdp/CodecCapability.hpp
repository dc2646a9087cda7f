#pragma once
// A codec the SFU forwards, matched against an offer's payload types by encoding name (any case),
// clock rate, channels, and the fmtp parameters that change the bitstream (an H.264 profile, a
// VP9 profile, the packetization mode). The SFU never transcodes, so a payload type is accepted
// only when every required parameter has an allowed value.
#include <string>
#include <vector>

namespace onair::rtc::sdp {

struct CodecCapability {
  struct Parameter {
    std::string name;                 // fmtp key, compared without case: "profile-level-id"
    std::string valueWhenAbsent;      // the RFC's default when the offer omits the key ("0")
    std::vector<std::string> allowed;  // accepted values, compared without case
  };

  std::string kind;          // "audio" or "video"
  std::string encodingName;  // "opus", "VP8", "H264", "VP9"
  uint32_t clockRate = 90000;
  uint16_t channels = 0;  // 0: whatever the rtpmap says (video has none)
  std::vector<Parameter> required;

  // What onair forwards: Opus 48000/2; VP8; H.264 with packetization-mode=1 in the profiles
  // Chromium offers (constrained baseline 42e01f, baseline 42001f, main 4d001f, high 64001f);
  // VP9 profile 0. rtx follows whichever of them it repairs.
  static std::vector<CodecCapability> defaults() {
    return {
        {"audio", "opus", 48000, 2, {}},
        {"video", "VP8", 90000, 0, {}},
        {"video", "H264", 90000, 0,
         {{"packetization-mode", "0", {"1"}},
          {"profile-level-id", "42000a", {"42e01f", "42001f", "4d001f", "64001f"}}}},
        {"video", "VP9", 90000, 0, {{"profile-id", "0", {"0"}}}},
    };
  }
};

}  // namespace onair::rtc::sdp
