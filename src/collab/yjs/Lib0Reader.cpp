#include "collab/yjs/Lib0Reader.hpp"

#include "collab/yjs/UpdateLimits.hpp"
#include "net/Utf8Validator.hpp"

namespace onair::collab::yjs {

bool isWellFormedUtf8(std::string_view bytes) { return net::Utf8Validator::isValid(bytes); }

uint64_t utf16Length(std::string_view utf8) {
  uint64_t units = 0;
  for (const char c : utf8) {
    const auto byte = static_cast<uint8_t>(c);
    if ((byte & 0xC0) != 0x80) ++units;  // a lead byte starts a code point
    if (byte >= 0xF0) ++units;           // four-byte code points are surrogate pairs in UTF-16
  }
  return units;
}

bool Lib0Reader::fail(YjsError error) {
  if (error_ == YjsError::None) error_ = error;
  pos_ = bytes_.size();
  return false;
}

bool Lib0Reader::take(size_t count, std::span<const uint8_t>& out) {
  if (error_ != YjsError::None) return false;
  if (count > remaining()) return fail(YjsError::Truncated);
  out = bytes_.subspan(pos_, count);
  pos_ += count;
  return true;
}

bool Lib0Reader::readUint8(uint8_t& out) {
  std::span<const uint8_t> one;
  if (!take(1, one)) return false;
  out = one[0];
  return true;
}

bool Lib0Reader::readVarUint(uint64_t& out) {
  uint64_t value = 0;
  // lib0 accepts redundant zero groups; onair stops after 10 bytes (70 bits) of them.
  for (unsigned shift = 0;; shift += 7) {
    uint8_t byte = 0;
    if (!readUint8(byte)) return false;
    const uint64_t group = byte & 0x7F;
    if (shift >= 56 && group != 0) return fail(YjsError::IntegerTooLarge);
    if (shift < 56) value |= group << shift;
    if (value > kMaxSafeInteger) return fail(YjsError::IntegerTooLarge);
    if ((byte & 0x80) == 0) break;
    if (shift >= 63) return fail(YjsError::IntegerTooLarge);
  }
  out = value;
  return true;
}

bool Lib0Reader::readVarInt(uint64_t& magnitude, bool& negative) {
  uint8_t first = 0;
  if (!readUint8(first)) return false;
  negative = (first & 0x40) != 0;
  magnitude = first & 0x3F;
  if ((first & 0x80) == 0) return true;
  uint64_t rest = 0;
  // The continuation is a var uint shifted by 6 bits.
  if (!readVarUint(rest)) return false;
  if (rest > (kMaxSafeInteger >> 6)) return fail(YjsError::IntegerTooLarge);
  magnitude |= rest << 6;
  return true;
}

bool Lib0Reader::readVarUint8Array(std::span<const uint8_t>& out) {
  uint64_t length = 0;
  if (!readVarUint(length)) return false;
  if (length > remaining()) return fail(YjsError::Truncated);
  return take(static_cast<size_t>(length), out);
}

bool Lib0Reader::readVarString(std::string_view& out) {
  std::span<const uint8_t> bytes;
  if (!readVarUint8Array(bytes)) return false;
  out = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!isWellFormedUtf8(out)) return fail(YjsError::BadUtf8);
  return true;
}

bool Lib0Reader::readAnyBytes(std::string_view& out) {
  const size_t start = pos_;
  if (!skipAny(0)) return false;
  out = std::string_view(reinterpret_cast<const char*>(bytes_.data() + start), pos_ - start);
  return true;
}

bool Lib0Reader::skipAny(size_t depth) {
  if (depth > maxAnyDepth_) return fail(YjsError::TooDeep);
  uint8_t tag = 0;
  if (!readUint8(tag)) return false;
  std::span<const uint8_t> skipped;
  std::string_view text;
  uint64_t count = 0;
  switch (tag) {
    case 127: case 126: case 121: case 120: return true;  // undefined, null, false, true
    case 125: {
      uint64_t magnitude = 0;
      bool negative = false;
      return readVarInt(magnitude, negative);
    }
    case 124: return take(4, skipped);  // float32
    case 123: return take(8, skipped);  // float64
    case 122: return take(8, skipped);  // bigint64
    case 119: return readVarString(text);
    case 116: return readVarUint8Array(skipped);
    case 118:  // object: each entry takes at least two bytes
      if (!readVarUint(count)) return false;
      if (count > remaining() / 2) return fail(YjsError::Truncated);
      for (uint64_t i = 0; i < count; ++i) {
        if (!readVarString(text) || !skipAny(depth + 1)) return false;
      }
      return true;
    case 117:  // array: each element takes at least one byte
      if (!readVarUint(count)) return false;
      if (count > remaining()) return fail(YjsError::Truncated);
      for (uint64_t i = 0; i < count; ++i) {
        if (!skipAny(depth + 1)) return false;
      }
      return true;
    default: return fail(YjsError::UnknownAnyTag);
  }
}

}  // namespace onair::collab::yjs
