#pragma once
// RFC 6455 frame codec, server side. Pure: bytes in, events or a close code out; no I/O.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-------+-+-------------+-------------------------------+
// |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
// |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
// |N|V|V|V|       |S|             |   (if payload len==126/127)   |
// | |1|2|3|       |K|             |                               |
// +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
// |     Extended payload length continued, if payload len == 127  |
// + - - - - - - - - - - - - - - - +-------------------------------+
// |                               |Masking-key, if MASK set to 1  |
// +-------------------------------+-------------------------------+
// | Masking-key (continued)       |          Payload Data         |
// +-------------------------------- - - - - - - - - - - - - - - - +
//
// onair owns this path (rather than Beast's websocket stream) so that a fan-out frame is encoded
// once and shared by every subscriber, and so that an idle connection holds no read buffer.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "net/Utf8Validator.hpp"

namespace onair::net {

enum class WsOpcode : uint8_t { Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 };

namespace wsclose {
inline constexpr uint16_t Normal = 1000;
inline constexpr uint16_t GoingAway = 1001;
inline constexpr uint16_t ProtocolError = 1002;
inline constexpr uint16_t NoStatus = 1005;
inline constexpr uint16_t InvalidPayload = 1007;
inline constexpr uint16_t PolicyViolation = 1008;
inline constexpr uint16_t TooBig = 1009;
inline constexpr uint16_t InternalError = 1011;
inline constexpr uint16_t ConnectTimeout = 4001;
inline constexpr uint16_t Unauthenticated = 4003;
inline constexpr uint16_t SlowConsumer = 4008;
inline constexpr uint16_t TokenExpired = 4011;
}  // namespace wsclose

struct WsLimits {
  size_t maxFrameBytes = 1 << 20;
  size_t maxMessageBytes = 1 << 20;
};

struct WsEvent {
  enum class Kind { NeedMore, Message, Ping, Pong, Close, Error };
  Kind kind = Kind::NeedMore;
  WsOpcode opcode = WsOpcode::Text;  // Message: Text or Binary
  std::string_view payload;          // Message/Ping/Pong payload; Close: the reason
  uint16_t closeCode = 0;            // Close: the peer's code (1005 if none); Error: ours to send
  size_t consumed = 0;               // bytes of the input this call used
};

class WsCodec {
 public:
  explicit WsCodec(WsLimits limits) : limits_(limits) {}

  // Decodes the next event from client frames at the start of `input`, unmasking in place.
  // NeedMore: keep the unconsumed bytes and call again with more appended. The payload of an
  // event stays valid until the next call or until the input bytes are discarded. After Error
  // every call returns the same Error.
  WsEvent decode(std::span<uint8_t> input);

  bool midMessage() const { return fragmenting_; }
  // New limits for the frames that follow (a message being assembled keeps what it has and is
  // checked against the new limits as it grows). WsConnection lifts the small pre-connect
  // limits this way once the session has authenticated.
  void setLimits(WsLimits limits) { limits_ = limits; }
  const WsLimits& limits() const { return limits_; }

  // Server frames are unmasked. `fin` false starts or continues a fragmented message.
  static std::string encodeFrame(WsOpcode opcode, std::string_view payload, bool fin = true);
  // The same frame appended to `out` (a buffer whose capacity is reused).
  static void appendFrame(std::string& out, WsOpcode opcode, std::string_view payload, bool fin = true);
  static std::string encodeClose(uint16_t code, std::string_view reason = {});
  // A close frame's payload: the code (big-endian) and at most 123 bytes of reason.
  static std::string closePayload(uint16_t code, std::string_view reason = {});
  static bool isValidCloseCode(uint16_t code);

 private:
  WsEvent fail(uint16_t code);
  WsEvent onDataFrame(WsOpcode opcode, bool fin, std::string_view payload, size_t consumed, bool& done);
  static WsEvent parseClose(std::string_view payload, size_t consumed);

  WsLimits limits_;
  std::string message_;  // the fragmented message being assembled
  Utf8Validator utf8_;
  WsOpcode messageOpcode_ = WsOpcode::Text;
  bool fragmenting_ = false;
  bool releaseMessage_ = false;
  uint16_t failedWith_ = 0;
};

}  // namespace onair::net
