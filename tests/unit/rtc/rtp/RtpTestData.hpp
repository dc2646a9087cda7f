#pragma once
// Helpers shared by the RTP/RTCP tests: bytes to hex text, and RTP packets built field by field
// (the layout of RFC 3550 §5.1 written out independently of RtpPacket).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../ice/StunTestData.hpp"

namespace onair::rtc::rtp::testdata {

// Hex text to bytes, as the STUN tests read their vectors.
using onair::rtc::ice::testdata::hex;

inline std::string toHex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xF];
  }
  return out;
}

struct RtpSpec {
  uint8_t payloadType = 96;
  bool marker = false;
  uint16_t seq = 0x1234;
  uint32_t timestamp = 0x11223344;
  uint32_t ssrc = 0xAABBCCDD;
  std::vector<uint32_t> csrcs;
  bool hasExtension = false;
  uint16_t profile = 0xBEDE;
  std::vector<uint8_t> extension;  // a multiple of 4 bytes
  std::vector<uint8_t> payload;
  uint8_t padding = 0;  // total padding bytes, the count byte included
};

inline void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(v >> shift));
}

inline std::vector<uint8_t> rtpBytes(const RtpSpec& s) {
  std::vector<uint8_t> out;
  out.push_back(uint8_t(0x80 | (s.padding ? 0x20 : 0) | (s.hasExtension ? 0x10 : 0) | s.csrcs.size()));
  out.push_back(uint8_t((s.marker ? 0x80 : 0) | s.payloadType));
  out.push_back(uint8_t(s.seq >> 8));
  out.push_back(uint8_t(s.seq));
  put32(out, s.timestamp);
  put32(out, s.ssrc);
  for (uint32_t c : s.csrcs) put32(out, c);
  if (s.hasExtension) {
    out.push_back(uint8_t(s.profile >> 8));
    out.push_back(uint8_t(s.profile));
    out.push_back(uint8_t(s.extension.size() / 4 >> 8));
    out.push_back(uint8_t(s.extension.size() / 4));
    out.insert(out.end(), s.extension.begin(), s.extension.end());
  }
  out.insert(out.end(), s.payload.begin(), s.payload.end());
  if (s.padding) {
    out.insert(out.end(), s.padding - 1, 0);
    out.push_back(s.padding);
  }
  return out;
}

}  // namespace onair::rtc::rtp::testdata
