#pragma once
// A bounds-checked reader of lib0's binary encoding (the encoding every Yjs v1 message uses).
//
//   var uint   little-endian groups of 7 bits, high bit set on every byte but the last:
//              +-+-------------+   +-+-------------+
//              |1| bits 0..6   |...|0| bits 7k..   |      at most 53 significant bits
//              +-+-------------+   +-+-------------+
//   var int    first byte: continuation bit, sign bit, 6 value bits; then as var uint:
//              +-+-+-----------+   +-+-------------+
//              |C|S| bits 0..5 |...|0| bits ..     |
//              +-+-+-----------+   +-+-------------+
//   var string var uint byte length, then that many bytes of UTF-8 (lengths in bytes)
//   var uint8 array  var uint length, then the bytes
//   any        one tag byte, then: 127 undefined, 126 null, 125 var int, 124 float32 (BE),
//              123 float64 (BE), 122 bigint64 (BE), 121 false, 120 true, 119 var string,
//              118 object (var uint n, n × (var string key, any)), 117 array (var uint n, n × any),
//              116 var uint8 array
//
// Contract: every read checks the bytes that remain and returns false on failure, recording the
// first error (sticky: after a failure every read fails). Lengths are compared with the bytes left
// before anything is copied, so a claimed length never makes the reader allocate. Strings must be
// well-formed UTF-8 (yjs's TextEncoder never writes anything else). Numbers above 2^53 - 1 are
// refused like lib0 refuses them.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "collab/yjs/YjsError.hpp"

namespace onair::collab::yjs {

class Lib0Reader {
 public:
  explicit Lib0Reader(std::span<const uint8_t> bytes, size_t maxAnyDepth = 64)
      : bytes_(bytes), maxAnyDepth_(maxAnyDepth) {}

  bool readUint8(uint8_t& out);
  bool readVarUint(uint64_t& out);
  // The magnitude and sign of a var int (lib0 distinguishes -0 from 0).
  bool readVarInt(uint64_t& magnitude, bool& negative);
  // A var string; its bytes point into the input.
  bool readVarString(std::string_view& out);
  bool readVarUint8Array(std::span<const uint8_t>& out);
  // Skips one `any` value after checking it, and returns its encoded bytes (tag included).
  bool readAnyBytes(std::string_view& out);

  size_t remaining() const { return bytes_.size() - pos_; }
  bool atEnd() const { return pos_ == bytes_.size(); }
  bool fail(YjsError error);
  YjsError error() const { return error_; }

 private:
  bool take(size_t count, std::span<const uint8_t>& out);
  bool skipAny(size_t depth);

  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  size_t maxAnyDepth_;
  YjsError error_ = YjsError::None;
};

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool isWellFormedUtf8(std::string_view bytes);

// The length of well-formed UTF-8 text in UTF-16 code units, the unit yjs counts string items in.
uint64_t utf16Length(std::string_view utf8);

}  // namespace onair::collab::yjs
