#include "collab/yjs/Lib0Writer.hpp"

namespace onair::collab::yjs {

void Lib0Writer::writeVarUint(uint64_t value) {
  while (value > 0x7F) {
    bytes_.push_back(static_cast<uint8_t>(0x80 | (value & 0x7F)));
    value >>= 7;
  }
  bytes_.push_back(static_cast<uint8_t>(value));
}

void Lib0Writer::writeVarInt(uint64_t magnitude, bool negative) {
  const uint8_t more = magnitude > 0x3F ? 0x80 : 0;
  bytes_.push_back(static_cast<uint8_t>(more | (negative ? 0x40 : 0) | (magnitude & 0x3F)));
  if (more != 0) writeVarUint(magnitude >> 6);
}

void Lib0Writer::writeVarString(std::string_view utf8) {
  writeVarUint(utf8.size());
  writeRaw(utf8);
}

void Lib0Writer::writeVarUint8Array(std::span<const uint8_t> bytes) {
  writeVarUint(bytes.size());
  writeRaw(bytes);
}

void Lib0Writer::writeRaw(std::string_view bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
}

void Lib0Writer::writeRaw(std::span<const uint8_t> bytes) {
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
}

}  // namespace onair::collab::yjs
