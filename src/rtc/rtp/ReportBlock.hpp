#pragma once
// A reception report block of an SR or RR (RFC 3550 §6.4.1), 24 bytes:
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |                 SSRC_1 (SSRC of first source)                 |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | fraction lost |       cumulative number of packets lost       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           extended highest sequence number received           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      interarrival jitter                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         last SR (LSR)                         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                   delay since last SR (DLSR)                  |
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// The cumulative loss is a signed 24-bit count (negative when duplicates outnumber losses).
#include <cstddef>
#include <cstdint>

namespace onair::rtc::rtp {

struct ReportBlock {
  static constexpr size_t kBytes = 24;
  static constexpr int32_t kMaxLost = 0x7FFFFF;
  static constexpr int32_t kMinLost = -0x800000;

  uint32_t ssrc = 0;
  uint8_t fractionLost = 0;
  int32_t cumulativeLost = 0;  // kMinLost..kMaxLost; write() clamps
  uint32_t highestSequence = 0;
  uint32_t jitter = 0;
  uint32_t lastSr = 0;
  uint32_t delaySinceLastSr = 0;

  // `p` points at kBytes readable / writable bytes.
  static ReportBlock read(const uint8_t* p);
  void write(uint8_t* p) const;

  bool operator==(const ReportBlock&) const = default;
};

}  // namespace onair::rtc::rtp
