#pragma once
// History page cursors: opaque to clients, base64url of "<direction><offset>:<epoch>".
// decode() is a parser of client input: pure, bounded, fuzzed (fuzz/EnvelopeFuzz.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onair::rooms {

struct Cursor {
  uint64_t offset = 0;  // the next offset to read (inclusive)
  bool forward = false;
  std::string epoch;

  std::string encode() const;
  static std::optional<Cursor> decode(std::string_view text);
};

}  // namespace onair::rooms
