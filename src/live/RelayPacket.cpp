#include "live/RelayPacket.hpp"

namespace onair::live {

namespace {
constexpr uint8_t kFinBinary = 0x82;
constexpr uint8_t kMaskBit = 0x80;
}  // namespace

std::optional<uint8_t> RelayPacket::chunkFlags(std::string_view frame) {
  if (frame.size() < 2 || static_cast<uint8_t>(frame[0]) != kFinBinary) return std::nullopt;
  const uint8_t second = static_cast<uint8_t>(frame[1]);
  if (second & kMaskBit) return std::nullopt;  // server frames are unmasked
  const uint8_t len7 = second & 0x7f;
  const size_t header = len7 == 127 ? 10 : len7 == 126 ? 4 : 2;
  // The BinaryFrame's version byte, then its flags byte.
  if (frame.size() < header + 2) return std::nullopt;
  return static_cast<uint8_t>(frame[header + 1]);
}

std::string RelayPacket::encodeCatchUp(std::string_view node, const std::vector<std::string_view>& frames) {
  size_t size = 2 + node.size();
  for (auto frame : frames) size += 4 + frame.size();
  std::string out;
  out.reserve(size);
  out += kCatchUpMark;
  out += static_cast<char>(node.size());
  out.append(node);
  for (auto frame : frames) {
    const auto n = static_cast<uint32_t>(frame.size());
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
    out.append(frame);
  }
  return out;
}

std::optional<RelayPacket::CatchUp> RelayPacket::parseCatchUp(std::string_view bytes) {
  if (bytes.size() < 2 || bytes[0] != kCatchUpMark) return std::nullopt;
  const size_t nodeSize = static_cast<uint8_t>(bytes[1]);
  if (bytes.size() < 2 + nodeSize) return std::nullopt;
  CatchUp out{bytes.substr(2, nodeSize), {}};
  for (size_t at = 2 + nodeSize; at < bytes.size();) {
    if (bytes.size() - at < 4) return std::nullopt;
    uint32_t n = 0;
    for (size_t i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>(bytes[at + i]);
    at += 4;
    if (n > bytes.size() - at) return std::nullopt;
    auto frame = bytes.substr(at, n);
    if (!chunkFlags(frame)) return std::nullopt;
    out.frames.push_back(frame);
    at += n;
  }
  return out;
}

}  // namespace onair::live
