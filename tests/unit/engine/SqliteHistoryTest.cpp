#include "engine/sqlite/SqliteHistory.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <future>

using namespace onair::engine;

namespace {

// A database file as the first schema left it: idempotency keys per stream, whoever published.
void writeFirstSchemaDatabase(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const char* sql = R"sql(
CREATE TABLE streams(name TEXT PRIMARY KEY, epoch TEXT NOT NULL, head INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE messages(stream TEXT NOT NULL, offset INTEGER NOT NULL, ts INTEGER NOT NULL, expires INTEGER NOT NULL,
  publisher TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY(stream, offset)) WITHOUT ROWID;
CREATE TABLE idempotency(stream TEXT NOT NULL, key TEXT NOT NULL, offset INTEGER NOT NULL, ts INTEGER NOT NULL,
  expires INTEGER NOT NULL, PRIMARY KEY(stream, key)) WITHOUT ROWID;
INSERT INTO streams VALUES('c:old', 'ep0001', 1);
INSERT INTO messages VALUES('c:old', 1, 1000, 32503680000000, 'alice', 'chat', '{"n":1}');
INSERT INTO idempotency VALUES('c:old', 'k1', 1, 1000, 32503680000000);
)sql";
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

AppendResult append(History& history, const std::string& publisher, const std::string& data) {
  std::promise<Outcome<AppendResult>> done;
  auto future = done.get_future();
  AppendRequest request{"c:old", "chat", data, publisher, "k1", Retention{}};
  history.append(std::move(request), [&done](Outcome<AppendResult> r) { done.set_value(std::move(r)); });
  EXPECT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto outcome = future.get();
  EXPECT_TRUE(std::holds_alternative<AppendResult>(outcome));
  return std::holds_alternative<AppendResult>(outcome) ? std::get<AppendResult>(outcome) : AppendResult{};
}

}  // namespace

// Keys stored before keys belonged to publishers keep guarding their message after an upgrade,
// now under the publisher of that message.
TEST(SqliteHistory, KeysOfTheFirstSchemaMoveUnderTheirMessagesPublisher) {
  std::string dir = (std::filesystem::temp_directory_path() / "onair-sqlite-history-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/onair.db";
  writeFirstSchemaDatabase(path);
  {
    sqlite::SqliteStore store(path);
    sqlite::SqliteHistory history(store);
    auto retry = append(history, "alice", R"({"n":1})");
    EXPECT_TRUE(retry.duplicate) << "the key was forgotten by the upgrade";
    EXPECT_EQ(retry.offset, 1u);
    EXPECT_FALSE(retry.conflict) << "an old key knows no digest: any repeat is a duplicate";
    auto other = append(history, "bob", R"({"n":2})");
    EXPECT_FALSE(other.duplicate);
    EXPECT_EQ(other.offset, 2u);
    store.stop();
  }
  {
    sqlite::SqliteStore reopened(path);  // the migration ran once; opening again is a no-op
    sqlite::SqliteHistory history(reopened);
    EXPECT_TRUE(append(history, "alice", R"({"n":1})").duplicate);
    reopened.stop();
  }
  std::filesystem::remove_all(dir);
}
