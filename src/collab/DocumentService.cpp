#include "collab/DocumentService.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <deque>
#include <unordered_map>
#include <utility>

#include "collab/DocumentSnapshot.hpp"
#include "collab/StoredUpdates.hpp"
#include "collab/yjs/DocumentState.hpp"
#include "collab/yjs/Lib0Writer.hpp"
#include "collab/yjs/SyncMessage.hpp"
#include "collab/yjs/UpdateDecoder.hpp"
#include "engine/WriteBatch.hpp"
#include "util/Base64Url.hpp"

namespace onair::collab {

namespace {

constexpr uint32_t kReadBatch = 1000;
constexpr auto kTickInterval = std::chrono::milliseconds(500);
// Held updates this large are appended at once: an entry and its frames stay small.
constexpr size_t kMaxHeldBytes = 64 * 1024;
// Awareness messages waiting for a batch past this many go out at once.
constexpr size_t kMaxHeldAwareness = 256;
// A document taking more than kBusyPerWindow updates per batch window (its rate smoothed over
// kRateSeconds) is busy: all its updates are batched, none leaves alone after a quiet window.
constexpr double kRateSeconds = 1.0;
constexpr double kBusyPerWindow = 1.5;
constexpr int64_t kKeepForever = int64_t{10} * 365 * 86400;  // retention by age: none to speak of
// Broker payloads between nodes: kFromNode, node id, '\0', kind, body.
constexpr char kFromNode = '\x01';
constexpr char kAwareness = 'a';
constexpr char kStateless = 's';


}  // namespace

// Awareness messages waiting behind updates: for this node's peers (encoded sync messages), and
// for the other nodes (encoded awareness updates; only on multi-node engines).
struct DocumentService::WaitingAwareness {
  std::vector<std::vector<uint8_t>> messages;
  std::vector<std::vector<uint8_t>> forNodes;
  bool empty() const { return messages.empty() && forNodes.empty(); }
};

struct DocumentService::Document {
  struct AwarenessEntry {
    uint64_t clock = 0;
    std::string state;
    Clock::time_point renewedAt;
  };

  explicit Document(const yjs::DocumentLimits& limits, uint64_t generation) : state(limits), generation(generation) {}

  yjs::DocumentState state;
  uint64_t generation;
  bool loaded = false;
  std::vector<std::pair<std::function<void(Document&)>, std::function<void(const engine::EngineError&)>>> waiting;
  std::vector<engine::StreamMessage> early;  // announced while loading
  std::string earlyEpoch;
  // The stream: its epoch and the offset up to which every update is applied here.
  std::string epoch;
  uint64_t through = 0;
  bool catchingUp = false;
  bool missed = false;  // an announcement came past a hole during a catch-up: read again after it
  bool catchUpFailed = false;  // the last catch-up failed (the store was unreachable): the tick reads again
  // Saving: the snapshot's offset and record version; the first unsaved change.
  uint64_t savedThrough = 0;    // applied here and covered by the record
  uint64_t recordThrough = 0;   // what the stored record covers (last seen)
  uint64_t savedVersion = 0;
  bool saving = false;
  Clock::time_point changedAt{};
  // Entries applied here past savedThrough, with their stored size (admission bounds the bytes).
  std::deque<std::pair<uint64_t, size_t>> unsaved;
  size_t unsavedBytes = 0;
  void forgetSaved() {
    while (!unsaved.empty() && unsaved.front().first <= savedThrough) {
      unsavedBytes -= unsaved.front().second;
      unsaved.pop_front();
    }
  }
  // The stream started over: its offsets, saved or not, are another epoch's.
  void startOver(std::string newEpoch) {
    epoch = std::move(newEpoch);
    through = savedThrough = recordThrough = 0;
    doneThrough = 0;
    unsaved.clear();
    unsavedBytes = 0;
  }
  uint32_t appending = 0;  // appends under way
  size_t peers = 0;        // open() minus close() on this node
  Clock::time_point idleSince = Clock::now();
  std::unordered_map<uint64_t, AwarenessEntry> awareness;
  size_t awarenessBytes = 0;  // of the states in `awareness`
  void forgetAwareness(std::unordered_map<uint64_t, AwarenessEntry>::iterator it) {
    awarenessBytes -= it->second.state.size();
    awareness.erase(it);
  }
  // Clients whose state was removed: the removal's clock, so that an older state arriving late
  // does not bring them back (y-protocols keeps the same); forgotten after the awareness timeout.
  std::unordered_map<uint64_t, std::pair<uint64_t, Clock::time_point>> removed;
  // Batching (options.batchWindow): updates held until their batch is due, with their replies,
  // when the last entry was appended, and the replies of appended entries by publisher tag until
  // the entry is announced or its append completes (whichever comes first answers them).
  using Replies = std::vector<std::function<void(UpdateResult)>>;
  std::vector<std::vector<uint8_t>> held;
  Replies heldReplies;
  // Awareness of this node's peers relayed while a batch forms goes out after the batch's updates,
  // in its write: held, then under the entry's publisher tag until the entry is applied here.
  struct EntryAwareness {
    std::string publisher;  // the entry's tag
    uint64_t offset;        // once its append completed before its announcement; else 0
    WaitingAwareness waiting;
  };
  WaitingAwareness heldAwareness;
  std::vector<EntryAwareness> entryAwareness;
  std::vector<EntryAwareness>::iterator awarenessOf(const std::string& publisher) {
    return std::find_if(entryAwareness.begin(), entryAwareness.end(), [&](const auto& entry) { return entry.publisher == publisher; });
  }
  size_t heldBytes = 0;
  size_t heldStructs = 0;
  // Entries this node appended and has not applied yet (under way, or stored and not announced):
  // admission counts them with the held updates, so that what it admits fits the document when
  // applied — an entry refused then would be acknowledged and lost.
  struct Unapplied {
    std::string publisher;  // the entry's tag
    size_t bytes = 0;
    size_t structs = 0;
    uint64_t offset = 0;    // once its append completed (0 before)
  };
  std::vector<Unapplied> unapplied;
  size_t unappliedBytes = 0;
  size_t unappliedStructs = 0;
  bool heldQueued = false;
  uint64_t heldBatch = 0;  // which batch `held` is (the shard's `batched` names it)
  Clock::time_point appendedAt = Clock::time_point::min();  // (steady_clock's epoch is recent)
  double rate = 0;             // updates per second, smoothed over kRateSeconds
  Clock::time_point rateAt{};
  std::vector<std::pair<std::string, std::shared_ptr<Replies>>> unanswered;
  // Sync step 1 answers waiting for this node's appends: appends complete in the order they
  // start (one stream, one store connection), so an answer waits for a count of completions,
  // then for the document to have applied the last of them (on Redis the append's reply can come
  // before its announcement).
  struct WaitingSync {
    uint64_t appends = 0;  // completions to wait for
    uint64_t through = 0;  // then the offset to have applied (known once those completed)
    bool known = false;
    std::function<void(Document&)> answer;
    // diffLatest(): also wait for a read of the stream begun after the answer was asked for (one
    // with a serial past afterRead), which brings what any node stored before; `fail` answers
    // if that read fails.
    bool needsRead = false;
    uint64_t afterRead = 0;
    std::function<void(const engine::EngineError&)> fail;
  };
  uint64_t appendsStarted = 0;
  uint64_t appendsDone = 0;
  uint64_t doneThrough = 0;  // offset of the last of this node's appends that completed
  uint64_t readSerial = 0;   // stream reads issued (readStream)
  std::deque<WaitingSync> waitingSyncs;

  bool dirty() const { return through > savedThrough; }
  std::vector<uint8_t> encodedAwareness() const {
    if (awareness.empty()) return {};
    yjs::AwarenessUpdate update;
    for (const auto& [client, entry] : awareness) update.entries.push_back({client, entry.clock, entry.state, false});
    return update.encode();
  }
};

struct DocumentService::Shard {
  explicit Shard(boost::asio::io_context& io) : timer(io), batchTimer(io) {}
  std::unordered_map<std::string, std::unique_ptr<Document>> documents;
  boost::asio::steady_timer timer;
  // Documents holding updates, in the order their batches began; batchTimer fires when the oldest
  // is due (ticks at least a quarter window apart), and each tick appends (together) the batches
  // whose window ends before the next.
  struct Batch {
    std::string name;
    uint64_t generation;
    uint64_t serial;  // the document's heldBatch when it began (flushed early: stale)
    Clock::time_point began;
  };
  std::deque<Batch> batched;
  boost::asio::steady_timer batchTimer;
  bool batchArmed = false;
  uint64_t nextBatch = 1;
  uint64_t nextEntry = 1;  // tags this shard's entries (with the node id) as their publisher
  uint64_t nextGeneration = 1;
  std::atomic<size_t> count{0};
};

DocumentService::DocumentService(hub::ShardPool& pool, engine::Engine& engine, DocumentOptions options)
    : pool_(pool), engine_(engine), options_(std::move(options)), multiNode_(engine.name() != "embedded") {
  for (size_t i = 0; i < pool_.size(); ++i) {
    shards_.push_back(std::make_unique<Shard>(pool_.loop(i).io()));
    armTick(i);
  }
  engine_.broker().setStoredTopicHandler("yjs:", [this](const std::string& topic, const engine::StreamMessage& message, const std::string& epoch) {
    const size_t owner = pool_.ownerOf(topic);
    pool_.run(owner, [this, owner, name = topic.substr(4), message, epoch] { onStored(owner, name, message, epoch); });
  });
  engine_.broker().setTopicHandler("yjs:", [this](const std::string& topic, const engine::Broker::Payload& payload) { onBroker(topic, payload); });
  engine_.broker().addResyncHandler([this] {
    for (size_t shard = 0; shard < pool_.size(); ++shard) {
      pool_.post(shard, [this, shard] {
        for (auto& [name, doc] : shards_[shard]->documents) {
          if (doc->loaded) readAgain(shard, name, *doc);  // one under way may have begun before
          else doc->missed = true;  // finishLoad reads the stream again
        }
      });
    }
  });
}

DocumentService::~DocumentService() = default;

size_t DocumentService::ownerOf(const std::string& name) const { return pool_.ownerOf(topicOf(Framing::YWebsocket, name)); }

size_t DocumentService::documentCount() const {
  size_t total = 0;
  for (const auto& shard : shards_) total += shard->count.load(std::memory_order_relaxed);
  return total;
}

std::string DocumentService::metricsText() const {
  std::string out;
  auto metric = [&out](const char* name, const char* type, const char* help, uint64_t value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
  };
  metric("onair_collab_documents", "gauge", "Yjs documents in memory on this node.", documentCount());
  metric("onair_collab_updates_applied_total", "counter", "Yjs updates applied to documents in memory (from any node).",
         applied_.load(std::memory_order_relaxed));
  metric("onair_collab_updates_refused_total", "counter", "Client Yjs updates refused: malformed, too many unsaved, or not stored.",
         refused_.load(std::memory_order_relaxed));
  metric("onair_collab_snapshots_saved_total", "counter", "Yjs document snapshots written.", saved_.load(std::memory_order_relaxed));
  metric("onair_collab_snapshot_catchups_total", "counter",
         "Times this node lacked stream entries a saved snapshot had trimmed and took the snapshot instead.",
         caughtUp_.load(std::memory_order_relaxed));
  metric("onair_collab_stream_entries_lost_total", "counter",
         "Stream entries this node needed that were gone with no snapshot covering them (logged; should stay 0).",
         lost_.load(std::memory_order_relaxed));
  return out;
}

DocumentService::Document* DocumentService::find(size_t owner, const std::string& name) {
  auto& documents = shards_[owner]->documents;
  auto it = documents.find(name);
  return it == documents.end() ? nullptr : it->second.get();
}

// ---- peers -------------------------------------------------------------------------------------

void DocumentService::open(size_t shard, std::string name, Framing framing, net::FrameSink* sink, std::weak_ptr<void> alive,
                           std::function<void(engine::Outcome<Opened>)> done) {
  const std::string topic = topicOf(framing, name);
  // Subscribe first, then read the state vector: an update applied in between arrives twice at
  // worst, which Yjs ignores, and never not at all.
  pool_.subscribe(shard, topic, sink, [this, shard, name, topic, framing, sink, alive, done = std::move(done)]() mutable {
    if (alive.expired()) return pool_.unsubscribe(shard, topic, sink);
    const size_t owner = ownerOf(name);
    pool_.post(owner, [this, owner, shard, name, framing, sink, alive, done = std::move(done)]() mutable {
      auto fail = [this, shard, name, framing, sink, done](const engine::EngineError& error) {
        pool_.post(shard, [this, shard, name, framing, sink, done, error] {
          pool_.unsubscribe(shard, topicOf(framing, name), sink);
          done(error);
        });
      };
      withDocument(owner, name, [this, shard, name, framing, sink, alive, done](Document& doc) {
        ++doc.peers;
        Opened opened{doc.state.stateVector().encode(), doc.encodedAwareness()};
        pool_.post(shard, [this, shard, name, framing, sink, alive, done, opened = std::move(opened)]() mutable {
          if (alive.expired()) return close(shard, name, framing, sink, {});
          done(std::move(opened));
        });
      }, fail);
    });
  });
}

void DocumentService::leave(size_t shard, const std::string& name, Framing framing, net::FrameSink* sink) {
  pool_.unsubscribe(shard, topicOf(framing, name), sink);
}

void DocumentService::close(size_t shard, const std::string& name, Framing framing, net::FrameSink* sink,
                            std::vector<uint64_t> awarenessClients) {
  pool_.unsubscribe(shard, topicOf(framing, name), sink);
  const size_t owner = ownerOf(name);
  pool_.post(owner, [this, owner, name, clients = std::move(awarenessClients)] {
    Document* doc = find(owner, name);
    if (!doc) return;
    if (doc->peers > 0 && --doc->peers == 0) doc->idleSince = Clock::now();
    removeAwareness(name, *doc, clients, true);
  });
}

void DocumentService::diff(size_t shard, const std::string& name, std::vector<uint8_t> stateVector,
                           std::function<void(engine::Outcome<Synced>)> done) {
  const size_t owner = ownerOf(name);
  pool_.post(owner, [this, owner, shard, name, stateVector = std::move(stateVector), done = std::move(done)]() mutable {
    answerDiff(owner, shard, name, std::move(stateVector), std::move(done), false);
  });
}

void DocumentService::diffLatest(size_t shard, const std::string& name, std::vector<uint8_t> stateVector,
                                 std::function<void(engine::Outcome<Synced>)> done) {
  const size_t owner = ownerOf(name);
  // One node: every stored update was announced here before its append completed.
  pool_.post(owner, [this, owner, shard, name, stateVector = std::move(stateVector), done = std::move(done)]() mutable {
    answerDiff(owner, shard, name, std::move(stateVector), std::move(done), multiNode_);
  });
}

void DocumentService::answerDiff(size_t owner, size_t shard, const std::string& name, std::vector<uint8_t> stateVector,
                                 std::function<void(engine::Outcome<Synced>)> done, bool readFirst) {
  auto reply = [this, shard, done = std::move(done)](engine::Outcome<Synced> outcome) {
    pool_.post(shard, [done, outcome = std::move(outcome)]() mutable { done(std::move(outcome)); });
  };
  // A document not in memory, or whose load has not read the stream yet, is loaded by a read
  // begun after now: it needs no other. Otherwise a read issued after this one is needed.
  const Document* existing = find(owner, name);
  if (!existing || (!existing->loaded && existing->readSerial == 0)) readFirst = false;
  const uint64_t afterRead = existing ? existing->readSerial : 0;
  withDocument(owner, name, [this, owner, name, stateVector = std::move(stateVector), reply, readFirst, afterRead](Document& doc) mutable {
    auto answer = [stateVector = std::move(stateVector), reply](Document& doc) {
      auto diff = doc.state.diff(stateVector);
      if (!diff) return reply(engine::EngineError{"sync step 1: " + std::string(yjs::describe(diff.error())), 0});
      reply(Synced{std::move(*diff), doc.state.stateVector().encode()});
    };
    // The answer holds every update this node took before it: held ones are appended now, and
    // the answer waits until this node's appends under way are applied (and, with readFirst, for
    // a read of the stream begun after now).
    if (doc.heldQueued) flushHeld(owner, name, doc);
    const bool known = doc.appendsDone == doc.appendsStarted;
    if (!readFirst && doc.waitingSyncs.empty() && known && doc.through >= doc.doneThrough) return answer(doc);
    Document::WaitingSync waiting;
    waiting.appends = doc.appendsStarted;
    waiting.through = known ? doc.doneThrough : 0;
    waiting.known = known;
    waiting.answer = std::move(answer);
    if (readFirst) {
      waiting.needsRead = true;
      waiting.afterRead = afterRead;
      waiting.fail = [reply](const engine::EngineError& error) { reply(error); };
    }
    doc.waitingSyncs.push_back(std::move(waiting));
    if (readFirst || (known && doc.through < doc.doneThrough)) readAgain(owner, name, doc);  // not announced yet: read it
  }, [reply](const engine::EngineError& error) { reply(error); });
}

void DocumentService::update(size_t shard, const std::string& name, std::vector<uint8_t> update, std::function<void(UpdateResult)> done) {
  // Check on the peer's shard: a bad update never reaches the owner or the store.
  size_t structs = 0;
  if (const auto error = yjs::DocumentState::check(update, options_.limits.update, &structs); error != yjs::YjsError::None) {
    spdlog::debug("collab: refused an update to {}: {}", name, yjs::describe(error));
    refused_.fetch_add(1, std::memory_order_relaxed);
    return done(UpdateResult::Invalid);
  }
  static constexpr uint8_t kEmpty[] = {0, 0};  // no structs, no deletions: nothing to store
  if (update.size() == 2 && std::equal(update.begin(), update.end(), kEmpty)) return done(UpdateResult::Stored);
  const size_t owner = ownerOf(name);
  // On the owner already, the update is taken at once (no loop turn: the wake that read it then
  // ends without polling again for the posted handler).
  pool_.run(owner, [this, owner, shard, name, structs, update = std::move(update), done = std::move(done)]() mutable {
    // An acknowledgement on the peer's own shard goes at once: it then leaves in the same write as
    // the entry's fan-out that follows it (posted, a later document's fan-out could flush first).
    // Refusals, which may close the connection, go by a loop turn.
    auto reply = [this, shard, done](UpdateResult result) {
      if (result == UpdateResult::Stored) return pool_.run(shard, [done] { done(UpdateResult::Stored); });
      pool_.post(shard, [done, result] { done(result); });
    };
    withDocument(owner, name, [this, owner, name, structs, update = std::move(update), reply](Document& doc) mutable {
      if (doc.through - doc.savedThrough + doc.appending + (doc.heldQueued ? 1 : 0) >= options_.maxUnsavedUpdates ||
          unsavedOver(doc, update.size())) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        return reply(UpdateResult::Busy);
      }
      // Refuse here what the document could not take when announced: stored, it would be
      // acknowledged and then dropped by every node (and each refusal would merge it whole).
      if (!fits(doc, update.size(), structs)) {
        if (doc.state.updates().size() > 1) doc.state.compact();
        if (!fits(doc, update.size(), structs)) {
          refused_.fetch_add(1, std::memory_order_relaxed);
          return reply(UpdateResult::TooLarge);
        }
      }
      admit(owner, name, doc, std::move(update), structs, std::move(reply));
    }, [reply](const engine::EngineError&) { reply(UpdateResult::Unavailable); });
  });
}

// Whether `adding` more bytes would put the document's unsaved stream entries over their bound
// (applied ones as stored, the others as sent: close enough for a bound). One update is always
// taken when nothing waits.
bool DocumentService::unsavedOver(const Document& doc, size_t adding) const {
  const size_t waiting = doc.unsavedBytes + doc.unappliedBytes + doc.heldBytes;
  return waiting > 0 && waiting + adding > options_.maxUnsavedBytes;
}

// Whether an update of `bytes` and `structs` fits the document with everything admitted before it.
bool DocumentService::fits(const Document& doc, size_t bytes, size_t structs) const {
  const auto& limits = options_.limits;
  return doc.state.storedBytes() + doc.heldBytes + doc.unappliedBytes + bytes <= limits.maxDocumentBytes &&
         doc.state.storedStructs() + doc.heldStructs + doc.unappliedStructs + structs <= limits.maxDocumentStructs;
}

void DocumentService::contains(size_t shard, const std::string& name, std::vector<uint8_t> update, std::function<void(bool)> done) {
  const size_t owner = ownerOf(name);
  pool_.post(owner, [this, owner, shard, name, update = std::move(update), done = std::move(done)] {
    Document* doc = find(owner, name);
    bool covered = false;
    if (doc && doc->loaded) {
      auto decoded = yjs::UpdateDecoder::decode(update, options_.limits.update);
      covered = decoded && std::all_of(decoded->structs.begin(), decoded->structs.end(), [doc](const yjs::Struct& s) {
        return s.isSkip() || s.endClock() <= doc->state.stateVector().clock(s.id.client);
      });
    }
    pool_.post(shard, [done, covered] { done(covered); });
  });
}

void DocumentService::awareness(size_t, const std::string& name, std::vector<uint8_t> encoded, yjs::AwarenessUpdate decoded) {
  const size_t owner = ownerOf(name);
  pool_.post(owner, [this, owner, name, encoded = std::move(encoded), decoded = std::move(decoded)] {
    // Only documents in memory: a peer's awareness comes after its open().
    if (Document* doc = find(owner, name); doc && doc->loaded) applyAwareness(name, *doc, encoded, decoded, true);
  });
}

void DocumentService::queryAwareness(size_t shard, const std::string& name, std::function<void(std::vector<uint8_t>)> done) {
  const size_t owner = ownerOf(name);
  pool_.post(owner, [this, owner, shard, name, done = std::move(done)] {
    Document* doc = find(owner, name);
    auto states = doc ? doc->encodedAwareness() : std::vector<uint8_t>{};
    pool_.post(shard, [done, states = std::move(states)]() mutable { done(std::move(states)); });
  });
}

void DocumentService::broadcastStateless(const std::string& name, std::string payload) {
  yjs::Lib0Writer message;
  message.writeVarUint(static_cast<uint64_t>(5));  // Hocuspocus Stateless
  message.writeVarString(payload);
  auto bytes = message.take();
  const size_t owner = ownerOf(name);
  pool_.run(owner, [this, name, bytes] { fanOut(name, bytes, true); });
  publishToNodes(name, kStateless, bytes);
}

// ---- loading -----------------------------------------------------------------------------------

void DocumentService::withDocument(size_t owner, const std::string& name, std::function<void(Document&)> fn,
                                   std::function<void(const engine::EngineError&)> fail) {
  Document* doc = find(owner, name);
  if (doc && doc->loaded) return fn(*doc);
  if (!doc) load(owner, name);
  find(owner, name)->waiting.emplace_back(std::move(fn), std::move(fail));
}

void DocumentService::load(size_t owner, const std::string& name) {
  auto& shard = *shards_[owner];
  const uint64_t generation = shard.nextGeneration++;
  shard.documents[name] = std::make_unique<Document>(options_.limits, generation);
  shard.count.store(shard.documents.size(), std::memory_order_relaxed);
  // Subscribe before reading, so that nothing stored meanwhile is missed (Broker contract).
  engine_.broker().subscribe(streamOf(name), [this, owner, name, generation](engine::Outcome<engine::Done> subscribed) {
    if (auto* error = std::get_if<engine::EngineError>(&subscribed)) {
      return pool_.post(owner, [this, owner, name, error = *error] { failLoad(owner, name, error); });
    }
    engine_.registry().get(streamOf(name), [this, owner, name, generation](engine::Outcome<std::optional<engine::Record>> got) {
      pool_.post(owner, [this, owner, name, generation, got = std::move(got)] {
        Document* doc = find(owner, name);
        if (!doc || doc->generation != generation) return;
        if (auto* error = std::get_if<engine::EngineError>(&got)) return failLoad(owner, name, *error);
        if (const auto& record = std::get<std::optional<engine::Record>>(got)) {
          auto snapshot = DocumentSnapshot::parse(record->value);
          if (!snapshot) return failLoad(owner, name, {"the saved document is damaged", 0});
          if (auto error = doc->state.appendSaved(snapshot->state); error != yjs::YjsError::None) {
            return failLoad(owner, name, {"the saved document does not decode: " + std::string(yjs::describe(error)), 0});
          }
          doc->epoch = snapshot->epoch;
          doc->through = doc->savedThrough = doc->recordThrough = snapshot->through;
          doc->savedVersion = record->version;
        }
        readStream(owner, name, generation, doc->through + 1);
      });
    });
  });
}

void DocumentService::readStream(size_t owner, const std::string& name, uint64_t generation, uint64_t from) {
  Document* issuer = find(owner, name);
  const uint64_t serial = issuer ? ++issuer->readSerial : 0;
  engine::ReadRequest request{streamOf(name), from, true, kReadBatch};
  engine_.history().read(std::move(request), [this, owner, name, generation, from, serial](engine::Outcome<engine::ReadResult> read) {
    pool_.post(owner, [this, owner, name, generation, from, serial, read = std::move(read)] {
      Document* doc = find(owner, name);
      if (!doc || doc->generation != generation) return;
      if (auto* error = std::get_if<engine::EngineError>(&read)) return readFailed(owner, name, *doc, *error, serial);
      const auto& result = std::get<engine::ReadResult>(read);
      if (result.head.epoch != doc->epoch) {
        // The stream started over (removed): the snapshot's offsets are another epoch's.
        doc->startOver(result.head.epoch);
        for (auto& waiting : doc->waitingSyncs) waiting.through = 0;  // another epoch's offsets
        if (from > 1) return readStream(owner, name, generation, 1);
      }
      // The document started over while this read was under way (an announcement of the new
      // epoch came first): the read began past offsets it now needs.
      if (from > doc->through + 1) return readStream(owner, name, generation, doc->through + 1);
      // Entries this node lacks were trimmed (a snapshot saved meanwhile covers them).
      if (result.oldest > doc->through + 1 && result.head.offset > doc->through) {
        return reloadSnapshot(owner, name, generation, result.oldest, serial);
      }
      for (const auto& message : result.messages) applyStored(owner, name, *doc, message);
      // Stopped before the head (a batch's count or bytes): read on.
      if (!result.messages.empty() && result.messages.back().offset < result.head.offset) {
        return readStream(owner, name, generation, doc->through + 1);
      }
      if (!doc->loaded) return finishLoad(owner, name, *doc);
      // Read to the head: answers waiting for a read begun after them have it (whether or not
      // another read follows); one waiting for an offset up to the head that is still not applied
      // waits for what the stream no longer has (trimmed), and goes with what there is.
      for (auto& waiting : doc->waitingSyncs) {
        if (waiting.needsRead && waiting.afterRead < serial) waiting.needsRead = false;
        if (waiting.known && waiting.through > doc->through && waiting.through <= result.head.offset) waiting.through = doc->through;
      }
      answerSyncs(*doc);
      if (std::exchange(doc->missed, false)) return readStream(owner, name, generation, doc->through + 1);
      doc->catchingUp = false;
      doc->catchUpFailed = false;
    });
  });
}

void DocumentService::readFailed(size_t owner, const std::string& name, Document& doc, const engine::EngineError& error, uint64_t serial) {
  if (!doc.loaded) return failLoad(owner, name, error);
  doc.catchingUp = false;  // the tick, the next resync or gap tries again
  // The store was unreachable (an error with a retry hint): the tick reads again. A saved
  // document that cannot be taken waits for the next gap or resync instead of a read every tick.
  doc.catchUpFailed = error.retryAfterMs > 0;
  failReads(doc, error, serial);
  // Answers that came during the failed read still want one of their own.
  if (std::exchange(doc.missed, false)) readAgain(owner, name, doc);
}

void DocumentService::reloadSnapshot(size_t owner, const std::string& name, uint64_t generation, uint64_t oldest, uint64_t serial) {
  engine_.registry().get(streamOf(name), [this, owner, name, generation, oldest, serial](engine::Outcome<std::optional<engine::Record>> got) {
    pool_.post(owner, [this, owner, name, generation, oldest, serial, got = std::move(got)] {
      Document* doc = find(owner, name);
      if (!doc || doc->generation != generation) return;
      if (auto* error = std::get_if<engine::EngineError>(&got)) return readFailed(owner, name, *doc, *error, serial);
      const auto& record = std::get<std::optional<engine::Record>>(got);
      if (record && !mergeSnapshot(name, *doc, *record)) {
        // A saved document this node cannot take: stay behind (nothing skipped) and try again later.
        return readFailed(owner, name, *doc, {"the saved document does not decode", 0}, serial);
      }
      if (doc->through + 1 < oldest) {
        spdlog::error("collab: document {} lost updates {}..{} (trimmed before a snapshot covered them)", name, doc->through + 1, oldest - 1);
        lost_.fetch_add(oldest - 1 - doc->through, std::memory_order_relaxed);
        doc->through = oldest - 1;
      }
      if (!doc->unapplied.empty()) settleApplied(*doc);
      if (!doc->entryAwareness.empty()) releaseApplied(name, *doc, false);
      // The read goes on past the snapshot (its serial is newer: answers waiting for a read are
      // answered by it).
      readStream(owner, name, generation, doc->through + 1);
    });
  });
}

bool DocumentService::mergeSnapshot(const std::string& name, Document& doc, const engine::Record& record) {
  auto snapshot = DocumentSnapshot::parse(record.value);
  if (!snapshot) {
    spdlog::error("collab: the saved document {} is damaged", name);
    return false;
  }
  if (snapshot->epoch != doc.epoch || snapshot->through <= doc.through) return true;  // nothing this node lacks
  // The document holds entries up to doc.through only, all of which the snapshot holds: it takes
  // the document's place.
  yjs::DocumentState state(options_.limits);
  if (auto error = state.appendSaved(snapshot->state); error != yjs::YjsError::None) {
    spdlog::error("collab: the saved document {} does not decode: {}", name, yjs::describe(error));
    return false;
  }
  const yjs::StateVector before = doc.state.stateVector();
  doc.state = std::move(state);
  caughtUp_.fetch_add(1, std::memory_order_relaxed);
  doc.through = doc.savedThrough = snapshot->through;
  doc.recordThrough = std::max(doc.recordThrough, snapshot->through);
  doc.savedVersion = std::max(doc.savedVersion, record.version);
  doc.forgetSaved();
  if (!doc.loaded) return true;
  // This node's peers missed what the skipped entries held: it reaches them as one update.
  if (auto missed = doc.state.diff(before)) fanOutUpdates(name, std::span<const std::vector<uint8_t>>(&*missed, 1));
  return true;
}

void DocumentService::finishLoad(size_t owner, const std::string& name, Document& doc) {
  doc.loaded = true;
  auto early = std::move(doc.early);
  bool hole = std::exchange(doc.missed, false);  // a resync during the load: read the stream again
  for (const auto& message : early) {
    if (doc.earlyEpoch != doc.epoch || hole) break;
    if (message.offset > doc.through + 1) hole = true;  // missed some between the read and these
    else applyStored(owner, name, doc, message);
  }
  if (hole) catchUp(owner, name, doc);
  auto waiting = std::move(doc.waiting);
  for (auto& [fn, fail] : waiting) fn(doc);
}

void DocumentService::failLoad(size_t owner, const std::string& name, const engine::EngineError& error) {
  auto& shard = *shards_[owner];
  auto it = shard.documents.find(name);
  if (it == shard.documents.end()) return;
  spdlog::warn("collab: cannot load document {}: {}", name, error.message);
  auto waiting = std::move(it->second->waiting);
  shard.documents.erase(it);
  shard.count.store(shard.documents.size(), std::memory_order_relaxed);
  engine_.broker().unsubscribe(streamOf(name));
  for (auto& [fn, fail] : waiting) fail(error);
}

// ---- updates -----------------------------------------------------------------------------------

void DocumentService::onStored(size_t owner, const std::string& name, const engine::StreamMessage& message, const std::string& epoch) {
  Document* doc = find(owner, name);
  if (!doc) return;
  if (!doc->loaded) {
    if (doc->earlyEpoch != epoch) doc->early.clear();
    doc->earlyEpoch = epoch;
    doc->early.push_back(message);
    return;
  }
  if (epoch != doc->epoch) {
    doc->startOver(epoch);
    for (auto& waiting : doc->waitingSyncs) waiting.through = 0;  // another epoch's offsets
  }
  if (message.offset > doc->through + 1) {  // missed some: read them (this one with them)
    if (doc->catchingUp) doc->missed = true;
    return catchUp(owner, name, *doc);
  }
  applyStored(owner, name, *doc, message);
}

void DocumentService::applyStored(size_t owner, const std::string& name, Document& doc, const engine::StreamMessage& message) {
  if (message.offset <= doc.through) return;  // applied already
  settleUnapplied(doc, message.publisher);
  if (!doc.dirty()) doc.changedAt = Clock::now();   // the first unsaved change
  doc.through = message.offset;
  doc.unsaved.emplace_back(message.offset, message.dataJson.size());
  doc.unsavedBytes += message.dataJson.size();
  if (!doc.unapplied.empty()) settleApplied(doc);
  // Durable now: this node's senders of the entry hear so ahead of the fan-out (one write).
  acknowledge(doc, message.publisher);
  auto awareness = takeAwareness(doc, message.publisher);
  auto updates = StoredUpdates::decode(message.dataJson);
  if (!updates) {
    spdlog::warn("collab: skipped a damaged stored entry {} of {}", message.offset, name);
    return sendAwareness(name, awareness);
  }
  yjs::YjsError refusal = yjs::YjsError::None;
  std::erase_if(*updates, [&](const std::vector<uint8_t>& update) {
    const auto error = doc.state.append(update);
    if (error != yjs::YjsError::None) refusal = error;
    return error != yjs::YjsError::None;
  });
  if (refusal != yjs::YjsError::None) spdlog::warn("collab: document {} refused stored entry {}: {}", name, message.offset, yjs::describe(refusal));
  applied_.fetch_add(updates->size(), std::memory_order_relaxed);
  if (doc.loaded && (!updates->empty() || !awareness.messages.empty())) fanOutUpdates(name, *updates, awareness.messages);
  for (const auto& body : awareness.forNodes) publishToNodes(name, kAwareness, body);
  if (!doc.entryAwareness.empty()) releaseApplied(name, doc, false);
  if (!doc.waitingSyncs.empty()) answerSyncs(doc);
  (void)owner;
}

void DocumentService::catchUp(size_t owner, const std::string& name, Document& doc) {
  if (doc.catchingUp) return;
  doc.catchingUp = true;
  readStream(owner, name, doc.generation, doc.through + 1);
}

void DocumentService::readAgain(size_t owner, const std::string& name, Document& doc) {
  if (doc.catchingUp) doc.missed = true;
  else catchUp(owner, name, doc);
}

// Read `serial` of the stream failed: answers waiting for it fail with it (the caller may retry);
// those asked for after it began wait for a read of their own, the others for the tick's next read.
void DocumentService::failReads(Document& doc, const engine::EngineError& error, uint64_t serial) {
  std::vector<std::function<void(const engine::EngineError&)>> failed;
  std::erase_if(doc.waitingSyncs, [&](auto& waiting) {
    if (!waiting.needsRead || waiting.afterRead >= serial) return false;
    failed.push_back(std::move(waiting.fail));
    return true;
  });
  for (auto& fail : failed) fail(error);
  answerSyncs(doc);
}

void DocumentService::fanOutUpdates(const std::string& name, std::span<const std::vector<uint8_t>> updates,
                                    std::span<const std::vector<uint8_t>> after) {
  std::vector<std::vector<uint8_t>> messages;
  messages.reserve(updates.size() + after.size());
  for (const auto& update : updates) messages.push_back(yjs::SyncMessage::update(update).encode());
  messages.insert(messages.end(), after.begin(), after.end());
  for (Framing framing : kFramings) {
    const std::string topic = topicOf(framing, name);
    if (pool_.subscriptions(topic) != 0) pool_.publish(topic, framesOf(framing, name, messages));
  }
}

// ---- batches: an update to a document that appended an entry within batchWindow waits ---------

void DocumentService::admit(size_t owner, const std::string& name, Document& doc, std::vector<uint8_t> update, size_t structs,
                            std::function<void(UpdateResult)> reply) {
  const auto now = Clock::now();
  // A busy document (several writers, or one very fast) batches every update; a quiet one sends
  // the first after each quiet window at once.
  const double elapsed = std::chrono::duration<double>(now - doc.rateAt).count();
  doc.rate *= std::exp(-elapsed / kRateSeconds);
  const bool busy = doc.rate * std::chrono::duration<double>(options_.batchWindow).count() >= kBusyPerWindow;
  doc.rate += 1.0 / kRateSeconds;
  doc.rateAt = now;
  if (!doc.heldQueued && !busy && now >= doc.appendedAt + options_.batchWindow) {
    doc.appendedAt = now;
    std::vector<std::vector<uint8_t>> updates;
    updates.push_back(std::move(update));
    return appendEntry(owner, name, doc, std::move(updates), structs, {std::move(reply)}, {});
  }
  doc.heldBytes += update.size();
  doc.heldStructs += structs;
  doc.held.push_back(std::move(update));
  doc.heldReplies.push_back(std::move(reply));
  if (!doc.heldQueued) {
    auto& shard = *shards_[owner];
    doc.heldQueued = true;
    doc.heldBatch = shard.nextBatch++;
    shard.batched.push_back({name, doc.generation, doc.heldBatch, now});
    armBatches(owner);
  }
  // A batch flushed early (a sync step 1, the size limit) stays in `batched`; flushBatches skips it.
  if (doc.heldBytes >= kMaxHeldBytes || doc.held.size() >= StoredUpdates::kMaxUpdates) flushHeld(owner, name, doc);
}

void DocumentService::appendEntry(size_t owner, const std::string& name, Document& doc, std::vector<std::vector<uint8_t>> updates,
                                  size_t structs, std::vector<std::function<void(UpdateResult)>> replies, WaitingAwareness awareness) {
  auto waiting = std::make_shared<Document::Replies>(std::move(replies));
  engine::AppendRequest request;
  request.stream = streamOf(name);
  request.type = "u";
  request.dataJson = StoredUpdates::encode(updates);
  request.retention = {options_.historyRetention, kKeepForever, 0};
  request.announce = true;
  // The entry's tag: its announcement finds the replies by it (applyStored → acknowledge).
  std::string publisher = engine_.nodes().selfId() + '/' + std::to_string(shards_[owner]->nextEntry++);
  request.publisher = publisher;
  doc.unanswered.emplace_back(publisher, waiting);
  size_t bytes = 0;
  for (const auto& update : updates) bytes += update.size();
  doc.unapplied.push_back({publisher, bytes, structs, 0});
  doc.unappliedBytes += bytes;
  doc.unappliedStructs += structs;
  if (!awareness.empty()) doc.entryAwareness.push_back({publisher, 0, std::move(awareness)});
  ++doc.appending;
  ++doc.appendsStarted;
  engine_.history().append(std::move(request), [this, owner, name, generation = doc.generation, waiting,
                                                publisher = std::move(publisher)](engine::Outcome<engine::AppendResult> outcome) {
    // On the store's thread: nothing here touches `waiting` (the owner may be answering it).
    const auto* appended = std::get_if<engine::AppendResult>(&outcome);
    if (!appended) spdlog::warn("collab: storing updates to {} failed: {}", name, std::get<engine::EngineError>(outcome).message);
    const bool stored = appended != nullptr;
    const uint64_t offset = stored ? appended->offset : 0;
    pool_.post(owner, [this, owner, name, generation, stored, offset, waiting, publisher] {
      if (Document* doc = find(owner, name); doc && doc->generation == generation) {
        --doc->appending;
        std::erase_if(doc->unanswered, [&](const auto& entry) { return entry.second == waiting; });
        settleAppended(*doc, publisher, stored ? offset : 0);
        awaitApplied(name, *doc, publisher, stored ? offset : 0);
        completeAppend(owner, name, *doc, stored, offset);
      }
      // Replies the announcement did not take (it comes after the completion, or never).
      auto replies = std::exchange(*waiting, {});
      if (!stored) refused_.fetch_add(replies.size(), std::memory_order_relaxed);
      for (auto& reply : replies) reply(stored ? UpdateResult::Stored : UpdateResult::Unavailable);
    });
  });
}

// The entry tagged `publisher` was applied here, or will never be: admission stops counting it.
void DocumentService::settleUnapplied(Document& doc, const std::string& publisher) {
  auto it = std::find_if(doc.unapplied.begin(), doc.unapplied.end(), [&](const auto& entry) { return entry.publisher == publisher; });
  if (it == doc.unapplied.end()) return;
  doc.unappliedBytes -= it->bytes;
  doc.unappliedStructs -= it->structs;
  doc.unapplied.erase(it);
}

// The append of the entry tagged `publisher` completed at `offset` (0: it failed). An entry at or
// below what the document has applied is settled even if it never came by its tag (its offset
// was trimmed past, or taken by another entry after a failover).
void DocumentService::settleAppended(Document& doc, const std::string& publisher, uint64_t offset) {
  auto it = std::find_if(doc.unapplied.begin(), doc.unapplied.end(), [&](const auto& entry) { return entry.publisher == publisher; });
  if (it != doc.unapplied.end()) it->offset = offset;
  if (offset == 0 || offset <= doc.through) settleUnapplied(doc, publisher);
}

// Entries whose append completed at or below `doc.through` are applied, or never will be.
void DocumentService::settleApplied(Document& doc) {
  std::erase_if(doc.unapplied, [&](const auto& entry) {
    if (entry.offset == 0 || entry.offset > doc.through) return false;
    doc.unappliedBytes -= entry.bytes;
    doc.unappliedStructs -= entry.structs;
    return true;
  });
}

void DocumentService::completeAppend(size_t owner, const std::string& name, Document& doc, bool stored, uint64_t offset) {
  ++doc.appendsDone;
  if (stored) doc.doneThrough = std::max(doc.doneThrough, offset);
  bool behind = false;
  for (auto& waiting : doc.waitingSyncs) {
    if (waiting.known || waiting.appends > doc.appendsDone) continue;
    waiting.known = true;
    waiting.through = doc.doneThrough;
    behind = behind || waiting.through > doc.through;
  }
  // Applied when announced; a waiting answer does not wait on an announcement that never comes.
  if (behind && doc.loaded) readAgain(owner, name, doc);
  answerSyncs(doc);
}

void DocumentService::answerSyncs(Document& doc) {
  while (!doc.waitingSyncs.empty()) {
    auto& front = doc.waitingSyncs.front();
    if (!front.known || front.through > doc.through || front.needsRead) return;
    auto answer = std::move(front.answer);
    doc.waitingSyncs.pop_front();
    answer(doc);
  }
}

// Where awareness relayed now waits: with the batch forming, or with this node's latest entry not
// yet applied here; nowhere (nullptr: sent at once) when the document has nothing on the way.
DocumentService::WaitingAwareness* DocumentService::awarenessWaitingFor(Document& doc) {
  if (doc.heldQueued) return &doc.heldAwareness;
  if (!doc.unanswered.empty()) {
    const std::string& publisher = doc.unanswered.back().first;
    auto it = doc.awarenessOf(publisher);
    if (it == doc.entryAwareness.end()) it = doc.entryAwareness.insert(doc.entryAwareness.end(), {publisher, 0, {}});
    return &it->waiting;
  }
  if (!doc.entryAwareness.empty()) return &doc.entryAwareness.back().waiting;  // stored, not yet announced
  return nullptr;
}

// An awareness message (a state or a removal) after whatever already waits, or at once. A full
// queue goes out now, in order, rather than be overtaken.
void DocumentService::relayAwareness(const std::string& name, Document& doc, std::vector<uint8_t> message, std::vector<uint8_t> forNodes) {
  auto* waiting = awarenessWaitingFor(doc);
  if (!waiting) {
    fanOut(name, message);
    if (!forNodes.empty()) publishToNodes(name, kAwareness, forNodes);
    return;
  }
  size_t bytes = message.size();
  for (const auto& held : waiting->messages) bytes += held.size();
  waiting->messages.push_back(std::move(message));
  if (!forNodes.empty()) waiting->forNodes.push_back(std::move(forNodes));
  if (waiting->messages.size() > kMaxHeldAwareness || bytes > kMaxHeldBytes) sendAwareness(name, std::exchange(*waiting, {}));
}

void DocumentService::sendAwareness(const std::string& name, const WaitingAwareness& awareness) {
  for (const auto& message : awareness.messages) fanOut(name, message);
  for (const auto& body : awareness.forNodes) publishToNodes(name, kAwareness, body);
}

DocumentService::WaitingAwareness DocumentService::takeAwareness(Document& doc, const std::string& publisher) {
  auto it = doc.awarenessOf(publisher);
  if (it == doc.entryAwareness.end()) return {};
  auto waiting = std::move(it->waiting);
  doc.entryAwareness.erase(it);
  return waiting;
}

// An entry's append completed: its awareness waits for the entry to be applied here (its
// announcement, or a later one; the tick sends what still waits), or goes now if not stored.
void DocumentService::awaitApplied(const std::string& name, Document& doc, const std::string& publisher, uint64_t offset) {
  auto it = doc.awarenessOf(publisher);
  if (it == doc.entryAwareness.end()) return;
  if (offset > doc.through) {
    it->offset = offset;
    return;
  }
  sendAwareness(name, takeAwareness(doc, publisher));
}

// Awareness of this node's entries applied by now (announced out of turn, or read by a catch-up).
void DocumentService::releaseApplied(const std::string& name, Document& doc, bool all) {
  std::erase_if(doc.entryAwareness, [&](auto& entry) {
    if (entry.offset == 0 || (!all && entry.offset > doc.through)) return false;
    sendAwareness(name, entry.waiting);
    return true;
  });
}

void DocumentService::acknowledge(Document& doc, const std::string& publisher) {
  if (doc.unanswered.empty()) return;
  auto it = std::find_if(doc.unanswered.begin(), doc.unanswered.end(), [&](const auto& entry) { return entry.first == publisher; });
  if (it == doc.unanswered.end()) return;
  auto replies = std::exchange(*it->second, {});
  doc.unanswered.erase(it);
  for (auto& reply : replies) reply(UpdateResult::Stored);
}

// A batch's window starts with its first update (not on a shared clock): it then holds about
// 1 + rate × window updates rather than rate × window, for the same longest wait.
DocumentService::Clock::duration DocumentService::batchTick() const {
  return std::max<Clock::duration>(options_.batchWindow / 4, std::chrono::milliseconds(1));
}

void DocumentService::armBatches(size_t owner, Clock::time_point earliest) {
  auto& shard = *shards_[owner];
  if (shard.batchArmed || shard.batched.empty()) return;
  shard.batchArmed = true;
  // The first tick that can end the oldest batch's window (a batch waits at most the window), and
  // not before `earliest`: ticks stay a tick apart, so that batches due close together go together.
  const auto due = shard.batched.front().began + options_.batchWindow - batchTick();
  shard.batchTimer.expires_at(std::max(due, earliest));
  shard.batchTimer.async_wait([this, owner](boost::system::error_code ec) {
    if (!ec) flushBatches(owner);
  });
}

// Every batch whose window ends before the next tick is appended in this loop turn: the store
// commits them together.
void DocumentService::flushBatches(size_t owner) {
  auto& shard = *shards_[owner];
  shard.batchArmed = false;
  const auto now = Clock::now();
  const auto cutoff = now + batchTick() - options_.batchWindow;
  engine::WriteBatch together;  // the store is woken once for every due batch: usually one transaction
  while (!shard.batched.empty() && shard.batched.front().began <= cutoff) {
    const auto batch = std::move(shard.batched.front());
    shard.batched.pop_front();
    Document* doc = find(owner, batch.name);
    if (doc && doc->generation == batch.generation && doc->heldQueued && doc->heldBatch == batch.serial) {
      flushHeld(owner, batch.name, *doc);
    }
  }
  armBatches(owner, now + batchTick());
}

void DocumentService::flushHeld(size_t owner, const std::string& name, Document& doc) {
  doc.heldQueued = false;
  doc.heldBytes = 0;
  doc.appendedAt = Clock::now();
  appendEntry(owner, name, doc, std::exchange(doc.held, {}), std::exchange(doc.heldStructs, 0), std::exchange(doc.heldReplies, {}),
              std::exchange(doc.heldAwareness, {}));
}

void DocumentService::fanOut(const std::string& name, std::span<const uint8_t> message, bool hocuspocusOnly) {
  for (Framing framing : kFramings) {
    if (hocuspocusOnly && framing != Framing::Hocuspocus) continue;
    const std::string topic = topicOf(framing, name);
    if (pool_.subscriptions(topic) == 0) continue;
    pool_.publish(topic, frameOf(framing, name, message));
  }
}

// ---- awareness ---------------------------------------------------------------------------------

void DocumentService::applyAwareness(const std::string& name, Document& doc, std::span<const uint8_t> encoded,
                                     const yjs::AwarenessUpdate& decoded, bool local) {
  const auto now = Clock::now();
  for (const auto& entry : decoded.entries) {
    auto it = doc.awareness.find(entry.clientId);
    if (it != doc.awareness.end() && entry.clock < it->second.clock) continue;  // an older state
    auto gone = doc.removed.find(entry.clientId);
    if (gone != doc.removed.end() && entry.clock <= gone->second.first) continue;  // older than its removal
    if (entry.removed) {
      if (it != doc.awareness.end()) doc.forgetAwareness(it);
      if (doc.removed.size() < options_.messages.maxAwarenessEntries) doc.removed[entry.clientId] = {entry.clock, now};
      continue;
    }
    if (gone != doc.removed.end()) doc.removed.erase(gone);
    if (it == doc.awareness.end() && doc.awareness.size() >= options_.messages.maxAwarenessEntries) continue;  // full
    const size_t replaced = it == doc.awareness.end() ? 0 : it->second.state.size();
    if (doc.awarenessBytes - replaced + entry.state.size() > options_.messages.maxDocumentAwarenessBytes) {
      if (it != doc.awareness.end()) doc.forgetAwareness(it);  // full: joiners get no stale state of it
      continue;
    }
    doc.awarenessBytes = doc.awarenessBytes - replaced + entry.state.size();
    doc.awareness[entry.clientId] = {entry.clock, entry.state, now};
  }
  // This node's clients' awareness follows this node's updates on the way (another node's goes at
  // once: its updates come by their own announcements).
  auto message = yjs::SyncMessage::awarenessUpdate(encoded).encode();
  if (!local) return fanOut(name, message);
  relayAwareness(name, doc, std::move(message), bodyForNodes(encoded));
}

void DocumentService::removeAwareness(const std::string& name, Document& doc, const std::vector<uint64_t>& clients, bool local) {
  yjs::AwarenessUpdate removal;
  for (uint64_t client : clients) {
    auto it = doc.awareness.find(client);
    if (it == doc.awareness.end()) continue;
    removal.entries.push_back(yjs::AwarenessUpdate::Entry::removal(client, it->second.clock + 1));
    if (doc.removed.size() < options_.messages.maxAwarenessEntries) doc.removed[client] = {it->second.clock + 1, Clock::now()};
    doc.forgetAwareness(it);
  }
  if (removal.entries.empty()) return;
  const auto encoded = removal.encode();
  relayAwareness(name, doc, yjs::SyncMessage::awarenessUpdate(encoded).encode());  // behind held states
  // Other nodes hear at once (they time out their own copies): a removal points into no text, and
  // a state still waiting here reaches them after it with an older clock, which they drop. Held
  // back, it would be lost with a batch a stop never sends, leaving a ghost for the timeout.
  if (local) publishToNodes(name, kAwareness, encoded);
}

std::vector<uint8_t> DocumentService::bodyForNodes(std::span<const uint8_t> encoded) const {
  return multiNode_ ? std::vector<uint8_t>(encoded.begin(), encoded.end()) : std::vector<uint8_t>();
}

void DocumentService::publishToNodes(const std::string& name, char kind, std::span<const uint8_t> body) {
  if (!multiNode_) return;
  std::string payload(1, kFromNode);
  payload.append(engine_.nodes().selfId()).append(1, '\0').append(1, kind).append(textOf(body));
  engine_.broker().publish(streamOf(name), std::make_shared<const std::string>(std::move(payload)));
}

void DocumentService::onBroker(const std::string& topic, const engine::Broker::Payload& payload) {
  // Another node's awareness or stateless message; this node's own were handled already.
  const size_t end = payload->find('\0', 1);
  if (payload->empty() || payload->front() != kFromNode || end == std::string::npos || end + 1 >= payload->size()) return;
  if (payload->compare(1, end - 1, engine_.nodes().selfId()) == 0) return;
  const char kind = (*payload)[end + 1];
  std::vector<uint8_t> body(payload->begin() + static_cast<ptrdiff_t>(end) + 2, payload->end());
  const std::string name = topic.substr(4);
  const size_t owner = pool_.ownerOf(topic);
  pool_.run(owner, [this, owner, name, kind, body = std::move(body)] {
    Document* doc = find(owner, name);
    if (!doc || !doc->loaded) return;
    if (kind == kStateless) return fanOut(name, body, true);
    if (kind != kAwareness) return;
    auto decoded = yjs::AwarenessUpdate::decode(body, options_.messages);
    if (decoded) applyAwareness(name, *doc, body, *decoded, false);
  });
}

// ---- upkeep: awareness timeouts, saving, eviction ---------------------------------------------

void DocumentService::armTick(size_t owner) {
  auto& timer = shards_[owner]->timer;
  timer.expires_after(kTickInterval);
  timer.async_wait([this, owner](boost::system::error_code ec) {
    if (ec) return;
    tick(owner);
    armTick(owner);
  });
}

void DocumentService::tick(size_t owner) {
  const auto now = Clock::now();
  std::vector<std::string> idle;
  for (auto& [name, holder] : shards_[owner]->documents) {
    Document& doc = *holder;
    if (!doc.loaded) continue;
    std::vector<uint64_t> stale;
    for (const auto& [client, entry] : doc.awareness) {
      if (now - entry.renewedAt >= options_.awarenessTimeout) stale.push_back(client);
    }
    if (!stale.empty()) removeAwareness(name, doc, stale, false);
    if (!doc.entryAwareness.empty()) releaseApplied(name, doc, true);  // stored, never announced
    std::erase_if(doc.removed, [&](const auto& entry) { return now - entry.second.second >= options_.awarenessTimeout; });
    // A catch-up that failed (after a reconnect, the subscription may be back before the
    // connection reads go through), or an answer waiting for offsets no read brought: read again.
    if (!doc.catchingUp && (doc.catchUpFailed || (!doc.waitingSyncs.empty() && doc.waitingSyncs.front().known &&
                                               doc.waitingSyncs.front().through > doc.through))) {
      catchUp(owner, name, doc);
    }
    // Nodes with peers save (the updates are in the stream meanwhile), and so does a node whose
    // own appends are unsaved (an update through the server API, no peer anywhere); a node that
    // only follows other nodes' edits would race them for the record at every tick.
    const bool ownUnsaved = doc.doneThrough > doc.savedThrough;
    const bool due = (doc.peers > 0 || ownUnsaved) && doc.dirty() &&
                     (doc.through - doc.savedThrough >= options_.limits.compactAfterUpdates ||
                      doc.unsavedBytes >= options_.maxUnsavedBytes / 4 || now - doc.changedAt >= options_.saveInterval);
    if (due && !doc.saving) save(owner, name, doc);
    if (doc.peers == 0 && now - doc.idleSince >= options_.idleEviction && !doc.saving && doc.appending == 0 && !doc.heldQueued &&
        !ownUnsaved && doc.waitingSyncs.empty()) {
      idle.push_back(name);
    }
  }
  for (const auto& name : idle) evict(owner, name);
}

void DocumentService::save(size_t owner, const std::string& name, Document& doc) {
  auto full = doc.state.fullState();  // compacts the stored updates into one
  if (!full) {
    spdlog::error("collab: cannot compact document {}: {}", name, yjs::describe(full.error()));
    return;
  }
  if (doc.through <= doc.recordThrough) {  // the record already covers as much (another node's)
    doc.savedThrough = doc.through;
    doc.forgetSaved();
    return;
  }
  DocumentSnapshot snapshot{std::move(*full), doc.through, doc.epoch};
  const uint64_t through = snapshot.through;
  doc.saving = true;
  engine_.registry().put(streamOf(name), snapshot.toJson(), doc.savedVersion,
                         [this, owner, name, generation = doc.generation, through, epoch = doc.epoch](engine::Outcome<engine::PutResult> put) {
    pool_.post(owner, [this, owner, name, generation, through, epoch, put = std::move(put)] {
      Document* doc = find(owner, name);
      if (!doc || doc->generation != generation) return;
      doc->saving = false;
      if (auto* error = std::get_if<engine::EngineError>(&put)) {
        spdlog::warn("collab: saving document {} failed: {} (will retry)", name, error->message);
        return;
      }
      const auto& result = std::get<engine::PutResult>(put);
      // Replies may come late (after a snapshot merged past them): what is saved only moves forward.
      doc->savedVersion = std::max(doc->savedVersion, result.record.version);
      if (!result.conflict) {
        saved(name, *doc, through, epoch);
      } else if (auto theirs = DocumentSnapshot::parse(result.record.value); theirs && theirs->epoch == doc->epoch) {
        // Another node saved meanwhile: the record covers what it says, no more, no less; this
        // node saves past it at a later tick, never behind it.
        doc->recordThrough = theirs->through;
        doc->savedThrough = std::min(theirs->through, doc->through);
        doc->forgetSaved();
      }
      if (doc->dirty()) doc->changedAt = Clock::now();
    });
  });
}

// A snapshot of `epoch` through `through` is saved: the stream entries it covers go (a node that
// still needs them reads the snapshot). A trim that fails leaves them to the next save's trim.
void DocumentService::saved(const std::string& name, Document& doc, uint64_t through, const std::string& epoch) {
  saved_.fetch_add(1, std::memory_order_relaxed);
  if (epoch == doc.epoch) {
    doc.savedThrough = std::max(doc.savedThrough, through);
    doc.recordThrough = std::max(doc.recordThrough, through);
    doc.forgetSaved();
  }
  engine_.history().trim({streamOf(name), epoch, through}, [name](engine::Outcome<engine::Done> trimmed) {
    if (auto* error = std::get_if<engine::EngineError>(&trimmed)) {
      spdlog::warn("collab: trimming the saved updates of {} failed: {} (the next save trims them)", name, error->message);
    }
  });
}

void DocumentService::evict(size_t owner, const std::string& name) {
  auto& shard = *shards_[owner];
  shard.documents.erase(name);
  shard.count.store(shard.documents.size(), std::memory_order_relaxed);
  engine_.broker().unsubscribe(streamOf(name));
  spdlog::debug("collab: document {} left memory", name);
}

}  // namespace onair::collab
