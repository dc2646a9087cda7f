#pragma once
// Shared fixture of the engine conformance suites: a fresh engine in a fresh temporary
// directory per test, and synchronous wrappers over the engine's callback API.
//
// Every wait is bounded (kTimeout): a completion that never arrives fails the test with a
// message instead of hanging the run. Completions may arrive on any thread (History and
// Registry complete on the engine's thread; Presence may complete synchronously), so each wait
// goes through a shared promise that outlives a timed-out test.
#include <gtest/gtest.h>

#include <atomic>
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
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "Engines.hpp"
#include "engine/Engine.hpp"

namespace onair::conformance {

inline constexpr std::chrono::seconds kTimeout{5};

// Starts an async operation via `start(callback)` and waits for its single completion.
// Throws (failing the test) when none arrives within kTimeout.
template <class T, class Start>
T awaitCompletion(Start&& start, std::string_view what) {
  auto promise = std::make_shared<std::promise<T>>();
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto future = promise->get_future();
  start([promise, calls](T value) {
    if (calls->fetch_add(1) != 0) {
      ADD_FAILURE() << "a completion was called more than once";
      return;
    }
    promise->set_value(std::move(value));
  });
  if (future.wait_for(kTimeout) != std::future_status::ready) {
    throw std::runtime_error(std::string(what) + ": no completion within 5 s");
  }
  return future.get();
}

// The value of an Outcome; an EngineError fails the test with its message.
template <class T>
T valueOf(engine::Outcome<T> outcome, std::string_view what) {
  if (auto* error = std::get_if<engine::EngineError>(&outcome)) {
    throw std::runtime_error(std::string(what) + ": engine error: " + error->message);
  }
  return std::get<T>(std::move(outcome));
}

// Collects completions that arrive in any order on any thread; waitFor() bounds the wait.
template <class T>
class Collector {
 public:
  // The callback shares the collector's state, so a late completion after a failed test is safe.
  std::function<void(T)> callback() {
    return [state = state_](T value) {
      std::lock_guard lock(state->mutex);
      state->values.push_back(std::move(value));
      state->changed.notify_all();
    };
  }
  // Waits until `count` completions arrived; returns them in arrival order. Throws on timeout.
  std::vector<T> waitFor(size_t count) {
    std::unique_lock lock(state_->mutex);
    if (!state_->changed.wait_for(lock, kTimeout, [&] { return state_->values.size() >= count; })) {
      throw std::runtime_error("only " + std::to_string(state_->values.size()) + " of " + std::to_string(count) +
                               " completions within 5 s");
    }
    return state_->values;
  }
  // What arrived so far, without waiting.
  std::vector<T> snapshot() {
    std::lock_guard lock(state_->mutex);
    return state_->values;
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<T> values;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

class EngineConformance : public ::testing::TestWithParam<EngineFactory> {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "onair-conformance-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    dir_ = pattern;
    // Names are unique per test so an engine whose state outlives the directory (Redis) starts
    // clean too.
    prefix_ = std::filesystem::path(dir_).filename().string() + ":";
    engine_ = GetParam().make(dir_);
  }

  void TearDown() override {
    closeEngine();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  engine::Engine& engine() { return *engine_; }
  const std::string& dataDir() const { return dir_; }

  // Engine::stop() is called once per engine: here or in closeEngine().
  void stopEngine() {
    if (!engine_ || stopped_) return;
    stopped_ = true;
    engine_->stop();
  }

  void closeEngine() {
    stopEngine();
    engine_.reset();
    stopped_ = false;
  }

  // Destroys the engine and opens a new one on the same data directory.
  void restart() {
    closeEngine();
    engine_ = GetParam().make(dir_);
  }

  // A stream, key or room name private to this test.
  std::string name(std::string_view base) const { return prefix_ + std::string(base); }

  // --- History ---------------------------------------------------------------------------

  static engine::AppendRequest appendRequest(const std::string& stream, std::string dataJson,
                                             std::optional<std::string> key = std::nullopt,
                                             engine::Retention retention = {}) {
    engine::AppendRequest request;
    request.stream = stream;
    request.type = "chat";
    request.dataJson = std::move(dataJson);
    request.publisher = "user-1";
    request.idempotencyKey = std::move(key);
    request.retention = retention;
    return request;
  }

  engine::AppendResult append(engine::AppendRequest request) {
    return valueOf(awaitCompletion<engine::Outcome<engine::AppendResult>>(
                       [&](auto done) { engine().history().append(std::move(request), std::move(done)); }, "append"),
                   "append");
  }

  engine::AppendResult append(const std::string& stream, std::string dataJson,
                              std::optional<std::string> key = std::nullopt, engine::Retention retention = {}) {
    return append(appendRequest(stream, std::move(dataJson), std::move(key), retention));
  }

  engine::ReadResult read(const std::string& stream, uint64_t from, bool forward, uint32_t limit,
                          size_t maxBytes = engine::ReadRequest::kDefaultReadBytes) {
    engine::ReadRequest request{stream, from, forward, limit, maxBytes};
    return valueOf(awaitCompletion<engine::Outcome<engine::ReadResult>>(
                       [&](auto done) { engine().history().read(std::move(request), std::move(done)); }, "read"),
                   "read");
  }
  engine::ReadResult readForward(const std::string& stream, uint64_t from, uint32_t limit = 50) {
    return read(stream, from, true, limit);
  }
  engine::ReadResult readBackward(const std::string& stream, uint64_t from, uint32_t limit = 50) {
    return read(stream, from, false, limit);
  }

  void trimStream(const std::string& stream, const std::string& epoch, uint64_t through) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>(
                [&](auto done) { engine().history().trim({stream, epoch, through}, std::move(done)); }, "history trim"),
            "history trim");
  }

  void removeStream(const std::string& stream) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>(
                [&](auto done) { engine().history().remove(stream, std::move(done)); }, "history remove"),
            "history remove");
  }

  // --- Broker ----------------------------------------------------------------------------

  // Subscribes this test's engine to `topic` and waits until it is.
  void subscribe(const std::string& topic) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>(
                [&](auto done) { engine().broker().subscribe(topic, std::move(done)); }, "broker subscribe"),
            "broker subscribe");
  }

  // --- Registry --------------------------------------------------------------------------

  std::optional<engine::Record> get(const std::string& key) {
    return valueOf(awaitCompletion<engine::Outcome<std::optional<engine::Record>>>(
                       [&](auto done) { engine().registry().get(key, std::move(done)); }, "registry get"),
                   "registry get");
  }

  engine::PutResult put(const std::string& key, const std::string& value,
                        std::optional<uint64_t> expectedVersion = std::nullopt) {
    return valueOf(awaitCompletion<engine::Outcome<engine::PutResult>>(
                       [&](auto done) { engine().registry().put(key, value, expectedVersion, std::move(done)); },
                       "registry put"),
                   "registry put");
  }

  void removeRecord(const std::string& key) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>(
                [&](auto done) { engine().registry().remove(key, std::move(done)); }, "registry remove"),
            "registry remove");
  }

  // --- Presence --------------------------------------------------------------------------

  static engine::PresenceEntry entry(const std::string& userId, const std::string& displayName,
                                     const std::string& presenceJson = "null", int64_t joinedAtMs = 0) {
    engine::PresenceEntry e;
    e.userId = userId;
    e.name = displayName;
    e.metadataJson = R"({"role":")" + userId + R"("})";
    e.presenceJson = presenceJson;
    e.joinedAtMs = joinedAtMs;
    return e;
  }

  void presencePut(const std::string& room, engine::PresenceEntry e) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>(
                [&](auto done) { engine().presence().put(room, std::move(e), std::move(done)); }, "presence put"),
            "presence put");
  }

  void presenceRemove(const std::string& room, const std::string& userId) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>(
                [&](auto done) { engine().presence().remove(room, userId, std::move(done)); }, "presence remove"),
            "presence remove");
  }

  std::vector<engine::PresenceEntry> presenceList(const std::string& room) {
    return valueOf(awaitCompletion<engine::Outcome<std::vector<engine::PresenceEntry>>>(
                       [&](auto done) { engine().presence().list(room, std::move(done)); }, "presence list"),
                   "presence list");
  }

  void presenceClear(const std::string& room) {
    valueOf(awaitCompletion<engine::Outcome<engine::Done>>(
                [&](auto done) { engine().presence().clear(room, std::move(done)); }, "presence clear"),
            "presence clear");
  }

 private:
  std::string dir_;
  std::string prefix_;
  std::unique_ptr<engine::Engine> engine_;
  bool stopped_ = false;
};

// Offsets of messages, for compact assertions.
inline std::vector<uint64_t> offsetsOf(const std::vector<engine::StreamMessage>& messages) {
  std::vector<uint64_t> out;
  for (const auto& m : messages) out.push_back(m.offset);
  return out;
}

}  // namespace onair::conformance

// Instantiates a suite derived from EngineConformance once per engine in allEngines().
#define ONAIR_INSTANTIATE_CONFORMANCE(Suite)                                      \
  INSTANTIATE_TEST_SUITE_P(Engines, Suite, ::testing::ValuesIn(::onair::conformance::allEngines()), \
                           [](const auto& info) { return info.param.name; })
