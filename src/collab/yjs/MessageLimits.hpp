#pragma once
// Bounds on what a (possibly hostile) y-websocket or Hocuspocus frame may make onair hold. The
// frame decoders check the frame's size first and every count against the bytes that remain, so
// nothing is allocated for a claimed length; the update or state vector a sync message carries is
// decoded later under UpdateLimits. Callers facing clients should pass limits from config.
#include <cstddef>

namespace onair::collab::yjs {

struct MessageLimits {
  size_t maxMessageBytes = 16 * 1024 * 1024;  // one frame, payload included
  size_t maxDocumentNameBytes = 1024;         // a Hocuspocus frame's document name
  size_t maxAwarenessEntries = 10'000;        // clients in one awareness update
  size_t maxAwarenessStateBytes = 64 * 1024;  // one client's awareness state (JSON text)
  // The states one document keeps together (what a joining client is handed); a state past it is
  // relayed but not kept, as past maxAwarenessEntries.
  size_t maxDocumentAwarenessBytes = 4 * 1024 * 1024;
  size_t maxJsonDepth = 32;                   // nesting of arrays/objects in an awareness state
};

}  // namespace onair::collab::yjs
