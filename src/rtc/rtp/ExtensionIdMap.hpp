#pragma once
// A consumer's header extension ids (RFC 8285): the id each extension has on the producer's side,
// mapped to the id negotiated with the consumer. An id with no mapping maps to 0, which means
// "not negotiated with this consumer": RtpPacket::remapExtensionIds blanks such elements out.
#include <array>
#include <cstdint>

namespace onair::rtc::rtp {

class ExtensionIdMap {
 public:
  // Maps producer id `from` to consumer id `to` (0 drops the extension). Ids are 1..255; 0 as
  // `from` is padding and is never mapped.
  void set(uint8_t from, uint8_t to) {
    if (from != 0) ids_[from] = to;
  }
  uint8_t lookup(uint8_t from) const { return ids_[from]; }

 private:
  std::array<uint8_t, 256> ids_{};
};

}  // namespace onair::rtc::rtp
