#include "engine/sqlite/SqliteStore.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "engine/WriteBatch.hpp"
#include "engine/sqlite/Statement.hpp"

namespace onair::engine::sqlite {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS streams(
  name TEXT PRIMARY KEY, epoch TEXT NOT NULL, head INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages(
  stream TEXT NOT NULL, offset INTEGER NOT NULL, ts INTEGER NOT NULL, expires INTEGER NOT NULL,
  publisher TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY(stream, offset)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency_keys(
  stream TEXT NOT NULL, publisher TEXT NOT NULL, key TEXT NOT NULL, offset INTEGER NOT NULL,
  ts INTEGER NOT NULL, expires INTEGER NOT NULL, digest INTEGER,
  PRIMARY KEY(stream, publisher, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records(
  key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL, updated INTEGER NOT NULL) WITHOUT ROWID;
)sql";

// The first schema kept one idempotency key per stream, whoever published. Its keys move under
// the publisher of the message each names, with no digest (NULL: a repeat is a duplicate).
constexpr const char* kMigrateStreamKeys = R"sql(
BEGIN;
INSERT OR IGNORE INTO idempotency_keys(stream, publisher, key, offset, ts, expires, digest)
  SELECT i.stream, COALESCE(m.publisher, ''), i.key, i.offset, i.ts, i.expires, NULL
  FROM idempotency i LEFT JOIN messages m ON m.stream = i.stream AND m.offset = i.offset;
DROP TABLE idempotency;
COMMIT;
)sql";

}  // namespace

SqliteStore::SqliteStore(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + path + ": " + message);
  }
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA busy_timeout=5000");
    // Checkpoint every 10,000 WAL frames (~40 MiB), not SQLite's 1,000: a checkpoint writes each
    // page once however often it changed, so busy streams cost far fewer writes and fsyncs.
    exec("PRAGMA wal_autocheckpoint=10000");
    exec(kSchema);
    if (hasTable("idempotency")) exec(kMigrateStreamKeys);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
  thread_ = std::thread([this] { run(); });
}

SqliteStore::~SqliteStore() {
  stop();
  sqlite3_close_v2(db_);  // v2: waits for statements still owned by history/registry
}

void SqliteStore::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void SqliteStore::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("sqlite (" + path_ + "): " + message);
  }
}

bool SqliteStore::hasTable(const char* name) {
  Statement query(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  query.bind(1, name);
  bool found = query.step();
  query.reset();
  return found;
}

void SqliteStore::submit(Job job, ErrorHandler onError) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(job), std::move(onError)});
  }
  // Inside a WriteBatch the thread is woken once, when it ends (usually one transaction for all).
  WriteBatch::wakeWhenDone(this, [this] { wake_.notify_one(); });
}

void SqliteStore::addPreCommitHook(std::function<void(sqlite3*)> hook) { hooks_.push_back(std::move(hook)); }

// The statements every batch runs, prepared once (sqlite3_exec would parse them each time).
struct SqliteStore::Control {
  explicit Control(sqlite3* db)
      : begin(db, "BEGIN"), commit(db, "COMMIT"), rollback(db, "ROLLBACK"), savepoint(db, "SAVEPOINT job"),
        release(db, "RELEASE job"), rollbackTo(db, "ROLLBACK TO job") {}
  Statement begin, commit, rollback, savepoint, release, rollbackTo;
};

void SqliteStore::run() {
  Control control(db_);
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      batch.swap(queue_);
    }
    runBatch(control, batch);
    batch.clear();
  }
}

void SqliteStore::runBatch(Control& control, std::vector<Pending>& batch) {
  std::vector<Completion> completions;
  std::vector<std::pair<ErrorHandler, std::string>> failures;
  completions.reserve(batch.size());
  try {
    control.begin.run();
  } catch (const std::exception& e) {
    healthy_ = false;
    for (auto& p : batch) p.onError(e.what());
    return;
  }
  // Each job in a savepoint, so one failing job does not undo the others.
  for (auto& p : batch) {
    try {
      control.savepoint.run();
      completions.push_back(p.job(db_));
      control.release.run();
    } catch (const std::exception& e) {
      try {
        control.rollbackTo.run();
        control.release.run();
      } catch (...) {
      }
      failures.emplace_back(std::move(p.onError), e.what());
    }
  }
  bool committed = true;
  try {
    for (auto& hook : hooks_) hook(db_);
    control.commit.run();
    healthy_ = true;
  } catch (const std::exception& e) {
    spdlog::error("sqlite commit failed: {}", e.what());
    committed = false;
    healthy_ = false;
    try {
      control.rollback.run();
    } catch (...) {
    }
  }
  for (auto& c : completions) {
    if (c) c(committed);
  }
  for (auto& [handler, message] : failures) handler(message);
}

}  // namespace onair::engine::sqlite
