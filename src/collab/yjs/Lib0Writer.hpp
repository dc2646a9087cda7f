#pragma once
// The writer for lib0's binary encoding (see Lib0Reader.hpp for the formats). Always writes the
// shortest var uint; appends to a growing byte buffer.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace onair::collab::yjs {

class Lib0Writer {
 public:
  void writeUint8(uint8_t value) { bytes_.push_back(value); }
  void writeVarUint(uint64_t value);
  void writeVarInt(uint64_t magnitude, bool negative);
  void writeVarString(std::string_view utf8);
  void writeVarUint8Array(std::span<const uint8_t> bytes);
  // Bytes already in lib0 encoding (an `any` value kept as read).
  void writeRaw(std::string_view bytes);
  void writeRaw(std::span<const uint8_t> bytes);

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace onair::collab::yjs
