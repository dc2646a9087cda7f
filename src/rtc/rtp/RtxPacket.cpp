#include "rtc/rtp/RtxPacket.hpp"

#include <algorithm>
#include <cstring>

#include "rtc/rtp/BigEndian.hpp"

namespace onair::rtc::rtp {

size_t RtxPacket::wrap(const RtpPacket& original, Stream rtx, uint16_t rtxSeq, std::span<uint8_t> out) {
  const auto header = original.bytes().first(original.headerBytes());
  const auto payload = original.payload();
  const size_t size = header.size() + kOsnBytes + payload.size();
  if (size > out.size() || size > RtpPacket::kMaxBytes) return 0;

  // Header as it was, without the padding bit; then the OSN and the payload.
  std::copy(header.begin(), header.end(), out.begin());
  out[0] &= uint8_t(~0x20);
  write16(&out[header.size()], original.sequenceNumber());
  std::copy(payload.begin(), payload.end(), out.begin() + header.size() + kOsnBytes);

  auto packet = RtpPacket::parse(out.first(size));
  if (!packet) return 0;  // unreachable: the original parsed and the header is unchanged
  packet->setSsrc(rtx.ssrc);
  packet->setPayloadType(rtx.payloadType);
  packet->setSequenceNumber(rtxSeq);
  return size;
}

std::optional<RtpPacket> RtxPacket::unwrap(std::span<uint8_t> bytes, Stream original) {
  auto rtx = RtpPacket::parse(bytes);
  if (!rtx || rtx->payload().size() < kOsnBytes) return std::nullopt;

  // Read the OSN, then move the original payload over it and drop the RTX padding.
  const size_t header = rtx->headerBytes();
  const size_t payloadBytes = rtx->payload().size() - kOsnBytes;
  const uint16_t osn = read16(&bytes[header]);
  std::memmove(&bytes[header], &bytes[header + kOsnBytes], payloadBytes);
  bytes[0] &= uint8_t(~0x20);

  auto packet = RtpPacket::parse(bytes.first(header + payloadBytes));
  if (!packet) return std::nullopt;  // unreachable: same header, no padding
  packet->setSequenceNumber(osn);
  packet->setSsrc(original.ssrc);
  packet->setPayloadType(original.payloadType);
  return packet;
}

}  // namespace onair::rtc::rtp
