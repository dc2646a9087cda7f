#include "rtc/rtp/SdesPacket.hpp"

#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/RtcpType.hpp"

namespace onair::rtc::rtp {

namespace {

// Reads one chunk at `pos`, leaving `pos` on the next 32-bit boundary after its end byte.
bool readChunk(std::span<const uint8_t> body, size_t& pos, SdesPacket::Chunk& chunk) {
  if (pos + 4 > body.size()) return false;
  chunk.ssrc = read32(&body[pos]);
  pos += 4;
  // Items until the end byte.
  while (pos < body.size() && body[pos] != SdesPacket::kEnd) {
    if (pos + 2 > body.size()) return false;
    const uint8_t type = body[pos];
    const size_t length = body[pos + 1];
    pos += 2;
    if (pos + length > body.size()) return false;
    if (type == SdesPacket::kCname && chunk.cname.empty()) {
      chunk.cname = {reinterpret_cast<const char*>(&body[pos]), length};
    }
    pos += length;
  }
  if (pos >= body.size()) return false;
  // Past the end byte, to the next boundary.
  pos = (pos + 4) & ~size_t(3);
  return true;
}

}  // namespace

std::optional<SdesPacket> SdesPacket::parse(const RtcpPacketView& view) {
  if (view.type != rtcptype::SourceDescription) return std::nullopt;
  SdesPacket sdes;
  size_t pos = 0;
  for (size_t i = 0; i < view.count; ++i) {
    Chunk chunk;
    if (!readChunk(view.body, pos, chunk)) return std::nullopt;
    sdes.chunks.push_back(chunk);
  }
  return sdes;
}

}  // namespace onair::rtc::rtp
