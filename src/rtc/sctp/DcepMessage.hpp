#pragma once
// The Data Channel Establishment Protocol (RFC 8832): the opener sends DATA_CHANNEL_OPEN on the
// stream it picked, the other side answers DATA_CHANNEL_ACK on the same stream. Both travel with
// payload protocol 50 (PayloadProtocol::Dcep).
//
// DATA_CHANNEL_OPEN (RFC 8832 §5.1):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Message Type |  Channel Type |            Priority           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    Reliability Parameter                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         Label Length          |       Protocol Length         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                            Label                              |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           Protocol                            |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Message Type 0x03; Channel Type: 0x00 reliable, 0x01 partial reliable by retransmissions,
// 0x02 partial reliable by lifetime (ms); the 0x80 bit makes the channel unordered.
//
// DATA_CHANNEL_ACK (RFC 8832 §5.2): one byte, Message Type 0x02.
//
// Contract: pure; parse never reads past the input, rejects trailing bytes and labels or
// protocols longer than kMaxNameBytes (a hostile peer must not make us hold 128 KiB per channel).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "rtc/sctp/DataChannelParameters.hpp"

namespace onair::rtc::sctp {

struct DcepOpen {
  DataChannelParameters channel;
};
struct DcepAck {};

class DcepMessage {
 public:
  static constexpr size_t kOpenHeaderBytes = 12;
  static constexpr size_t kMaxNameBytes = 1024;

  enum class Error { Empty, UnknownType, Truncated, BadChannelType, NameTooLong, TrailingBytes };
  using Parsed = std::variant<DcepOpen, DcepAck, Error>;

  static Parsed parse(std::span<const uint8_t> bytes);
  static std::vector<uint8_t> open(const DataChannelParameters& channel);
  static std::vector<uint8_t> ack();
  static const char* describe(Error error);
};

}  // namespace onair::rtc::sctp
