#pragma once
// How the Yjs document service keeps documents (the [collab] settings, app/Config.hpp).
#include <chrono>
#include <cstdint>

#include "collab/yjs/DocumentLimits.hpp"
#include "collab/yjs/MessageLimits.hpp"

namespace onair::collab {

struct DocumentOptions {
  yjs::DocumentLimits limits;    // one document, and each client update (collab.max_document_bytes …)
  yjs::MessageLimits messages;   // one y-websocket / Hocuspocus frame
  // A document with no connection on this node for this long is saved and leaves memory
  // (collab.document_idle_ms); the next open loads it again.
  std::chrono::milliseconds idleEviction{30000};
  // An awareness entry not renewed for this long is removed (y-protocols renews every 15 s).
  std::chrono::milliseconds awarenessTimeout{30000};
  // A changed document is saved (compacted into one snapshot) this long after its first unsaved
  // change at the latest (collab.save_interval_ms), sooner once limits.compactAfterUpdates wait.
  std::chrono::milliseconds saveInterval{2000};
  // An update to a quiet document (nothing appended within this window, and fewer than ~1.5
  // updates per window over the last second) is stored and sent at once; others wait, at most this long, and go together as one stream entry and one write per
  // connection, their acknowledgements with it (collab.batch_window_ms). Zero: each at once.
  std::chrono::milliseconds batchWindow{0};
  // Updates kept in the document's stream at most; entries a saved snapshot covers are trimmed.
  uint32_t historyRetention = 10000;
  // Updates are refused (try again) while this many stream entries, or this many bytes of them,
  // wait for a snapshot: retention never drops one, and a document's stream stays bounded in bytes
  // (a writer resending a large update that adds nothing grows the stream, not the document).
  uint32_t maxUnsavedUpdates = 5000;
  size_t maxUnsavedBytes = 64 * 1024 * 1024;
};

}  // namespace onair::collab
