#pragma once
// History: the durable, ordered log of each stream (DESIGN.md §4).
//
// Contract:
// - append assigns the next offset of the stream (1 for the first message of an epoch) and
//   completes only once the message is durable (survives a crash of the process). Appends to one
//   stream complete in offset order.
// - A stream comes into being with a fresh random epoch on first use (append or read) and keeps
//   it across restarts until remove(); after remove the next use starts a new epoch at offset 1.
// - Idempotency keys belong to (stream, publisher): publishers never see each other's keys (the
//   server API's publisher "" is one publisher of its own). An append whose publisher used its
//   key on the stream within the retention's idempotency window stores nothing and returns the
//   original offset and timestamp with duplicate = true; if its type or data differ from the
//   original's it also has conflict = true (a key reused for another message, not a retry).
// - Retention keeps at most maxMessages per stream and drops messages older than ttlSeconds.
// - trim drops the messages at or before an offset of the stream's current epoch, when a caller
//   has them elsewhere (collab: a saved snapshot covers them). The head, the epoch and the
//   idempotency keys stay: the next append still takes head + 1, and reads report the new oldest.
//   A trim naming another epoch (the stream was removed and started over since) drops nothing.
// - announce: a stored message (not a duplicate) is also handed to the Broker's stored handler of
//   every node subscribed to the topic named like the stream, in offset order, atomically with
//   the append (stored iff announced). The embedded engine announces before the append completes;
//   the Redis engine announces from inside the append's script, so the appending node may hear of
//   it before or after the completion.
// - Completions run on the engine's own thread: callers post back to their shard.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/EngineError.hpp"
#include "engine/StreamMessage.hpp"

namespace onair::engine {

struct Retention {
  uint32_t maxMessages = 100;
  int64_t ttlSeconds = 86400;
  int64_t idempotencySeconds = 86400;
};

struct AppendRequest {
  std::string stream;
  std::string type;
  std::string dataJson;
  std::string publisher;                     // user id; "" for the server API; a surface's own tag on its streams (collab: "<node>/<serial>")
  std::optional<std::string> idempotencyKey;  // scoped to (stream, publisher)
  Retention retention;
  bool announce = false;  // see "announce" above
};

struct AppendResult {
  uint64_t offset = 0;
  std::string epoch;
  int64_t timestampMs = 0;
  bool duplicate = false;  // the key was seen: nothing stored, offset/timestamp are the original's
  bool conflict = false;   // with duplicate: the original had another type or data
};

struct ReadRequest {
  std::string stream;
  // forward: messages with offset >= from (0 = from the oldest);
  // backward: messages with offset <= from, newest first (0 = from the newest).
  uint64_t from = 0;
  bool forward = false;
  uint32_t limit = 50;
  // The read also stops once the data of the messages it returns reaches this many bytes (the
  // one that reaches it included, so at least one): a read never holds (nor asks Redis for a
  // reply of) much more than this, whatever `limit` and the messages' sizes. Callers that need
  // more read on from after the last message returned.
  size_t maxBytes = kDefaultReadBytes;
  static constexpr size_t kDefaultReadBytes = 16 * 1024 * 1024;
};

struct TrimRequest {
  std::string stream;
  std::string epoch;     // the epoch the offsets belong to
  uint64_t through = 0;  // drop messages with offset <= through
};

struct ReadResult {
  std::vector<StreamMessage> messages;
  StreamPosition head;   // the stream's newest offset and epoch when read
  uint64_t oldest = 0;   // smallest retained offset (head.offset + 1 when none is retained)
};

class History {
 public:
  virtual ~History() = default;
  virtual void append(AppendRequest request, std::function<void(Outcome<AppendResult>)> done) = 0;
  virtual void read(ReadRequest request, std::function<void(Outcome<ReadResult>)> done) = 0;
  virtual void trim(TrimRequest request, std::function<void(Outcome<Done>)> done) = 0;
  // Deletes the stream's messages, keys and epoch.
  virtual void remove(std::string stream, std::function<void(Outcome<Done>)> done) = 0;
};

}  // namespace onair::engine
