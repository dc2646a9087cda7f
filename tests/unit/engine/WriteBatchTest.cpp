#include "engine/WriteBatch.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "engine/sqlite/SqliteStore.hpp"

using namespace onair::engine;

TEST(WriteBatch, AWakeOutsideAnyBatchRunsAtOnce) {
  int runs = 0;
  WriteBatch::wakeWhenDone(&runs, [&] { ++runs; });
  EXPECT_EQ(runs, 1);
}

// Nested scopes: the wakes wait for the outermost, and a key is woken once.
TEST(WriteBatch, WakesRunOnceEachWhenTheOutermostBatchEnds) {
  int first = 0, second = 0;
  {
    WriteBatch outer;
    {
      WriteBatch inner;
      WriteBatch::wakeWhenDone(&first, [&] { ++first; });
      WriteBatch::wakeWhenDone(&first, [&] { ++first; });
      WriteBatch::wakeWhenDone(&second, [&] { ++second; });
    }
    EXPECT_EQ(first, 0) << "the inner scope ended, the outer one did not";
    EXPECT_EQ(second, 0);
  }
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
  WriteBatch::wakeWhenDone(&first, [&] { ++first; });
  EXPECT_EQ(first, 2) << "after the batch, a wake runs at once again";
}

// Jobs submitted within one WriteBatch reach the store's thread together: one transaction (the
// pre-commit hook runs once per transaction).
TEST(WriteBatch, SqliteJobsSubmittedInOneBatchCommitTogether) {
  std::string dir = (std::filesystem::temp_directory_path() / "onair-write-batch-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    sqlite::SqliteStore store(dir + "/onair.db");
    std::atomic<int> commits{0};
    store.addPreCommitHook([&](sqlite3*) { ++commits; });
    {  // the store's thread is then waiting for work (a new thread would find the queue itself)
      std::promise<bool> ready;
      store.submit([&ready](sqlite3*) -> sqlite::SqliteStore::Completion {
        return [&ready](bool committed) { ready.set_value(committed); };
      }, [](const std::string&) {});
      ASSERT_EQ(ready.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // back to waiting
    }
    const int before = commits.load();
    constexpr int kJobs = 5;
    std::vector<std::promise<bool>> done(kJobs);
    {
      WriteBatch together;
      for (auto& promise : done) {
        store.submit([&promise](sqlite3*) -> sqlite::SqliteStore::Completion {
          return [&promise](bool committed) { promise.set_value(committed); };
        }, [](const std::string&) {});
        // Time for a store woken by the first job to commit it alone (it must not be woken).
        if (&promise == &done.front()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    for (auto& promise : done) {
      auto future = promise.get_future();
      ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
      EXPECT_TRUE(future.get());
    }
    EXPECT_EQ(commits.load() - before, 1);
  }
  std::filesystem::remove_all(dir);
}
