#pragma once
// A receiver report (RFC 3550 §6.4.2), PT = 201, RC report blocks (ReportBlock.hpp):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|    RC   |   PT=RR=201   |             length            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     SSRC of packet sender                     |
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |                 report blocks (RC × 24 bytes)                 |
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// Profile-specific extensions may follow the blocks; they are ignored.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rtc/rtp/ReportBlock.hpp"
#include "rtc/rtp/RtcpPacketView.hpp"

namespace onair::rtc::rtp {

struct ReceiverReport {
  static constexpr size_t kMaxBlocks = 31;  // RC is 5 bits

  uint32_t ssrc = 0;
  std::vector<ReportBlock> reports;

  // nullopt unless `view` is an RR whose body holds the SSRC and RC blocks.
  static std::optional<ReceiverReport> parse(const RtcpPacketView& view);
};

}  // namespace onair::rtc::rtp
