// Engine contract (engine/Engine.hpp) and cross-surface durability, run against every engine.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ConformanceFixture.hpp"

namespace onair::conformance {
namespace {

class EngineLifecycleConformance : public EngineConformance {};

TEST_P(EngineLifecycleConformance, FreshEngineIsReady) { EXPECT_TRUE(engine().ready()); }

TEST_P(EngineLifecycleConformance, NameIsEmbeddedOrRedis) {
  auto name = std::string(engine().name());
  EXPECT_FALSE(name.empty());
  EXPECT_TRUE(name == "embedded" || name == "redis") << "name() is '" << name << "'";
}

TEST_P(EngineLifecycleConformance, StopFinishesQueuedWorkAndRunsItsCompletions) {
  constexpr size_t kAppends = 200;
  const auto stream = name("s");
  Collector<engine::Outcome<engine::AppendResult>> appends;
  Collector<engine::Outcome<engine::PutResult>> puts;
  for (size_t i = 0; i < kAppends; ++i) {
    engine().history().append(appendRequest(stream, "{}"), appends.callback());
  }
  engine().registry().put(name("k"), "queued", std::nullopt, puts.callback());
  stopEngine();

  // Everything queued has completed by the time stop() returns.
  auto appended = appends.snapshot();
  EXPECT_EQ(appended.size(), kAppends);
  for (auto& outcome : appended) EXPECT_TRUE(std::holds_alternative<engine::AppendResult>(outcome));
  EXPECT_EQ(puts.snapshot().size(), 1u);

  restart();
  EXPECT_EQ(readForward(stream, 0, 1).head.offset, kAppends);
  auto record = get(name("k"));
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->value, "queued");
}

// "append completes only once the message is durable (survives a crash of the process)":
// a child process appends and puts, waits for each acknowledgement, then is killed with SIGKILL
// without stopping its engine; a new engine on the same directory must see everything acked.
TEST_P(EngineLifecycleConformance, AcknowledgedWritesSurviveKill) {
  constexpr int kAppends = 25;
  const auto stream = name("s");
  const auto key = name("k");
  closeEngine();  // the child opens its own; no engine threads may exist across fork()

  pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    int code = 0;
    try {
      auto engine = GetParam().make(dataDir());
      for (int i = 1; i <= kAppends && code == 0; ++i) {
        auto outcome = awaitCompletion<engine::Outcome<engine::AppendResult>>(
            [&](auto done) {
              engine->history().append(appendRequest(stream, std::to_string(i), "key-" + std::to_string(i)),
                                       std::move(done));
            },
            "append");
        auto* result = std::get_if<engine::AppendResult>(&outcome);
        if (!result || result->offset != static_cast<uint64_t>(i)) code = 3;
      }
      auto put = awaitCompletion<engine::Outcome<engine::PutResult>>(
          [&](auto done) { engine->registry().put(key, "acked", std::nullopt, std::move(done)); }, "put");
      if (!std::holds_alternative<engine::PutResult>(put)) code = 4;
      if (code == 0) raise(SIGKILL);
      engine.release();  // never run the engine's shutdown in the child
    } catch (...) {
      code = 5;
    }
    _exit(code);
  }

  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child failed before the kill (exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ")";

  restart();
  auto stored = readForward(stream, 0, 100);
  EXPECT_EQ(stored.head.offset, static_cast<uint64_t>(kAppends));
  ASSERT_EQ(stored.messages.size(), static_cast<size_t>(kAppends));
  for (int i = 0; i < kAppends; ++i) EXPECT_EQ(stored.messages[i].dataJson, std::to_string(i + 1));
  EXPECT_TRUE(append(stream, "retry", "key-7").duplicate);
  EXPECT_EQ(append(stream, "next").offset, static_cast<uint64_t>(kAppends + 1));
  auto record = get(key);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->value, "acked");
  EXPECT_EQ(record->version, 1u);
}

ONAIR_INSTANTIATE_CONFORMANCE(EngineLifecycleConformance);

}  // namespace
}  // namespace onair::conformance
