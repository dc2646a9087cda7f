#pragma once
// A y-protocols awareness update (y-protocols/awareness.js encodeAwarenessUpdate): the
// ephemeral per-client state (cursor, user name) carried by y-websocket and Hocuspocus awareness
// messages.
//
//   var uint count
//   count × +--------------------+-------------------+-----------------------------------+
//           | var uint clientID  | var uint clock    | var string state (JSON text)      |
//           +--------------------+-------------------+-----------------------------------+
//
// A client's clock counts its state changes: receivers keep an entry only when its clock is newer
// than the one they hold. The state is JSON.stringify of the client's state; "null" means the
// client left (or cleared its state) and its entry is removed.
//
// Contract: decode() is pure and bounded: it refuses inputs over limits.maxMessageBytes, more than
// limits.maxAwarenessEntries entries, states over limits.maxAwarenessStateBytes, states that are
// not exactly one JSON value (BadJson: receivers JSON.parse them, so one bad state would break
// every peer's awareness) or nest deeper than limits.maxJsonDepth, and bytes after the last entry.
// States are kept as the client wrote them (relayed byte for byte); `removed` is whether the
// state parses to null. encode() writes the entries in order, as y-protocols does.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "collab/yjs/Expected.hpp"
#include "collab/yjs/MessageLimits.hpp"

namespace onair::collab::yjs {

struct AwarenessUpdate {
  struct Entry {
    uint64_t clientId = 0;
    uint64_t clock = 0;
    std::string state = "null";  // JSON text
    bool removed = true;         // the state is JSON null

    // The entry that tells peers `clientId` is gone (what a server sends when a connection closes).
    static Entry removal(uint64_t clientId, uint64_t clock) { return Entry{clientId, clock, "null", true}; }
    bool operator==(const Entry&) const = default;
  };

  std::vector<Entry> entries;

  static Expected<AwarenessUpdate> decode(std::span<const uint8_t> bytes, const MessageLimits& limits = {});
  std::vector<uint8_t> encode() const;
  bool operator==(const AwarenessUpdate&) const = default;
};

}  // namespace onair::collab::yjs
