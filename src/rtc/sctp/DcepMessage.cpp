#include "rtc/sctp/DcepMessage.hpp"

#include <algorithm>

#include "rtc/rtp/BigEndian.hpp"

namespace onair::rtc::sctp {

namespace {

using rtp::read16;
using rtp::read32;
using rtp::write16;
using rtp::write32;

constexpr uint8_t kTypeOpen = 0x03;
constexpr uint8_t kTypeAck = 0x02;
constexpr uint8_t kUnorderedBit = 0x80;
constexpr uint8_t kReliable = 0x00;
constexpr uint8_t kByRetransmits = 0x01;
constexpr uint8_t kByLifetime = 0x02;

DcepMessage::Parsed parseOpen(std::span<const uint8_t> bytes) {
  if (bytes.size() < DcepMessage::kOpenHeaderBytes) return DcepMessage::Error::Truncated;
  const uint8_t type = bytes[1] & ~kUnorderedBit;
  if (type != kReliable && type != kByRetransmits && type != kByLifetime) return DcepMessage::Error::BadChannelType;
  const size_t labelBytes = read16(&bytes[8]);
  const size_t protocolBytes = read16(&bytes[10]);
  if (labelBytes > DcepMessage::kMaxNameBytes || protocolBytes > DcepMessage::kMaxNameBytes) return DcepMessage::Error::NameTooLong;
  const size_t total = DcepMessage::kOpenHeaderBytes + labelBytes + protocolBytes;
  if (bytes.size() < total) return DcepMessage::Error::Truncated;
  if (bytes.size() > total) return DcepMessage::Error::TrailingBytes;

  DcepOpen open;
  DataChannelParameters& c = open.channel;
  c.ordered = (bytes[1] & kUnorderedBit) == 0;
  c.priority = read16(&bytes[2]);
  const uint32_t reliability = read32(&bytes[4]);
  if (type == kByRetransmits) c.maxRetransmits = reliability;
  if (type == kByLifetime) c.maxPacketLifeTimeMs = reliability;
  const auto* names = reinterpret_cast<const char*>(bytes.data() + DcepMessage::kOpenHeaderBytes);
  c.label.assign(names, labelBytes);
  c.protocol.assign(names + labelBytes, protocolBytes);
  return open;
}

}  // namespace

DcepMessage::Parsed DcepMessage::parse(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return Error::Empty;
  if (bytes[0] == kTypeAck) return bytes.size() == 1 ? Parsed(DcepAck{}) : Parsed(Error::TrailingBytes);
  if (bytes[0] == kTypeOpen) return parseOpen(bytes);
  return Error::UnknownType;
}

std::vector<uint8_t> DcepMessage::open(const DataChannelParameters& channel) {
  const size_t labelBytes = std::min(channel.label.size(), kMaxNameBytes);
  const size_t protocolBytes = std::min(channel.protocol.size(), kMaxNameBytes);
  std::vector<uint8_t> out(kOpenHeaderBytes + labelBytes + protocolBytes);
  uint8_t type = kReliable;
  uint32_t reliability = 0;
  if (channel.maxRetransmits) {
    type = kByRetransmits;
    reliability = *channel.maxRetransmits;
  } else if (channel.maxPacketLifeTimeMs) {
    type = kByLifetime;
    reliability = *channel.maxPacketLifeTimeMs;
  }
  out[0] = kTypeOpen;
  out[1] = type | (channel.ordered ? 0 : kUnorderedBit);
  write16(&out[2], channel.priority);
  write32(&out[4], reliability);
  write16(&out[8], uint16_t(labelBytes));
  write16(&out[10], uint16_t(protocolBytes));
  std::copy_n(channel.label.data(), labelBytes, out.begin() + kOpenHeaderBytes);
  std::copy_n(channel.protocol.data(), protocolBytes, out.begin() + kOpenHeaderBytes + labelBytes);
  return out;
}

std::vector<uint8_t> DcepMessage::ack() { return {kTypeAck}; }

const char* DcepMessage::describe(Error error) {
  switch (error) {
    case Error::Empty: return "empty DCEP message";
    case Error::UnknownType: return "unknown DCEP message type";
    case Error::Truncated: return "DCEP message shorter than its lengths say";
    case Error::BadChannelType: return "unknown data channel type";
    case Error::NameTooLong: return "data channel label or protocol too long";
    case Error::TrailingBytes: return "bytes after the DCEP message";
  }
  return "bad DCEP message";
}

}  // namespace onair::rtc::sctp
