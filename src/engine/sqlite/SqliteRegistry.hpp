#pragma once
// Registry on SQLite (see engine/Registry.hpp for the contract).
#include <memory>

#include "engine/Registry.hpp"
#include "engine/sqlite/SqliteStore.hpp"

namespace onair::engine::sqlite {

class SqliteRegistry final : public Registry {
 public:
  explicit SqliteRegistry(SqliteStore& store);
  ~SqliteRegistry() override;

  void get(std::string key, std::function<void(Outcome<std::optional<Record>>)> done) override;
  void put(std::string key, std::string value, std::optional<uint64_t> expectedVersion,
           std::function<void(Outcome<PutResult>)> done) override;
  void remove(std::string key, std::function<void(Outcome<Done>)> done) override;
  void removeIf(std::string key, uint64_t expectedVersion, std::function<void(Outcome<bool>)> done) override;
  void addMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) override;
  void removeMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) override;

 private:
  // One store job: read the set, add or remove `member`, write it back when it changed.
  void changeSet(std::string key, std::string member, bool add, std::function<void(Outcome<bool>)> done);
  struct Statements;
  Statements& sql(sqlite3* db);

  SqliteStore& store_;
  std::unique_ptr<Statements> sql_;
};

}  // namespace onair::engine::sqlite
