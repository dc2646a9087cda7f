#pragma once
// Yjs documents on the server (DESIGN.md §7a). Each document is held by its owner shard (the hash
// of its name) as a yjs::DocumentState — the stored updates, merged lazily, no Y.Doc — with the
// awareness entries of its clients. Peers (a y-websocket socket, a document on a Hocuspocus
// socket, a crdt room on an onair connection) live on their connection's shard and reach the
// owner through this service; every callback comes back on the peer's shard.
//
// Storage (engine): an accepted update is appended to the History stream "yjs:<name>" with
// announce, and applied when announced (this node's and other nodes' alike, in offset order), then
// fanned out once per framing with subscribers (Framing.hpp). A snapshot — the merged document and
// the offset it covers — lives in the Registry record "yjs:<name>", rewritten compare-and-set after
// a compaction; loading reads the snapshot, then the stream after it. Once a snapshot is saved,
// the stream entries it covers are trimmed, so a document's stream holds only what waits for the
// next snapshot: updates are refused (Busy) while options.maxUnsavedUpdates entries or
// options.maxUnsavedBytes of them wait (retention, options.historyRetention entries, never drops
// one). A node that finds the entries it lacks trimmed (it was behind: a missed announcement, a
// load racing a save) loads the snapshot that covers them, merges it, sends its peers the
// difference and reads on from there.
//
// Contract:
// - open(): once `done` succeeds, every update applied afterwards reaches `sink` in the peer's
//   framing, and the state vector handed over covers everything applied before; so a peer that
//   answers with a sync step 1 and applies what follows misses nothing.
// - update(): `done(Stored)` once the update is durable; it reaches every open peer of every node.
//   On the owner's own shard `done(Stored)` may run inside the service's processing (so that it
//   leaves with the fan-out): it must not call back into the service synchronously.
// - Batching (options.batchWindow): an update to a quiet document (nothing appended within the
//   window, and fewer than ~1.5 updates per window lately) is appended at once; otherwise it
//   starts or joins the document's batch, which is appended at most one window after its first
//   update (between ¾ and 1 window: the shard's batch timer ticks at most every quarter window and
//   appends every batch due before the next tick in one loop turn, usually one SQLite
//   transaction) as one stream entry, fanned out as one buffer of frames per framing (one write
//   per connection). Senders get `done(Stored)` when the entry is announced here, just before
//   that fan-out (the same write for peers on the owner's shard), or when the append completes,
//   whichever is first. An update not yet appended is not acknowledged, and a stop loses only
//   such updates.
// - diff(): the answer covers every update this node took before it (held ones are appended
//   first, and the answer waits until this node's appends begun before it are applied).
//   diffLatest() also covers every update any node stored before it was called.
// - Awareness of this node's peers (states and removals) relayed while the document has a batch
//   forming, or an entry of this node's not yet applied here, goes out after those updates (in
//   the batch's write; at once if the append fails, and from the tick if its announcement never
//   comes), in the order it came; otherwise at once, as is other nodes' awareness. A state goes
//   to the other nodes at the same moment, so there too it follows the updates it may point into
//   (their announcements went first, on the same channel); a removal goes to them at once. The
//   state is kept at once either way.
// - Awareness is ephemeral: an entry goes when the connection that set it closes (close() lists
//   its client ids) or after options.awarenessTimeout without renewal, and peers are told (a null
//   state at clock + 1).
// - Nodes with peers of a document save it; a document without peers on this node for
//   options.idleEviction leaves memory (what it holds is in the stream and the record).
// - Awareness keeps at most options.messages.maxAwarenessEntries entries per document.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "collab/DocumentOptions.hpp"
#include "collab/Framing.hpp"
#include "collab/yjs/AwarenessUpdate.hpp"
#include "engine/Engine.hpp"
#include "hub/ShardPool.hpp"
#include "net/WsCodec.hpp"

namespace onair::collab {

class DocumentService {
 public:
  // Invalid: malformed; TooLarge: the document would pass limits.maxDocumentBytes; Busy: too many
  // updates wait for a save; Unavailable: the store failed.
  enum class UpdateResult : uint8_t { Stored, Invalid, TooLarge, Busy, Unavailable };
  struct Synced {
    std::vector<uint8_t> update;       // what the peer lacks (sync step 2)
    std::vector<uint8_t> stateVector;  // the document's, encoded (for a sync step 1 of the server's)
  };
  struct Opened {
    std::vector<uint8_t> stateVector;  // encoded, for the server's sync step 1
    std::vector<uint8_t> awareness;    // every awareness state, encoded; empty when there is none
  };

  DocumentService(hub::ShardPool& pool, engine::Engine& engine, DocumentOptions options);
  ~DocumentService();

  const DocumentOptions& options() const { return options_; }
  // What a Yjs socket may receive once authenticated: a whole frame of collab.max_update_bytes
  // (and its framing), where the onair connection's ws.max_message_bytes is larger.
  net::WsLimits socketLimits(const net::WsLimits& base) const {
    const size_t collab = options_.messages.maxMessageBytes;
    return {std::max(base.maxFrameBytes, collab), std::max(base.maxMessageBytes, collab)};
  }

  // Called on `shard`. `alive` expires when the peer is gone: a late completion then undoes itself.
  void open(size_t shard, std::string name, Framing framing, net::FrameSink* sink, std::weak_ptr<void> alive,
            std::function<void(engine::Outcome<Opened>)> done);
  // Ends what open() began before it completed: the hub subscription (the completion, if it still
  // comes, finds the peer gone or closed and undoes the rest).
  void leave(size_t shard, const std::string& name, Framing framing, net::FrameSink* sink);
  // Ends an open() that succeeded; `awarenessClients` are the client ids the peer's awareness set.
  void close(size_t shard, const std::string& name, Framing framing, net::FrameSink* sink, std::vector<uint64_t> awarenessClients);
  // A peer's sync step 1: what a peer at `stateVector` (encoded) lacks, as one update.
  void diff(size_t shard, const std::string& name, std::vector<uint8_t> stateVector,
            std::function<void(engine::Outcome<Synced>)> done);
  // diff(), covering every update stored before the call on any node (the server API's read): on
  // a multi-node engine the answer also waits for a read of the stream begun after the call.
  void diffLatest(size_t shard, const std::string& name, std::vector<uint8_t> stateVector,
                  std::function<void(engine::Outcome<Synced>)> done);
  // A client update (sync step 2 or update), checked here on `shard` before it goes anywhere.
  void update(size_t shard, const std::string& name, std::vector<uint8_t> update, std::function<void(UpdateResult)> done);
  // Whether the document already holds every struct of `update` (a read-only client's step 2 that
  // adds nothing is acknowledged as applied, as @hocuspocus/server does; deletions are not compared).
  void contains(size_t shard, const std::string& name, std::vector<uint8_t> update, std::function<void(bool)> done);
  // An awareness update the peer decoded (and so checked): kept and relayed byte for byte.
  void awareness(size_t shard, const std::string& name, std::vector<uint8_t> encoded, yjs::AwarenessUpdate decoded);
  // Every awareness state of the document, encoded (empty when there is none).
  void queryAwareness(size_t shard, const std::string& name, std::function<void(std::vector<uint8_t>)> done);
  // A Hocuspocus stateless payload for every Hocuspocus connection of the document, on any node.
  void broadcastStateless(const std::string& name, std::string payload);

  // Documents in memory on this node (metrics, tests).
  size_t documentCount() const;
  // Prometheus text: documents in memory, updates applied / refused, snapshots saved.
  std::string metricsText() const;

 private:
  struct Document;
  struct Shard;
  struct WaitingAwareness;
  using Clock = std::chrono::steady_clock;

  static std::string streamOf(const std::string& name) { return "yjs:" + name; }
  size_t ownerOf(const std::string& name) const;
  Document* find(size_t owner, const std::string& name);
  // Runs `fn` on the owner once the document is loaded, or `fail` if it cannot be.
  void withDocument(size_t owner, const std::string& name, std::function<void(Document&)> fn,
                    std::function<void(const engine::EngineError&)> fail);
  void load(size_t owner, const std::string& name);
  void readStream(size_t owner, const std::string& name, uint64_t generation, uint64_t from);
  void readFailed(size_t owner, const std::string& name, Document& doc, const engine::EngineError& error, uint64_t serial);
  // The stream no longer holds offsets doc.through + 1 .. oldest - 1: merge the snapshot that
  // covers them (or, if none does, skip them with an error logged), then read on.
  void reloadSnapshot(size_t owner, const std::string& name, uint64_t generation, uint64_t oldest, uint64_t serial);
  // Takes the snapshot in `record` in the document's place if it covers more; false if it is
  // damaged or does not decode (nothing changed).
  bool mergeSnapshot(const std::string& name, Document& doc, const engine::Record& record);
  void finishLoad(size_t owner, const std::string& name, Document& doc);
  void failLoad(size_t owner, const std::string& name, const engine::EngineError& error);
  void onStored(size_t owner, const std::string& name, const engine::StreamMessage& message, const std::string& epoch);
  void applyStored(size_t owner, const std::string& name, Document& doc, const engine::StreamMessage& message);
  void catchUp(size_t owner, const std::string& name, Document& doc);
  // catchUp(), or a further read by the one under way (which may have begun before what is wanted).
  void readAgain(size_t owner, const std::string& name, Document& doc);
  void failReads(Document& doc, const engine::EngineError& error, uint64_t serial);
  // diff() from the owner; with readFirst, also after a read of the stream begun after this call.
  void answerDiff(size_t owner, size_t shard, const std::string& name, std::vector<uint8_t> stateVector,
                  std::function<void(engine::Outcome<Synced>)> done, bool readFirst);
  void fanOut(const std::string& name, std::span<const uint8_t> message, bool hocuspocusOnly = false);
  // The updates, then `after` (encoded messages), in one buffer of frames per framing.
  void fanOutUpdates(const std::string& name, std::span<const std::vector<uint8_t>> updates,
                     std::span<const std::vector<uint8_t>> after = {});
  // Batching: `update` appended now or held until its document's batch is due.
  bool fits(const Document& doc, size_t bytes, size_t structs) const;
  void admit(size_t owner, const std::string& name, Document& doc, std::vector<uint8_t> update, size_t structs,
             std::function<void(UpdateResult)> reply);
  void settleUnapplied(Document& doc, const std::string& publisher);
  void settleAppended(Document& doc, const std::string& publisher, uint64_t offset);
  void settleApplied(Document& doc);
  void appendEntry(size_t owner, const std::string& name, Document& doc, std::vector<std::vector<uint8_t>> updates, size_t structs,
                   std::vector<std::function<void(UpdateResult)>> replies, WaitingAwareness awareness);
  WaitingAwareness* awarenessWaitingFor(Document& doc);
  // `forNodes` (the encoded awareness update, or empty) goes to the other nodes when `message`
  // goes to this node's peers: after the updates it waits behind are stored and announced.
  void relayAwareness(const std::string& name, Document& doc, std::vector<uint8_t> message, std::vector<uint8_t> forNodes = {});
  void sendAwareness(const std::string& name, const WaitingAwareness& awareness);
  void awaitApplied(const std::string& name, Document& doc, const std::string& publisher, uint64_t offset);
  void releaseApplied(const std::string& name, Document& doc, bool all);
  WaitingAwareness takeAwareness(Document& doc, const std::string& publisher);
  void acknowledge(Document& doc, const std::string& publisher);
  void completeAppend(size_t owner, const std::string& name, Document& doc, bool stored, uint64_t offset);
  void answerSyncs(Document& doc);
  Clock::duration batchTick() const;
  void armBatches(size_t owner, Clock::time_point earliest = {});
  void flushBatches(size_t owner);
  void flushHeld(size_t owner, const std::string& name, Document& doc);
  void applyAwareness(const std::string& name, Document& doc, std::span<const uint8_t> encoded,
                      const yjs::AwarenessUpdate& decoded, bool local);
  void removeAwareness(const std::string& name, Document& doc, const std::vector<uint64_t>& clients, bool local);
  void onBroker(const std::string& topic, const engine::Broker::Payload& payload);
  void publishToNodes(const std::string& name, char kind, std::span<const uint8_t> body);
  // A copy of `encoded` for the other nodes; empty on a single-node engine (nothing to send).
  std::vector<uint8_t> bodyForNodes(std::span<const uint8_t> encoded) const;
  void tick(size_t owner);
  void armTick(size_t owner);
  void save(size_t owner, const std::string& name, Document& doc);
  void saved(const std::string& name, Document& doc, uint64_t through, const std::string& epoch);
  bool unsavedOver(const Document& doc, size_t adding) const;
  void evict(size_t owner, const std::string& name);

  hub::ShardPool& pool_;
  engine::Engine& engine_;
  DocumentOptions options_;
  const bool multiNode_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> applied_{0};   // updates applied to documents in memory (all nodes' updates)
  std::atomic<uint64_t> refused_{0};   // client updates refused: malformed, busy or not stored
  std::atomic<uint64_t> saved_{0};     // snapshots written
  std::atomic<uint64_t> caughtUp_{0};  // snapshots taken in place of trimmed entries
  std::atomic<uint64_t> lost_{0};      // entries skipped: trimmed, no snapshot covering them
};

}  // namespace onair::collab
