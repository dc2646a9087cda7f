#pragma once
// One y-websocket message (y-websocket's WebsocketProvider and its server utils): one per
// WebSocket binary frame, for the one document the socket is bound to.
//
//   +----------------+----------------------------------------------------------+
//   | var uint type  | payload                                                  |
//   +----------------+----------------------------------------------------------+
//   | 0 sync         | y-protocols sync message (SyncPayload.hpp)               |
//   | 1 awareness    | var uint8 array: an awareness update (AwarenessUpdate)   |
//   | 2 auth         | var uint 0 (permission denied), var string reason        |
//   | 3 query-aw.    | nothing: asks for every awareness state                  |
//   +----------------+----------------------------------------------------------+
//
// Contract: decode() is pure and bounded: it refuses frames over limits.maxMessageBytes, unknown
// types (UnknownMessageType: y-websocket ignores those, and so should the caller), unknown sync
// steps and auth types, malformed UTF-8 and bytes after the message. The payload views point into
// the frame, which must outlive the message; the update, state vector or awareness update inside
// is left for its own decoder. encode() writes what y-websocket writes.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "collab/yjs/Expected.hpp"
#include "collab/yjs/MessageLimits.hpp"
#include "collab/yjs/SyncPayload.hpp"

namespace onair::collab::yjs {

struct SyncMessage {
  enum class Type : uint8_t { Sync = 0, Awareness = 1, Auth = 2, QueryAwareness = 3 };
  // y-protocols/auth.js: the only auth message there is.
  static constexpr uint64_t kPermissionDenied = 0;

  Type type = Type::Sync;
  SyncPayload sync;                    // Sync
  std::span<const uint8_t> awareness;  // Awareness: an encoded awareness update
  std::string_view reason;             // Auth: why permission was denied

  static Expected<SyncMessage> decode(std::span<const uint8_t> frame, const MessageLimits& limits = {});
  std::vector<uint8_t> encode() const;

  static SyncMessage syncStep1(std::span<const uint8_t> stateVector);
  static SyncMessage syncStep2(std::span<const uint8_t> update);
  static SyncMessage update(std::span<const uint8_t> update);
  static SyncMessage awarenessUpdate(std::span<const uint8_t> update);
  static SyncMessage queryAwareness();
  static SyncMessage permissionDenied(std::string_view reason);
};

}  // namespace onair::collab::yjs
