#pragma once
// A prepared SQLite statement, reset after each use. Owned by the store thread.
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace onair::engine::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bindNull(int index);
  // Steps once: true while a row is available.
  bool step();
  // Runs to completion (for writes); throws on error.
  void run();
  void reset();

  int64_t columnInt(int index) const { return sqlite3_column_int64(stmt_, index); }
  std::string columnText(int index) const;
  bool columnIsNull(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace onair::engine::sqlite
