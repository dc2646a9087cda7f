// DocumentService on two real shards over the embedded engine (SQLite in a temporary directory),
// with fake sinks standing for peers' connections: what a peer is handed on open, what reaches
// every peer (decoded back from the WebSocket frames its sink got, in its framing), awareness and
// its removal, and a document saved, evicted and loaded back by a new engine and service.
// Every wait is bounded; nothing asserts how long anything took.
#include "collab/DocumentService.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "FramedMessage.hpp"
#include "collab/DocumentSnapshot.hpp"
#include "collab/StoredUpdates.hpp"
#include "../net/ServerFrames.hpp"
#include "collab/yjs/DocumentState.hpp"
#include "collab/yjs/StateVector.hpp"
#include "collab/yjs/SyncMessage.hpp"
#include "engine/EmbeddedEngine.hpp"
#include "net/FrameSink.hpp"
#include "net/OutFrame.hpp"
#include "yjs/YjsTestBytes.hpp"

namespace onair::collab {
namespace {

using namespace std::chrono_literals;
using yjs::fixtures::kMap;
using yjs::fixtures::kText;
using yjs::fixtures::kTextDeleted;
using Bytes = std::vector<uint8_t>;
using UpdateResult = DocumentService::UpdateResult;

constexpr auto kWait = 10s;  // bound on any one wait (the service ticks every 500 ms)
const Bytes kEmptyStateVector = yjs::StateVector{}.encode();

// A peer's connection: keeps the frames the hub hands it (on its shard's thread) and gives back
// the y-websocket messages inside them.
struct PeerSink : net::FrameSink {
  PeerSink(size_t shard, Framing framing) : shard(shard), framing(framing) {}
  using FrameSink::send;
  void send(net::OutFrame& frame) override {
    std::lock_guard lock(mutex);
    frames.push_back(frame.bytes());
    arrived.notify_all();
  }
  // The messages received for `document` once there are at least `count` frames; fails after kWait.
  // A batch is several messages in one frame write; other frames carry one message each.
  std::vector<Bytes> waitFor(size_t count, const std::string& document, bool batches = false) {
    std::unique_lock lock(mutex);
    if (!arrived.wait_for(lock, kWait, [&] { return frames.size() >= count; })) {
      ADD_FAILURE() << "got " << frames.size() << " frames, waited for " << count;
    }
    std::vector<Bytes> messages;
    for (const auto& frame : frames) {
      const auto decoded = net::test::decodeServerFrames(frame);
      if (batches) EXPECT_FALSE(decoded.empty());
      else EXPECT_EQ(decoded.size(), 1u) << "one message per frame";
      for (const auto& d : decoded) {
        EXPECT_EQ(d.opcode, net::WsOpcode::Binary);
        messages.push_back(test::unwrapMessage(framing, document, d.payload));
      }
    }
    return messages;
  }
  size_t received() {
    std::lock_guard lock(mutex);
    return frames.size();
  }
  // How many messages each frame the sink got carries (a batch is several frames in one).
  std::vector<size_t> messagesPerFrame() {
    std::lock_guard lock(mutex);
    std::vector<size_t> counts;
    for (const auto& frame : frames) counts.push_back(net::test::decodeServerFrames(frame).size());
    return counts;
  }

  const size_t shard;
  const Framing framing;
  std::shared_ptr<int> alive = std::make_shared<int>(0);
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::string> frames;
};

// The update of a sync "update" message (what the service fans out).
Bytes updateIn(const Bytes& message) {
  auto decoded = yjs::SyncMessage::decode(message);
  if (!decoded) {
    ADD_FAILURE() << "not a y-websocket message";
    return {};
  }
  EXPECT_EQ(decoded->type, yjs::SyncMessage::Type::Sync);
  EXPECT_EQ(decoded->sync.step, yjs::SyncStep::Update);
  return Bytes(decoded->sync.bytes.begin(), decoded->sync.bytes.end());
}

// The awareness update of an awareness message.
yjs::AwarenessUpdate awarenessIn(const Bytes& message) {
  auto decoded = yjs::SyncMessage::decode(message);
  if (!decoded) {
    ADD_FAILURE() << "not a y-websocket message";
    return {};
  }
  EXPECT_EQ(decoded->type, yjs::SyncMessage::Type::Awareness);
  auto update = yjs::AwarenessUpdate::decode(decoded->awareness);
  if (!update) {
    ADD_FAILURE() << "not an awareness update";
    return {};
  }
  return *update;
}

// The document a client holding `updates` has, for comparing what the service answers.
struct Reference {
  explicit Reference(const std::vector<Bytes>& updates) {
    for (const auto& u : updates) EXPECT_EQ(state.append(u), yjs::YjsError::None);
  }
  Bytes stateVector() const { return state.stateVector().encode(); }
  Bytes whole() { return *state.diff(yjs::StateVector{}); }
  yjs::DocumentState state;
};

class DocumentServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "onair-documents-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  void TearDown() override {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void start(DocumentOptions options = {}) {
    pool_ = std::make_unique<hub::ShardPool>(2, net::WsSettings{});
    engine_ = std::make_unique<engine::EmbeddedEngine>(dir_);
    service_ = std::make_unique<DocumentService>(*pool_, *engine_, std::move(options));
    pool_->start();
  }
  // Stops the loops, drains the engine, then lets everything go (the data directory stays).
  void stop() {
    if (!pool_) return;
    pool_->stop();
    pool_->join();
    engine_->stop();
    service_.reset();
    engine_.reset();
    pool_.reset();
  }

  // Runs `call` on `shard` with a callback and waits for the value it is called with.
  template <class T, class Call>
  T onShard(size_t shard, Call call) {
    auto promise = std::make_shared<std::promise<T>>();
    auto future = promise->get_future();
    pool_->post(shard, [call, promise]() mutable { call([promise](T value) { promise->set_value(std::move(value)); }); });
    if (future.wait_for(kWait) != std::future_status::ready) throw std::runtime_error("no completion");
    return future.get();
  }
  // Runs `fn` on `shard` and waits until it has run.
  void runOn(size_t shard, std::function<void()> fn) {
    onShard<bool>(shard, [fn](auto done) {
      fn();
      done(true);
    });
  }

  DocumentService::Opened open(PeerSink& peer, const std::string& name = "doc") {
    auto opened = onShard<engine::Outcome<DocumentService::Opened>>(peer.shard, [this, &peer, name](auto done) {
      service_->open(peer.shard, name, peer.framing, &peer, peer.alive, done);
    });
    if (auto* error = std::get_if<engine::EngineError>(&opened)) throw std::runtime_error("open failed: " + error->message);
    return std::get<DocumentService::Opened>(std::move(opened));
  }
  void close(PeerSink& peer, std::vector<uint64_t> awarenessClients = {}, const std::string& name = "doc") {
    runOn(peer.shard, [this, &peer, name, clients = std::move(awarenessClients)] {
      service_->close(peer.shard, name, peer.framing, &peer, clients);
    });
  }
  UpdateResult update(size_t shard, const Bytes& bytes, const std::string& name = "doc") {
    return onShard<UpdateResult>(shard, [this, shard, name, bytes](auto done) { service_->update(shard, name, bytes, done); });
  }
  engine::Outcome<DocumentService::Synced> diff(size_t shard, const Bytes& stateVector, const std::string& name = "doc") {
    return onShard<engine::Outcome<DocumentService::Synced>>(
        shard, [this, shard, name, stateVector](auto done) { service_->diff(shard, name, stateVector, done); });
  }
  DocumentService::Synced synced(size_t shard, const Bytes& stateVector, const std::string& name = "doc") {
    auto outcome = diff(shard, stateVector, name);
    if (auto* error = std::get_if<engine::EngineError>(&outcome)) throw std::runtime_error("diff failed: " + error->message);
    return std::get<DocumentService::Synced>(std::move(outcome));
  }
  void setAwareness(size_t shard, const yjs::AwarenessUpdate& update, const std::string& name = "doc") {
    runOn(shard, [this, shard, name, update] { service_->awareness(shard, name, update.encode(), update); });
  }
  Bytes queryAwareness(size_t shard, const std::string& name = "doc") {
    return onShard<Bytes>(shard, [this, shard, name](auto done) { service_->queryAwareness(shard, name, done); });
  }
  // The offset the saved snapshot of `name` covers; nullopt while there is none.
  std::optional<uint64_t> savedThrough(const std::string& name = "doc") {
    auto promise = std::make_shared<std::promise<std::optional<uint64_t>>>();
    auto future = promise->get_future();
    engine_->registry().get("yjs:" + name, [promise](engine::Outcome<std::optional<engine::Record>> got) {
      auto* record = std::get_if<std::optional<engine::Record>>(&got);
      auto snapshot = record && *record ? DocumentSnapshot::parse((*record)->value) : std::nullopt;
      promise->set_value(snapshot ? std::optional<uint64_t>(snapshot->through) : std::nullopt);
    });
    if (future.wait_for(kWait) != std::future_status::ready) throw std::runtime_error("no registry reply");
    return future.get();
  }
  // What the engine answers `call(done)` with; fails the test after kWait.
  template <class T, class Call>
  T fromEngine(Call call) {
    auto promise = std::make_shared<std::promise<T>>();
    auto future = promise->get_future();
    call([promise](T outcome) { promise->set_value(std::move(outcome)); });
    if (future.wait_for(kWait) != std::future_status::ready) throw std::runtime_error("no engine reply");
    return future.get();
  }
  // The document's stream as the store holds it.
  engine::ReadResult stream(const std::string& name = "doc") {
    auto read = fromEngine<engine::Outcome<engine::ReadResult>>(
        [&](auto done) { engine_->history().read({"yjs:" + name, 0, true, 1000}, done); });
    return std::get<engine::ReadResult>(std::move(read));
  }
  // An entry stored the way another node stores one, whose announcement this node never hears.
  engine::AppendResult storeUnannounced(const Bytes& update, const std::string& name = "doc") {
    engine::AppendRequest request;
    request.stream = "yjs:" + name;
    request.type = "u";
    request.dataJson = StoredUpdates::encode(std::vector<Bytes>{update});
    request.publisher = "other-node/1";
    auto appended = fromEngine<engine::Outcome<engine::AppendResult>>([&](auto done) { engine_->history().append(request, done); });
    return std::get<engine::AppendResult>(std::move(appended));
  }
  // `peer` gets kText from this node; then another node stores kMap, whose announcement this
  // node misses (it finds the gap with the next update it hears of). Returns kMap's entry.
  engine::AppendResult textThenMissedMap(PeerSink& peer) {
    open(peer);
    EXPECT_EQ(update(0, kText), UpdateResult::Stored);
    EXPECT_EQ(updateIn(peer.waitFor(1, "doc").at(0)), kText);
    auto missed = storeUnannounced(kMap);
    EXPECT_EQ(missed.offset, 2u);
    return missed;
  }
  // Another node saves a snapshot of `updates` through `through` and trims the stream it covers.
  void saveAndTrimAsAnotherNode(const std::vector<Bytes>& updates, uint64_t through, const std::string& epoch,
                                const std::string& name = "doc") {
    yjs::DocumentState state;
    for (const auto& u : updates) ASSERT_EQ(state.append(u), yjs::YjsError::None);
    const DocumentSnapshot snapshot{*state.fullState(), through, epoch};
    auto put = fromEngine<engine::Outcome<engine::PutResult>>(
        [&](auto done) { engine_->registry().put("yjs:" + name, snapshot.toJson(), std::nullopt, done); });
    ASSERT_TRUE(std::holds_alternative<engine::PutResult>(put));
    auto trimmed = fromEngine<engine::Outcome<engine::Done>>(
        [&](auto done) { engine_->history().trim({"yjs:" + name, epoch, through}, done); });
    ASSERT_TRUE(std::holds_alternative<engine::Done>(trimmed));
  }
  // Polls `done` until it holds or kWait passes.
  template <class Pred>
  bool eventually(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  std::string dir_;
  std::unique_ptr<hub::ShardPool> pool_;
  std::unique_ptr<engine::EmbeddedEngine> engine_;
  std::unique_ptr<DocumentService> service_;
};

yjs::AwarenessUpdate awarenessOf(uint64_t client, uint64_t clock, std::string state) {
  return yjs::AwarenessUpdate{{{client, clock, std::move(state), false}}};
}

// A document without peers is saved at the next tick and leaves memory soon after.
DocumentOptions quickEviction() {
  DocumentOptions options;
  options.idleEviction = 200ms;
  options.saveInterval = 100ms;
  return options;
}

TEST_F(DocumentServiceTest, ANewDocumentOpensWithAnEmptyStateVectorAndNoAwareness) {
  start();
  PeerSink peer(0, Framing::YWebsocket);
  const auto opened = open(peer);
  EXPECT_EQ(opened.stateVector, kEmptyStateVector);
  EXPECT_TRUE(opened.awareness.empty());
  EXPECT_EQ(service_->documentCount(), 1u);
  close(peer);
}

TEST_F(DocumentServiceTest, AStoredUpdateReachesEveryPeerInItsFraming) {
  start();
  PeerSink ywebsocket(0, Framing::YWebsocket), hocuspocus(1, Framing::Hocuspocus), onair(1, Framing::Onair);
  for (PeerSink* peer : {&ywebsocket, &hocuspocus, &onair}) open(*peer);
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);
  for (PeerSink* peer : {&ywebsocket, &hocuspocus, &onair}) {
    const auto messages = peer->waitFor(1, "doc");
    ASSERT_EQ(messages.size(), 1u) << static_cast<int>(peer->framing);
    EXPECT_EQ(updateIn(messages[0]), kText) << static_cast<int>(peer->framing);
  }
  // A peer opening now is handed a state vector that covers the update.
  PeerSink late(1, Framing::YWebsocket);
  EXPECT_EQ(open(late).stateVector, Reference({kText}).stateVector());
  for (PeerSink* peer : {&ywebsocket, &hocuspocus, &onair, &late}) close(*peer);
}

TEST_F(DocumentServiceTest, UpdatesReachPeersInTheOrderTheyWereStored) {
  start();
  PeerSink peer(1, Framing::Hocuspocus);
  open(peer);
  for (const auto& u : {kText, kMap, kTextDeleted}) ASSERT_EQ(update(0, u), UpdateResult::Stored);
  const auto messages = peer.waitFor(3, "doc");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(updateIn(messages[0]), kText);
  EXPECT_EQ(updateIn(messages[1]), kMap);
  EXPECT_EQ(updateIn(messages[2]), kTextDeleted);
  close(peer);
}

TEST_F(DocumentServiceTest, UpdatesWithinTheBatchWindowAreHeldThenStoredAndSentTogether) {
  DocumentOptions options;
  options.batchWindow = std::chrono::hours(1);  // the timer never flushes here: a sync step 1 does
  start(options);
  PeerSink ywebsocket(1, Framing::YWebsocket), hocuspocus(0, Framing::Hocuspocus);
  for (PeerSink* peer : {&ywebsocket, &hocuspocus}) open(*peer);
  // The first update after a quiet window is stored and sent at once.
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);
  ASSERT_EQ(hocuspocus.waitFor(1, "doc").size(), 1u);
  // The next two are held: not acknowledged, not sent.
  auto acks = std::make_shared<std::vector<std::promise<UpdateResult>>>(2);
  std::vector<std::future<UpdateResult>> acked;
  for (auto& p : *acks) acked.push_back(p.get_future());
  runOn(0, [this, acks] {
    service_->update(0, "doc", kMap, [acks](UpdateResult r) { (*acks)[0].set_value(r); });
    service_->update(1, "doc", kTextDeleted, [acks](UpdateResult r) { (*acks)[1].set_value(r); });
  });
  EXPECT_EQ(acked[0].wait_for(0s), std::future_status::timeout);
  // A sync step 1 stores them (one entry, one write per peer) and its answer covers them.
  EXPECT_EQ(synced(1, kEmptyStateVector).update, Reference({kText, kMap, kTextDeleted}).whole());
  for (auto& f : acked) {
    ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
    EXPECT_EQ(f.get(), UpdateResult::Stored);
  }
  for (PeerSink* peer : {&ywebsocket, &hocuspocus}) {
    const auto messages = peer->waitFor(2, "doc", true);
    ASSERT_EQ(messages.size(), 3u) << static_cast<int>(peer->framing);
    EXPECT_EQ(updateIn(messages[0]), kText);
    EXPECT_EQ(updateIn(messages[1]), kMap);
    EXPECT_EQ(updateIn(messages[2]), kTextDeleted);
    EXPECT_EQ(peer->messagesPerFrame(), (std::vector<size_t>{1, 2})) << "one frame write for the batch";
  }
  for (PeerSink* peer : {&ywebsocket, &hocuspocus}) close(*peer);
  // The batch is one stream entry; a new service loads it back.
  stop();
  start();
  EXPECT_EQ(synced(1, kEmptyStateVector).update, Reference({kText, kMap, kTextDeleted}).whole());
}

// Awareness relayed while a batch forms goes after the batch's updates in the same write: a
// remote cursor never arrives before the text it points into.
TEST_F(DocumentServiceTest, AwarenessRelayedWhileABatchFormsFollowsItsUpdatesInOneWrite) {
  DocumentOptions options;
  options.batchWindow = std::chrono::hours(1);  // a sync step 1 flushes
  start(options);
  PeerSink watcher(1, Framing::Hocuspocus);
  open(watcher);
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);  // at once
  ASSERT_EQ(watcher.waitFor(1, "doc").size(), 1u);
  runOn(0, [this] { service_->update(0, "doc", kMap, [](UpdateResult) {}); });  // held
  const auto cursor = awarenessOf(7, 1, R"({"cursor":5})");
  setAwareness(0, cursor);
  EXPECT_EQ(queryAwareness(1), cursor.encode()) << "the state is kept at once";
  EXPECT_EQ(watcher.received(), 1u) << "the cursor waits for the held update";
  EXPECT_EQ(synced(1, kEmptyStateVector).update, Reference({kText, kMap}).whole());
  const auto messages = watcher.waitFor(2, "doc", true);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(updateIn(messages[1]), kMap);
  EXPECT_EQ(awarenessIn(messages[2]), cursor);
  EXPECT_EQ(watcher.messagesPerFrame(), (std::vector<size_t>{1, 2}));

  // A removal (its connection closed) waits behind a held state: never overtakes it.
  PeerSink setter(0, Framing::YWebsocket);
  open(setter);
  runOn(0, [this] { service_->update(0, "doc", kTextDeleted, [](UpdateResult) {}); });  // held
  const auto moved = awarenessOf(7, 2, R"({"cursor":3})");
  setAwareness(0, moved);
  close(setter, {7});
  EXPECT_TRUE(queryAwareness(1).empty());
  EXPECT_EQ(synced(1, kEmptyStateVector).update, Reference({kText, kMap, kTextDeleted}).whole());
  const auto after = watcher.waitFor(3, "doc", true);
  ASSERT_EQ(after.size(), 6u);
  EXPECT_EQ(updateIn(after[3]), kTextDeleted);
  EXPECT_EQ(awarenessIn(after[4]), moved);
  EXPECT_EQ(awarenessIn(after[5]), (yjs::AwarenessUpdate{{yjs::AwarenessUpdate::Entry::removal(7, 3)}}));
  close(watcher);
}

// The batch timer: a batch flushed early by a sync step 1 leaves a stale entry behind; the next
// batch is still appended when its own window ends (acknowledged without any sync step 1).
TEST_F(DocumentServiceTest, AHeldBatchIsStoredWhenItsWindowEndsAfterAnEarlierOneWasFlushedEarly) {
  DocumentOptions options;
  options.batchWindow = 50ms;
  start(options);
  PeerSink peer(1, Framing::Hocuspocus);
  open(peer);
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);
  auto held = std::make_shared<std::promise<UpdateResult>>();
  auto heldResult = held->get_future();
  runOn(0, [this, held] { service_->update(0, "doc", kMap, [held](UpdateResult r) { held->set_value(r); }); });
  EXPECT_EQ(synced(1, kEmptyStateVector).update, Reference({kText, kMap}).whole());
  ASSERT_EQ(heldResult.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(heldResult.get(), UpdateResult::Stored);
  ASSERT_EQ(update(0, kTextDeleted), UpdateResult::Stored);  // held or not, stored without a step 1
  const auto messages = peer.waitFor(3, "doc");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(updateIn(messages[2]), kTextDeleted);
  close(peer);
}

TEST_F(DocumentServiceTest, DiffAgainstAnEmptyStateVectorIsTheWholeDocument) {
  start();
  for (const auto& u : {kText, kMap, kTextDeleted}) ASSERT_EQ(update(1, u), UpdateResult::Stored);
  Reference reference({kText, kMap, kTextDeleted});
  const auto whole = synced(0, kEmptyStateVector);
  EXPECT_EQ(whole.update, reference.whole());
  EXPECT_EQ(whole.stateVector, reference.stateVector());
  Reference rebuilt({whole.update});
  EXPECT_EQ(rebuilt.stateVector(), reference.stateVector());

  // A peer that has everything lacks nothing but the delete set.
  const auto none = synced(1, reference.stateVector());
  EXPECT_EQ(none.update, *reference.state.diff(reference.state.stateVector()));
}

TEST_F(DocumentServiceTest, ADiffAgainstADamagedStateVectorFails) {
  start();
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);
  EXPECT_TRUE(std::holds_alternative<engine::EngineError>(diff(0, {0x05, 0x01})));
  EXPECT_TRUE(std::holds_alternative<engine::EngineError>(diff(1, {0x00, 0x00})));  // a trailing byte
}

TEST_F(DocumentServiceTest, AnInvalidUpdateIsRefusedAndNotFannedOut) {
  start();
  PeerSink peer(1, Framing::YWebsocket);
  open(peer);
  auto trailing = kMap;
  trailing.push_back(0);
  EXPECT_EQ(update(0, yjs::fixtures::hex("0101")), UpdateResult::Invalid);
  EXPECT_EQ(update(0, trailing), UpdateResult::Invalid);
  EXPECT_EQ(update(1, {}), UpdateResult::Invalid);
  EXPECT_EQ(update(0, yjs::fixtures::kEmpty), UpdateResult::Stored) << "nothing to store";
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);
  const auto messages = peer.waitFor(1, "doc");
  ASSERT_EQ(messages.size(), 1u) << "only the valid update went out";
  EXPECT_EQ(updateIn(messages[0]), kText);
  EXPECT_EQ(synced(0, kEmptyStateVector).update, Reference({kText}).whole());
  close(peer);
}

TEST_F(DocumentServiceTest, UpdatesAreRefusedWhileTooManyWaitForASnapshot) {
  DocumentOptions options;
  options.maxUnsavedUpdates = 1;
  options.saveInterval = std::chrono::hours(1);  // with a peer open, nothing is saved meanwhile
  start(options);
  PeerSink peer(0, Framing::YWebsocket);
  open(peer);
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);
  EXPECT_EQ(update(1, kMap), UpdateResult::Busy);
  EXPECT_EQ(synced(0, kEmptyStateVector).update, Reference({kText}).whole()) << "the refused update is not stored";
  close(peer);
}

// The structs an update adds to a document (what DocumentState counts against its limit).
size_t structsOf(const Bytes& update) {
  size_t structs = 0;
  EXPECT_EQ(yjs::DocumentState::check(update, yjs::UpdateLimits{}, &structs), yjs::YjsError::None);
  return structs;
}

TEST_F(DocumentServiceTest, AnUpdateTheDocumentCouldNotTakeIsRefusedBeforeItIsStored) {
  // Over the struct limit while far under the byte limit: refused when it arrives, not stored,
  // acknowledged and then dropped when applied (and merged whole at every such update).
  DocumentOptions options;
  options.limits.maxDocumentStructs = structsOf(kText);
  start(options);
  PeerSink peer(1, Framing::YWebsocket);
  open(peer);
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);
  ASSERT_GT(structsOf(kMap), 0u);
  EXPECT_EQ(update(0, kMap), UpdateResult::TooLarge);
  EXPECT_EQ(synced(0, kEmptyStateVector).update, Reference({kText}).whole());
  close(peer);
  stop();

  // The same for bytes (another document: this one holds kText from before the restart).
  options = {};
  options.limits.maxDocumentBytes = kText.size() + 1;
  start(options);
  ASSERT_EQ(update(0, kText, "bytes"), UpdateResult::Stored);
  EXPECT_EQ(update(1, kMap, "bytes"), UpdateResult::TooLarge);
  EXPECT_EQ(synced(1, kEmptyStateVector, "bytes").update, Reference({kText}).whole());
}

TEST_F(DocumentServiceTest, AwarenessReachesPeersAndIsRemovedWhenItsConnectionCloses) {
  start();
  PeerSink setter(0, Framing::YWebsocket), watcher(1, Framing::Hocuspocus), other(0, Framing::Onair);
  for (PeerSink* peer : {&setter, &watcher, &other}) open(*peer);
  const auto state = awarenessOf(7, 3, R"({"user":"ann"})");
  setAwareness(0, state);
  for (PeerSink* peer : {&watcher, &other}) {
    const auto messages = peer->waitFor(1, "doc");
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(awarenessIn(messages[0]), state);
  }
  EXPECT_EQ(queryAwareness(1), state.encode());
  PeerSink late(1, Framing::YWebsocket);
  EXPECT_EQ(open(late).awareness, state.encode()) << "a peer opening now is handed the states";

  close(setter, {7});
  const yjs::AwarenessUpdate removal{{yjs::AwarenessUpdate::Entry::removal(7, 4)}};
  for (PeerSink* peer : {&watcher, &other, &late}) {
    const auto messages = peer->waitFor(peer == &late ? 1 : 2, "doc");
    ASSERT_FALSE(messages.empty());
    EXPECT_EQ(awarenessIn(messages.back()), removal);
  }
  EXPECT_TRUE(queryAwareness(0).empty());
  for (PeerSink* peer : {&watcher, &other, &late}) close(*peer);
}

TEST_F(DocumentServiceTest, AnOlderAwarenessStateIsRelayedButNotKept) {
  start();
  PeerSink peer(0, Framing::YWebsocket);
  open(peer);
  const auto newer = awarenessOf(7, 5, R"({"n":5})");
  setAwareness(1, newer);
  setAwareness(1, awarenessOf(7, 4, R"({"n":4})"));
  peer.waitFor(2, "doc");
  EXPECT_EQ(queryAwareness(0), newer.encode());
  close(peer, {7});
}

TEST_F(DocumentServiceTest, AwarenessPastTheDocumentsBudgetIsRelayedButNotKept) {
  DocumentOptions options;
  options.messages.maxDocumentAwarenessBytes = 20;
  start(options);
  PeerSink peer(0, Framing::YWebsocket);
  open(peer);
  const auto first = awarenessOf(1, 1, R"({"n":"abcdefgh"})");  // 16 bytes
  setAwareness(1, first);
  setAwareness(1, awarenessOf(2, 1, R"({"n":"x"})"));  // 9 more: over the 20
  ASSERT_EQ(peer.waitFor(2, "doc").size(), 2u) << "both relayed";
  EXPECT_EQ(queryAwareness(0), first.encode()) << "only the first kept";
  // A state of the first client too large to keep drops its older one: joiners get nothing stale.
  setAwareness(1, awarenessOf(1, 2, R"({"n":"abcdefghijklmnop"})"));
  EXPECT_TRUE(queryAwareness(0).empty());
  // A smaller state of the first client is kept; the second's renewal is kept too then.
  setAwareness(1, awarenessOf(1, 3, R"({})"));
  const auto renewed = awarenessOf(2, 2, R"({"n":"x"})");
  setAwareness(1, renewed);
  const auto kept = yjs::AwarenessUpdate::decode(queryAwareness(0));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->entries.size(), 2u);
  close(peer, {1, 2});
}

TEST_F(DocumentServiceTest, AStateNoNewerThanARemovalDoesNotBringTheClientBack) {
  start();
  PeerSink setter(0, Framing::YWebsocket), watcher(1, Framing::Hocuspocus);
  open(setter);
  open(watcher);
  setAwareness(0, awarenessOf(7, 3, R"({"user":"ann"})"));
  watcher.waitFor(1, "doc");
  close(setter, {7});  // removed at clock 4
  watcher.waitFor(2, "doc");
  setAwareness(1, awarenessOf(7, 4, R"({"user":"late"})"));  // as old as the removal: relayed, not kept
  watcher.waitFor(3, "doc");
  EXPECT_TRUE(queryAwareness(0).empty());
  const auto newer = awarenessOf(7, 5, R"({"user":"back"})");
  setAwareness(1, newer);  // newer than the removal: the client is back
  watcher.waitFor(4, "doc");
  EXPECT_EQ(queryAwareness(0), newer.encode());
  close(watcher, {7});
}

TEST_F(DocumentServiceTest, AnAwarenessStateNotRenewedIsRemovedAfterTheTimeout) {
  DocumentOptions options;
  options.awarenessTimeout = 300ms;
  start(options);
  PeerSink setter(0, Framing::YWebsocket), watcher(1, Framing::YWebsocket);
  open(setter);
  open(watcher);
  setAwareness(0, awarenessOf(9, 1, R"({"cursor":3})"));
  const auto messages = watcher.waitFor(2, "doc");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(awarenessIn(messages[1]), (yjs::AwarenessUpdate{{yjs::AwarenessUpdate::Entry::removal(9, 2)}}));
  EXPECT_TRUE(queryAwareness(1).empty());
  close(setter);
  close(watcher);
}

TEST_F(DocumentServiceTest, AnIdleDocumentIsSavedLeavesMemoryAndLoadsBackInANewService) {
  const DocumentOptions options = quickEviction();
  start(options);
  PeerSink peer(0, Framing::YWebsocket);
  open(peer);
  for (const auto& u : {kText, kMap, kTextDeleted}) ASSERT_EQ(update(1, u), UpdateResult::Stored);
  const auto before = synced(0, kEmptyStateVector);
  close(peer);
  ASSERT_TRUE(eventually([&] { return service_->documentCount() == 0; })) << "the document stayed in memory";

  stop();
  start(options);
  PeerSink again(1, Framing::Hocuspocus);
  const auto opened = open(again);
  EXPECT_EQ(opened.stateVector, Reference({kText, kMap, kTextDeleted}).stateVector());
  EXPECT_NE(opened.stateVector, kEmptyStateVector);
  EXPECT_EQ(synced(0, kEmptyStateVector).update, before.update);
  close(again);
}

TEST_F(DocumentServiceTest, ADocumentLargerThanOneClientUpdateLoadsBackFromItsSnapshot) {
  // The per-update limit bounds what a client sends, not the document: a snapshot bigger than one
  // update (a document grown by many edits) must load again after eviction.
  const Bytes whole = Reference({kText, kMap}).whole();
  DocumentOptions options = quickEviction();
  options.limits.update.maxUpdateBytes = std::max(kText.size(), kMap.size());
  ASSERT_GT(whole.size(), options.limits.update.maxUpdateBytes) << "the fixture's snapshot must be larger than each update";
  start(options);
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);
  ASSERT_EQ(update(1, kMap), UpdateResult::Stored);
  ASSERT_TRUE(eventually([&] { return service_->documentCount() == 0; })) << "a document without peers is evicted";
  ASSERT_TRUE(savedThrough().has_value());

  PeerSink peer(1, Framing::YWebsocket);
  EXPECT_EQ(open(peer).stateVector, Reference({kText, kMap}).stateVector());
  EXPECT_EQ(synced(0, kEmptyStateVector).update, whole);
  close(peer);
}

TEST_F(DocumentServiceTest, UpdatesAfterASnapshotLoadBackWithIt) {
  const DocumentOptions options = quickEviction();
  start(options);
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);
  ASSERT_TRUE(eventually([&] { return service_->documentCount() == 0; })) << "a document without peers is evicted";
  // Loaded again from the snapshot, then changed: the snapshot and the stream after it together.
  PeerSink peer(1, Framing::Onair);
  EXPECT_EQ(open(peer).stateVector, Reference({kText}).stateVector());
  ASSERT_EQ(update(0, kMap), UpdateResult::Stored);
  close(peer);

  stop();
  start();  // the default options: nothing is saved or evicted while the test runs
  EXPECT_EQ(synced(1, kEmptyStateVector).update, Reference({kText, kMap}).whole());
}

TEST_F(DocumentServiceTest, ASavedSnapshotTrimsTheStreamEntriesItCovers) {
  start(quickEviction());
  PeerSink peer(0, Framing::YWebsocket);
  open(peer);
  for (const auto& u : {kText, kMap}) ASSERT_EQ(update(1, u), UpdateResult::Stored);
  ASSERT_TRUE(eventually([&] { return savedThrough() == std::optional<uint64_t>(2); })) << "the document is saved";
  ASSERT_TRUE(eventually([&] { return stream().messages.empty(); })) << "the entries the snapshot covers stay";
  EXPECT_EQ(stream().head.offset, 2u);
  EXPECT_EQ(stream().oldest, 3u);

  // What follows is stored after the head, and a new service loads snapshot and stream together.
  ASSERT_EQ(update(1, kTextDeleted), UpdateResult::Stored);
  close(peer);
  ASSERT_TRUE(eventually([&] { return service_->documentCount() == 0; }));
  stop();
  start();
  EXPECT_EQ(synced(0, kEmptyStateVector).update, Reference({kText, kMap, kTextDeleted}).whole());
}

TEST_F(DocumentServiceTest, ALoadReadsTheWholeStreamPastOneReadsBatch) {
  DocumentOptions options;
  options.saveInterval = std::chrono::hours(1);
  options.limits.compactAfterUpdates = 100'000;  // nothing saved: the load reads every entry
  start(options);
  for (int i = 0; i < 1'001; ++i) ASSERT_EQ(update(i % 2, kText), UpdateResult::Stored);
  ASSERT_EQ(update(0, kMap), UpdateResult::Stored);
  ASSERT_FALSE(savedThrough().has_value());
  stop();
  start(options);
  EXPECT_EQ(synced(1, kEmptyStateVector).update, Reference({kText, kMap}).whole()) << "the entry after the first 1,000";
}

TEST_F(DocumentServiceTest, UpdatesAreRefusedWhileTooManyBytesWaitForASnapshot) {
  // A writer resending a large update that adds nothing grows the stream, not the document: the
  // bytes waiting for a snapshot are bounded too.
  DocumentOptions options;
  options.maxUnsavedBytes = 2 * kText.size();
  options.saveInterval = std::chrono::hours(1);  // with a peer open, nothing is saved meanwhile
  start(options);
  PeerSink peer(0, Framing::YWebsocket);
  open(peer);
  ASSERT_EQ(update(0, kText), UpdateResult::Stored);
  EXPECT_EQ(update(1, kText), UpdateResult::Busy) << "base64 in JSON: one stored copy is already over 1.33x";
  EXPECT_EQ(stream().messages.size(), 1u);
  close(peer);
}

TEST_F(DocumentServiceTest, ANodeBehindATrimMergesTheSnapshotAndItsPeersGetWhatTheyMissed) {
  start();
  PeerSink peer(1, Framing::YWebsocket);
  // Another node stores kMap, saves a snapshot through it and trims; then an update this node
  // does hear of arrives past the hole.
  const auto missed = textThenMissedMap(peer);
  saveAndTrimAsAnotherNode({kText, kMap}, 2, missed.epoch);
  ASSERT_EQ(update(0, kTextDeleted), UpdateResult::Stored);

  auto messages = peer.waitFor(3, "doc");
  ASSERT_EQ(messages.size(), 3u);
  // The peer got the difference (kMap's content) before the update that follows it.
  Reference peerDoc({kText});
  for (size_t i = 1; i < messages.size(); ++i) EXPECT_EQ(peerDoc.state.append(updateIn(messages[i])), yjs::YjsError::None);
  EXPECT_EQ(peerDoc.stateVector(), Reference({kText, kMap, kTextDeleted}).stateVector());
  EXPECT_EQ(updateIn(messages[2]), kTextDeleted);
  EXPECT_EQ(synced(0, kEmptyStateVector).update, Reference({kText, kMap, kTextDeleted}).whole());
  const std::string metrics = service_->metricsText();
  EXPECT_NE(metrics.find("\nonair_collab_snapshot_catchups_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nonair_collab_stream_entries_lost_total 0\n"), std::string::npos) << metrics;
  close(peer);
}

TEST_F(DocumentServiceTest, EntriesGoneWithNoSnapshotCoveringThemAreSkippedAndCounted) {
  start();
  PeerSink peer(1, Framing::YWebsocket);
  // kMap is trimmed with no snapshot covering it (a store that lost it): the node goes on with
  // what there is, and says so.
  const auto missed = textThenMissedMap(peer);
  auto trimmed = fromEngine<engine::Outcome<engine::Done>>(
      [&](auto done) { engine_->history().trim({"yjs:doc", missed.epoch, missed.offset}, done); });
  ASSERT_TRUE(std::holds_alternative<engine::Done>(trimmed));
  ASSERT_EQ(update(0, kTextDeleted), UpdateResult::Stored);
  auto messages = peer.waitFor(2, "doc");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(updateIn(messages[1]), kTextDeleted);
  const std::string metrics = service_->metricsText();
  EXPECT_NE(metrics.find("\nonair_collab_stream_entries_lost_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("\nonair_collab_snapshot_catchups_total 0\n"), std::string::npos) << metrics;
  close(peer);
}

// The save interval starts again with the first change after a save. (It used to start only with
// the document's first change ever, so a later change was saved at the next tick.) The one timed
// check is a lower bound the service guarantees: load can only make the save later.
TEST_F(DocumentServiceTest, DocumentsAreKeptApart) {
  start();
  PeerSink a(0, Framing::Hocuspocus), b(1, Framing::Hocuspocus);
  open(a, "a");
  open(b, "b");
  ASSERT_EQ(update(1, kText, "a"), UpdateResult::Stored);
  ASSERT_EQ(update(0, kMap, "b"), UpdateResult::Stored);
  EXPECT_EQ(updateIn(a.waitFor(1, "a").at(0)), kText);
  EXPECT_EQ(updateIn(b.waitFor(1, "b").at(0)), kMap);
  EXPECT_EQ(synced(0, kEmptyStateVector, "a").update, Reference({kText}).whole());
  EXPECT_EQ(synced(1, kEmptyStateVector, "b").update, Reference({kMap}).whole());
  EXPECT_EQ(service_->documentCount(), 2u);
  close(a, {}, "a");
  close(b, {}, "b");
}

}  // namespace
}  // namespace onair::collab
