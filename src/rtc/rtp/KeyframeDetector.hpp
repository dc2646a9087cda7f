#pragma once
// Whether an RTP payload starts a keyframe, read from the payload descriptor of its codec. An SFU
// asks this to know when a consumer that switched layers or joined can start receiving.
//
// VP8 (RFC 7741 §4.2), the descriptor then, at a partition start, the payload header (§4.3):
//   0 1 2 3 4 5 6 7
//  +-+-+-+-+-+-+-+-+
//  |X|R|N|S|R| PID |   S: start of a partition, PID: partition index
//  +-+-+-+-+-+-+-+-+
//  |I|L|T|K| RSV   |   (X) then (I) 1 or 2 bytes PictureID (M bit first), (L) TL0PICIDX,
//  +-+-+-+-+-+-+-+-+       (T or K) TID|Y|KEYIDX
//  |Size0|H| VER |P|   payload header, P = 0 on a keyframe
//  +-+-+-+-+-+-+-+-+
// A keyframe starts where S = 1, PID = 0 and P = 0.
//
// VP9 (draft-ietf-payload-vp9-16 §4.2), first byte:
//   0 1 2 3 4 5 6 7
//  +-+-+-+-+-+-+-+-+
//  |I|P|L|F|B|E|V|Z|   P: inter-picture predicted, B: start of a frame, L: layer indices follow
//  +-+-+-+-+-+-+-+-+
//  (I) 1 or 2 bytes PictureID, then (L) |TID|U| SID |D|
// A keyframe starts where P = 0 and B = 1, in spatial layer 0 when layer indices are present
// (an upper spatial layer of a keyframe is not where decoding can begin).
//
// H.264 (RFC 6184 §5.2-5.8), NAL unit header |F|NRI|Type|: type 5 is an IDR slice, 7 an SPS
// (sent right before the IDR, so it marks the keyframe's first packet). A keyframe starts with a
// single NAL of type 5 or 7, a STAP-A (24) aggregating one, or an FU-A (28) whose FU header
// |S|E|R|Type| has S = 1 and a type 5 or 7.
//
// Contract: pure, reads only within `payload`; a payload too short for its descriptor is not a
// keyframe.
#include <cstdint>
#include <span>

#include "rtc/rtp/VideoCodec.hpp"

namespace onair::rtc::rtp {

class KeyframeDetector {
 public:
  static bool isKeyframe(VideoCodec codec, std::span<const uint8_t> payload);

 private:
  static bool isVp8Keyframe(std::span<const uint8_t> payload);
  static bool isVp9Keyframe(std::span<const uint8_t> payload);
  static bool isH264Keyframe(std::span<const uint8_t> payload);
};

}  // namespace onair::rtc::rtp
