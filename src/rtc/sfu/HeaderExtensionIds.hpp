#pragma once
// The RTP header extension ids (RFC 8285) one peer's m= section negotiated; 0: not negotiated.
#include <cstdint>

namespace onair::rtc::sfu {

struct HeaderExtensionIds {
  uint8_t mid = 0, rid = 0, repairedRid = 0, absSendTime = 0, transportCc = 0, audioLevel = 0;
};

}  // namespace onair::rtc::sfu
