#pragma once
// Network byte order reads and writes for the RTP/RTCP wire formats. Callers check bounds first:
// these touch exactly 1, 2, 3 or 4 bytes at `p`.
#include <cstdint>

namespace onair::rtc::rtp {

inline uint16_t read16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t read24(const uint8_t* p) { return (uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | uint32_t(p[2]); }
inline uint32_t read32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
inline uint64_t read64(const uint8_t* p) { return (uint64_t(read32(p)) << 32) | read32(p + 4); }

inline void write16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void write24(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 16);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v);
}
inline void write32(uint8_t* p, uint32_t v) {
  write16(p, uint16_t(v >> 16));
  write16(p + 2, uint16_t(v));
}
inline void write64(uint8_t* p, uint64_t v) {
  write32(p, uint32_t(v >> 32));
  write32(p + 4, uint32_t(v));
}

}  // namespace onair::rtc::rtp
