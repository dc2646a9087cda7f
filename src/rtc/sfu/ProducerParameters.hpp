#pragma once
// A track a publisher sends, from the publisher's offer section (after the answer kept ONE codec).
#include <cstdint>
#include <optional>
#include <string>

#include "rtc/sfu/HeaderExtensionIds.hpp"
#include "rtc/sfu/RtpCodec.hpp"

namespace onair::rtc::sfu {

struct ProducerParameters {
  std::string kind;                 // "audio" or "video"
  std::string mid;                  // the publisher's m= section
  // One simulcast encoding of the section (a=rid): its packets (and their RTX) are told apart by
  // the rid (repaired-rid) extension. Empty: the section sends one encoding.
  std::string rid;
  RtpCodec codec;
  std::optional<uint32_t> ssrc;     // a=ssrc / first ssrc of a=ssrc-group:FID; absent: learned
  std::optional<uint32_t> rtxSsrc;  // second ssrc of a=ssrc-group:FID          from the mid extension
  HeaderExtensionIds extensions;
};

}  // namespace onair::rtc::sfu
