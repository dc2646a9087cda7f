#pragma once
// Decodes what a server sends (unmasked WebSocket frames) as a client would, for tests that look
// at the bytes a connection or a FrameSink received.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "net/WsCodec.hpp"

namespace onair::net::test {

struct Decoded {
  WsOpcode opcode;
  std::string payload;
  bool operator==(const Decoded&) const = default;
};

// Decodes server frames as the client would: each frame is given a zero mask key (masking with
// it leaves the payload as is) and goes through WsCodec. Fails the test on anything but whole,
// valid data frames.
inline std::vector<Decoded> decodeServerFrames(const std::string& bytes) {
  std::string masked;
  size_t pos = 0;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < 2) {
      ADD_FAILURE() << "a frame header is cut off";
      return {};
    }
    const uint8_t b1 = static_cast<uint8_t>(bytes[pos + 1]);
    EXPECT_EQ(b1 & 0x80, 0) << "server frames are unmasked";
    size_t header = 2, length = b1 & 0x7f;
    if (length >= 126) {
      const size_t extra = length == 126 ? 2 : 8;
      if (bytes.size() - pos < 2 + extra) {
        ADD_FAILURE() << "an extended length is cut off";
        return {};
      }
      length = 0;
      for (size_t i = 0; i < extra; ++i) length = (length << 8) | static_cast<uint8_t>(bytes[pos + 2 + i]);
      header += extra;
    }
    if (bytes.size() - pos - header < length) {
      ADD_FAILURE() << "a frame's payload is cut off";
      return {};
    }
    masked += bytes[pos];
    masked += static_cast<char>(bytes[pos + 1] | 0x80);
    masked.append(bytes, pos + 2, header - 2);
    masked.append(4, '\0');
    masked.append(bytes, pos + header, length);
    pos += header + length;
  }
  std::vector<Decoded> out;
  WsCodec codec(WsLimits{});
  std::span<uint8_t> input(reinterpret_cast<uint8_t*>(masked.data()), masked.size());
  while (!input.empty()) {
    WsEvent event = codec.decode(input);
    if (event.kind != WsEvent::Kind::Message) {
      ADD_FAILURE() << "not a whole data frame (event kind " << static_cast<int>(event.kind) << ")";
      return out;
    }
    out.push_back({event.opcode, std::string(event.payload)});
    input = input.subspan(event.consumed);
  }
  return out;
}

}  // namespace onair::net::test
