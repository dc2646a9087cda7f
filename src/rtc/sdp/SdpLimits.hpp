#pragma once
// How much of a session description the parser accepts before refusing it. An SDP blob arrives in
// a signaling request from any member of a room, so every dimension that costs memory or time is
// bounded. The defaults fit what browsers and aiortc send with room to spare: a Chromium offer with
// audio, simulcast video and a data channel is about 6 KiB, its video section about 150 lines.
#include <cstddef>

namespace onair::rtc::sdp {

struct SdpLimits {
  size_t maxBytes = 64 * 1024;           // the whole description
  size_t maxLineBytes = 4096;            // one line, without its line end
  size_t maxMediaSections = 64;          // m= lines
  size_t maxAttributesPerSection = 512;  // a= lines in one section (the session counts as one)
};

}  // namespace onair::rtc::sdp
