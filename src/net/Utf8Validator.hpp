#pragma once
// Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF), so a text
// message split over fragments fails as soon as its invalid prefix arrives (RFC 6455 §8.1).
#include <cstdint>
#include <string_view>

namespace onair::net {

class Utf8Validator {
 public:
  // Feeds more bytes; returns false once the bytes seen so far cannot start valid UTF-8 (sticky).
  bool feed(std::string_view bytes);
  // True when everything fed is valid and no multi-byte sequence is left open.
  bool complete() const { return !failed_ && need_ == 0; }
  void reset() { *this = Utf8Validator{}; }

  static bool isValid(std::string_view bytes);

 private:
  uint8_t need_ = 0;
  uint8_t lower_ = 0x80;
  uint8_t upper_ = 0xBF;
  bool failed_ = false;
};

}  // namespace onair::net
