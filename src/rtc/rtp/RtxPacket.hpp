#pragma once
// RTP retransmission in a separate stream (RFC 4588 §4): the RTX packet carries the original's
// header fields but its own SSRC, payload type and sequence number, and its payload starts with
// the original sequence number (OSN).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         RTP Header                            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |            OSN                |                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
// |                  Original RTP Packet Payload                  |
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Contract: pure. The original's padding is not carried over (an RTX packet pads for itself if
// it needs to). Neither side grows past RtpPacket::kMaxBytes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtc/rtp/RtpPacket.hpp"

namespace onair::rtc::rtp {

class RtxPacket {
 public:
  static constexpr size_t kOsnBytes = 2;

  struct Stream {
    uint32_t ssrc = 0;
    uint8_t payloadType = 0;
  };

  // Writes the RTX form of `original` into `out` (header with CSRCs and extensions as they are,
  // then the OSN and the payload), with the RTX stream's ssrc and payload type and `rtxSeq`.
  // Returns the bytes written, 0 when `out` (or kMaxBytes) has no room. `out` must not overlap
  // the original's bytes.
  static size_t wrap(const RtpPacket& original, Stream rtx, uint16_t rtxSeq, std::span<uint8_t> out);

  // Turns the RTX packet in `bytes` back into the original, in place: the payload moves two
  // bytes down over the OSN, the sequence number becomes the OSN and ssrc and payload type become
  // the original stream's. Returns the original packet (a view over the front of `bytes`), or
  // nullopt when `bytes` is not RTP or its payload is shorter than the OSN (RFC 4588 §4: an RTX
  // packet without OSN is padding only, nothing to recover).
  static std::optional<RtpPacket> unwrap(std::span<uint8_t> bytes, Stream original);
};

}  // namespace onair::rtc::rtp
