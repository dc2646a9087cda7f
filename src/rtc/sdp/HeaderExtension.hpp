#pragma once
// a=extmap:<id>[/<direction>] <uri> [<extension attributes>] (RFC 8285 §8): which RTP header
// extension an id stands for in this section. Ids 1..14 fit the one-byte form, up to 255 the
// two-byte form; ids are per section (aiortc 1.4 reuses one id for two URIs in one BUNDLE).
#include <cstdint>
#include <optional>
#include <string>

#include "rtc/sdp/Direction.hpp"

namespace onair::rtc::sdp {

struct HeaderExtension {
  uint8_t id = 0;
  std::optional<Direction> direction;
  std::string uri;
  std::string attributes;  // the rest of the line, verbatim; empty when there is none

  bool operator==(const HeaderExtension&) const = default;
};

}  // namespace onair::rtc::sdp
