#pragma once
// Generic NACK Feedback Control Information (RFC 4585 §6.2.1): lost sequence numbers to and from
// NackItems, and NackItems to and from the FCI bytes of an RTPFB packet with FMT 1.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |            PID                |             BLP               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// PID is a lost packet; bit i of BLP (least significant first) set means PID + i + 1 is lost too.
// Both in network byte order; the FCI is one or more such items. Sequence numbers wrap (SeqNum).
// Pure functions: read() takes bytes from the network and is size-limited.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rtc/sfu/NackItem.hpp"

namespace onair::rtc::sfu {

struct NackList {
  static constexpr size_t kItemBytes = 4;
  // As many items as fit in a 1500-byte packet: a NACK longer than that is not from a real peer.
  static constexpr size_t kMaxItems = 1500 / kItemBytes;

  // Items covering `seqs`, in RTP order (each newer than the one before, wrapping): a new item
  // starts at each sequence number more than 16 after the current item's PID. Unsorted input is
  // still covered, with more items than needed; duplicates cost nothing.
  static std::vector<NackItem> encode(std::span<const uint16_t> seqs);

  // The sequence numbers `items` name, item by item, each PID before its BLP bits in order.
  static std::vector<uint16_t> decode(std::span<const NackItem> items);

  // The items of an FCI, or nullopt when it is empty, not a whole number of items, or longer than
  // kMaxItems.
  static std::optional<std::vector<NackItem>> read(std::span<const uint8_t> fci);

  // Appends the FCI bytes of `items` to `out`.
  static void write(std::span<const NackItem> items, std::vector<uint8_t>& out);
};

}  // namespace onair::rtc::sfu
