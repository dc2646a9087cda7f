#pragma once
// Binary WebSocket messages: bytes for a named target (portal-relay chunks).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  version = 1  |     flags     |        target length          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |   target (target length bytes, ≤ 255) …   | payload …         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// flags: bit 0 = init (codec header), bit 1 = key (a decoder can start here); others are 0.
// parse() is pure and bounded: a parser of client bytes with a fuzz target (fuzz_binary_frame).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onair::api {

struct BinaryFrame {
  static constexpr uint8_t kVersion = 1;
  static constexpr uint8_t kInit = 1;
  static constexpr uint8_t kKey = 2;
  static constexpr size_t kMaxTarget = 255;

  uint8_t flags = 0;
  std::string_view target;
  std::string_view payload;

  // nullopt with `error` set when the bytes are not a valid frame.
  static std::optional<BinaryFrame> parse(std::string_view bytes, std::string& error);
  static std::string encode(uint8_t flags, std::string_view target, std::string_view payload);
};

}  // namespace onair::api
