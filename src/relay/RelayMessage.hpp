#pragma once
// One message between two nodes' signal relays (relay/SignalRelay), carried by the Broker on the
// receiving node's topic "relay:<node id>".
//
//   +------+------+---------------+------+----------------+------+----------+--------------+
//   | 'R'  | kind | from node id  | 0x00 | session id     | 0x00 | code (2) | body …       |
//   +------+------+---------------+------+----------------+------+----------+--------------+
//   kind: 'O' open (body: the client's token), 'Q' request (body: the request's text as the client
//   sent it), 'T' refresh (body: the new token), 'C' the client's connection closed; and back:
//   'F' frames (body: encoded WebSocket frames for the client), 'X' the session closed itself
//   (body: the reason). `code` (big-endian) is a WebSocket close code for 'C' and 'X', 0 otherwise.
//   Server-API requests: 'H' a request (the session id field is the request's id; body: an
//   HttpEnvelope), 'h' its response (body: an HttpEnvelope). 'A' alive: the client's node still
//   has these connections relayed here (session id field "*"; body: the ids, one per line).
//   'V' vouch: a live webrtc slot on the client's node lets the session into a stream room (body:
//   the room id, then a line feed and the broadcast's publishing user; the room id alone
//   withdraws it).
//   'M' the same frames for several sessions (session id field "*"; body: the ids, each followed
//   by a line feed, then 0x00, then the frames): a fan-out event crosses once per client node.
//
// Pure and bounded: ids of 1..kMaxIdBytes bytes without 0x00, a body of at most kMaxBodyBytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onair::relay {

struct RelayMessage {
  enum class Kind : char {
    Open = 'O', Request = 'Q', Refresh = 'T', Close = 'C', Frames = 'F', Closed = 'X', HttpRequest = 'H', HttpResponse = 'h',
    Alive = 'A', SharedFrames = 'M', Vouch = 'V'
  };
  static constexpr size_t kMaxIdBytes = 128;
  static constexpr size_t kMaxBodyBytes = 64 * 1024 * 1024;

  Kind kind = Kind::Request;
  std::string fromNode;
  std::string sessionId;
  uint16_t code = 0;
  std::string body;

  std::string encode() const;
  // nullopt with the reason in `why` when `bytes` is no relay message.
  static std::optional<RelayMessage> decode(std::string_view bytes, std::string& why);
};

}  // namespace onair::relay
