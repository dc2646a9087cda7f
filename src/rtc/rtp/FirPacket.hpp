#pragma once
// Full Intra Request (RFC 5104 §4.3.1): PSFB (206) with FMT 4; the feedback header's media SSRC
// is 0 (§4.3.1.2) and the FCI is one or more entries:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                              SSRC                             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | Seq nr.       |    Reserved                                   |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// The sequence number is per media sender, incremented for each new request (a repeat keeps it).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rtc/rtp/RtcpPacketView.hpp"

namespace onair::rtc::rtp {

struct FirPacket {
  static constexpr size_t kEntryBytes = 8;

  struct Entry {
    uint32_t ssrc = 0;
    uint8_t sequenceNumber = 0;
    bool operator==(const Entry&) const = default;
  };

  uint32_t senderSsrc = 0;
  std::vector<Entry> entries;

  // nullopt unless `view` is a FIR whose FCI is one or more whole entries. A media SSRC other
  // than 0 is tolerated (senders get it wrong; the entries say who is asked).
  static std::optional<FirPacket> parse(const RtcpPacketView& view);
};

}  // namespace onair::rtc::rtp
