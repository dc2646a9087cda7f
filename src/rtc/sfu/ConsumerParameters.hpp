#pragma once
// A producer forwarded to one subscriber, from the subscriber's (recvonly) offer section the SFU
// answers.
#include <cstdint>
#include <optional>
#include <string>

#include "rtc/sfu/HeaderExtensionIds.hpp"
#include "rtc/sfu/RtpCodec.hpp"

namespace onair::rtc::sfu {

struct ConsumerParameters {
  std::string mid;                  // the subscriber's m= section
  uint32_t ssrc = 0;                // chosen by the caller (unique in the subscriber's transport),
  std::optional<uint32_t> rtxSsrc;  //   announced in the answer with a=ssrc / a=ssrc-group:FID
  RtpCodec codec;                   // same name and clock rate as the producer's; subscriber's pts
  HeaderExtensionIds extensions;
};

}  // namespace onair::rtc::sfu
