#pragma once
// How one connection carries a Yjs document's messages. Every framing wraps the same y-websocket
// message (yjs/SyncMessage.hpp: sync, awareness, auth, query-awareness) in a WebSocket binary
// frame, with a prefix naming the document where a socket carries several:
//
//   YWebsocket  | message                                   (one document per socket)
//   Hocuspocus  | var string document | message             (Hocuspocus types 0..3 are the same)
//   Onair       | BinaryFrame header, target "yjs:<doc>" | message   (an onair client connection)
//
// A document's frames fan out once per framing that has subscribers: the hub topic of a framing
// (topicOf) is a short prefix and the document name, so every framing's topic has the document's
// owner shard.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/SharedFrame.hpp"

namespace onair::collab {

enum class Framing : uint8_t { YWebsocket = 0, Hocuspocus = 1, Onair = 2 };
inline constexpr Framing kFramings[] = {Framing::YWebsocket, Framing::Hocuspocus, Framing::Onair};

// The hub topic of `document`'s frames in `framing`.
std::string topicOf(Framing framing, std::string_view document);
// The WebSocket payload carrying `message` for `document` in `framing`.
std::string wrapMessage(Framing framing, std::string_view document, std::span<const uint8_t> message);
// The encoded binary WebSocket frame of wrapMessage(), shareable by every subscriber.
net::SharedFrame frameOf(Framing framing, std::string_view document, std::span<const uint8_t> message);
// The encoded frames of several messages for `document`, back to back in one shared buffer (a
// batch of updates leaves in one write per connection).
net::SharedFrame framesOf(Framing framing, std::string_view document, std::span<const std::vector<uint8_t>> messages);
// The BinaryFrame target of a document on an onair connection ("yjs:<doc>").
std::string onairTarget(std::string_view document);
// An encoded binary WebSocket frame carrying `payload` as it is (a whole Hocuspocus frame, say).
net::SharedFrame binaryFrame(std::span<const uint8_t> payload);

// The same bytes seen as text (WebSocket payloads) or as bytes (the Yjs codecs).
inline std::string_view textOf(std::span<const uint8_t> bytes) { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
inline std::span<const uint8_t> bytesOf(std::string_view text) { return {reinterpret_cast<const uint8_t*>(text.data()), text.size()}; }

}  // namespace onair::collab
