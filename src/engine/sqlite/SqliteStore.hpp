#pragma once
// The embedded engine's SQLite database (WAL) and the one thread that uses it.
//
// Work is submitted as jobs; the thread takes every job queued so far, runs them inside one
// transaction, runs the registered pre-commit hooks, commits, and only then runs each job's
// completion. A burst of publishes therefore costs one commit. With WAL and synchronous=NORMAL a
// committed transaction survives a crash of the process (kill -9); an OS crash may lose the last
// transactions, never corrupt the database.
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace onair::engine::sqlite {

class SqliteStore {
 public:
  // Runs after the batch commits; `committed` is false when the commit failed.
  using Completion = std::function<void(bool committed)>;
  // Runs on the store thread inside the batch transaction. May throw: the job's completion is
  // then not run, and `onError` (given to submit) is called with the message after the batch.
  using Job = std::function<Completion(sqlite3* db)>;
  using ErrorHandler = std::function<void(const std::string& message)>;

  // Opens (creating) the database file and its schema. Throws std::runtime_error naming the path.
  explicit SqliteStore(const std::string& path);
  ~SqliteStore();

  void submit(Job job, ErrorHandler onError);
  // Runs what is queued, then stops the thread (the database stays open until destruction).
  void stop();
  // Hooks that run at the end of every batch, before COMMIT (store thread only).
  void addPreCommitHook(std::function<void(sqlite3*)> hook);
  bool healthy() const { return healthy_.load(); }
  const std::string& path() const { return path_; }

 private:
  struct Pending {
    Job job;
    ErrorHandler onError;
  };
  struct Control;
  void run();
  void runBatch(Control& control, std::vector<Pending>& batch);
  void exec(const char* sql);
  bool hasTable(const char* name);

  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;
  std::vector<std::function<void(sqlite3*)>> hooks_;
  bool stopping_ = false;
  std::atomic<bool> healthy_{true};
  std::thread thread_;
};

}  // namespace onair::engine::sqlite
