#pragma once
// History on SQLite (see engine/History.hpp for the contract). Heads and epochs of streams in
// use are cached on the store thread; the database is the truth across restarts.
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "engine/History.hpp"
#include "engine/sqlite/SqliteStore.hpp"
#include "engine/sqlite/Statement.hpp"

namespace onair::engine::sqlite {

class SqliteHistory final : public History {
 public:
  explicit SqliteHistory(SqliteStore& store);
  ~SqliteHistory() override;

  void append(AppendRequest request, std::function<void(Outcome<AppendResult>)> done) override;
  void read(ReadRequest request, std::function<void(Outcome<ReadResult>)> done) override;
  void trim(TrimRequest request, std::function<void(Outcome<Done>)> done) override;
  void remove(std::string stream, std::function<void(Outcome<Done>)> done) override;

 private:
  struct StreamInfo {
    std::string epoch;
    uint64_t head = 0;
    uint64_t headStored = 0;    // head as last written to the streams table
    uint32_t maxMessages = 0;   // from the latest append, for trimming
  };
  struct Statements;

  StreamInfo& streamInfo(sqlite3* db, const std::string& stream);  // loads or creates
  void flushHeads(sqlite3* db);                                     // pre-commit hook
  void expireOld(sqlite3* db, int64_t nowMs);

  SqliteStore& store_;
  std::unique_ptr<Statements> sql_;  // made lazily on the store thread
  std::unordered_map<std::string, StreamInfo> streams_;
  std::unordered_set<std::string> dirty_;
  int64_t lastExpiryMs_ = 0;
};

}  // namespace onair::engine::sqlite
