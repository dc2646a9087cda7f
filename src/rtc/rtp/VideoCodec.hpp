#pragma once
// The video codecs whose RTP payloads the SFU looks into (to find keyframes).
#include <cstdint>

namespace onair::rtc::rtp {

enum class VideoCodec : uint8_t { Vp8, Vp9, H264 };

}  // namespace onair::rtc::rtp
