#include "net/Utf8Validator.hpp"

#include <cstring>

namespace onair::net {

bool Utf8Validator::feed(std::string_view bytes) {
  if (failed_) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p < end) {
    // Fast path: eight ASCII bytes at a time while no sequence is open.
    if (need_ == 0 && end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    uint8_t b = *p++;
    if (need_ > 0) {
      if (b < lower_ || b > upper_) return failed_ = true, false;
      lower_ = 0x80;
      upper_ = 0xBF;
      --need_;
      continue;
    }
    if (b < 0x80) continue;
    if (b >= 0xC2 && b <= 0xDF) {
      need_ = 1;
    } else if (b == 0xE0) {
      need_ = 2, lower_ = 0xA0;  // no overlong 3-byte forms
    } else if (b == 0xED) {
      need_ = 2, upper_ = 0x9F;  // no UTF-16 surrogates
    } else if (b >= 0xE1 && b <= 0xEF) {
      need_ = 2;
    } else if (b == 0xF0) {
      need_ = 3, lower_ = 0x90;  // no overlong 4-byte forms
    } else if (b >= 0xF1 && b <= 0xF3) {
      need_ = 3;
    } else if (b == 0xF4) {
      need_ = 3, upper_ = 0x8F;  // nothing above U+10FFFF
    } else {
      return failed_ = true, false;
    }
  }
  return true;
}

bool Utf8Validator::isValid(std::string_view bytes) {
  Utf8Validator v;
  return v.feed(bytes) && v.complete();
}

}  // namespace onair::net
