#pragma once
// What travels on a Redis broker channel: either a frame published with Broker::publish() (opaque
// bytes) or a stored message announced by a History append (built by RedisHistory's Lua script
// with string concatenation, so the layout is plain length-prefixed text).
//
//   frame:   +-----+---------------------------------------------+
//            | 'F' | payload bytes (the rest, binary-safe)       |
//            +-----+---------------------------------------------+
//
//   stored:  +-----+--------+-------+-------------+-----------+------+----------+
//            | 'S' | offset | epoch | timestampMs | publisher | type | dataJson |
//            +-----+--------+-------+-------------+-----------+------+----------+
//            each field: <length in ASCII decimal, 1..10 digits> ':' <length bytes>
//            offset: decimal digits, >= 1; timestampMs: decimal digits; epoch: non-empty;
//            nothing may follow dataJson.
//
//   e.g.  S1:76:abcdef13:17649360000006:user-14:chat7:{"n":1}
//
// Contract: pure. decode() never throws, refuses input longer than kMaxBytes, and either returns
// an envelope or an error text; encode(decode(x)) == x for every accepted x.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "engine/StreamMessage.hpp"

namespace onair::engine::redis {

struct BrokerEnvelope {
  static constexpr size_t kMaxBytes = 64 * 1024 * 1024;
  enum class Kind { Frame, Stored };

  Kind kind = Kind::Frame;
  std::string frame;      // Kind::Frame: the published bytes
  StreamMessage message;  // Kind::Stored
  std::string epoch;      // Kind::Stored

  static std::string encodeFrame(std::string_view payload);
  static std::string encodeStored(const StreamMessage& message, std::string_view epoch);
  std::string encode() const;

  // The envelope or an error text.
  static std::variant<BrokerEnvelope, std::string> decode(std::string_view bytes);
};

}  // namespace onair::engine::redis
