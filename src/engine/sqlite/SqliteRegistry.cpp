#include "engine/sqlite/SqliteRegistry.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "engine/sqlite/Statement.hpp"

namespace onair::engine::sqlite {

struct SqliteRegistry::Statements {
  explicit Statements(sqlite3* db)
      : select(db, "SELECT value, version, updated FROM records WHERE key = ?1"),
        upsert(db, "INSERT OR REPLACE INTO records(key, value, version, updated) VALUES(?1, ?2, ?3, ?4)"),
        erase(db, "DELETE FROM records WHERE key = ?1"),
        eraseAt(db, "DELETE FROM records WHERE key = ?1 AND version = ?2") {}
  Statement select, upsert, erase, eraseAt;
};

SqliteRegistry::SqliteRegistry(SqliteStore& store) : store_(store) {}
SqliteRegistry::~SqliteRegistry() = default;

SqliteRegistry::Statements& SqliteRegistry::sql(sqlite3* db) {
  if (!sql_) sql_ = std::make_unique<Statements>(db);
  return *sql_;
}

namespace {
int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The members of a set record (see engine/Registry.hpp); throws when the value is not a set.
boost::json::array membersOf(const std::string& key, const std::optional<Record>& record) {
  if (!record) return {};
  boost::system::error_code ec;
  auto value = boost::json::parse(record->value, ec);
  const auto* members = ec ? nullptr : value.if_array();
  if (!members || std::any_of(members->begin(), members->end(), [](const auto& m) { return !m.is_string(); })) {
    throw std::runtime_error("registry record " + key + " is not a set (a JSON array of strings)");
  }
  return *members;
}

std::optional<Record> load(Statement& select, const std::string& key) {
  select.bind(1, key);
  std::optional<Record> out;
  if (select.step()) out = Record{select.columnText(0), static_cast<uint64_t>(select.columnInt(1)), select.columnInt(2)};
  select.reset();
  return out;
}

template <class T>
SqliteStore::ErrorHandler failWith(std::shared_ptr<std::function<void(Outcome<T>)>> done) {
  return [done](const std::string& message) { (*done)(EngineError{message}); };
}
}  // namespace

void SqliteRegistry::get(std::string key, std::function<void(Outcome<std::optional<Record>>)> done) {
  auto shared = std::make_shared<std::function<void(Outcome<std::optional<Record>>)>>(std::move(done));
  store_.submit(
      [this, key = std::move(key), shared](sqlite3* db) -> SqliteStore::Completion {
        auto record = load(sql(db).select, key);
        return [shared, record](bool ok) {
          if (ok) (*shared)(record);
          else (*shared)(EngineError{"registry read failed"});
        };
      },
      failWith(shared));
}

void SqliteRegistry::put(std::string key, std::string value, std::optional<uint64_t> expectedVersion,
                         std::function<void(Outcome<PutResult>)> done) {
  auto shared = std::make_shared<std::function<void(Outcome<PutResult>)>>(std::move(done));
  store_.submit(
      [this, key = std::move(key), value = std::move(value), expectedVersion, shared](sqlite3* db) -> SqliteStore::Completion {
        auto& s = sql(db);
        auto current = load(s.select, key);
        uint64_t version = current ? current->version : 0;
        PutResult result;
        if (expectedVersion && *expectedVersion != version) {
          result.conflict = true;
          result.record = current.value_or(Record{});
        } else {
          auto now = nowMs();
          result.record = Record{value, version + 1, now};
          s.upsert.bind(1, key).bind(2, value).bind(3, static_cast<int64_t>(version + 1)).bind(4, now).run();
        }
        return [shared, result](bool ok) {
          if (ok) (*shared)(result);
          else (*shared)(EngineError{"registry write failed"});
        };
      },
      failWith(shared));
}

void SqliteRegistry::remove(std::string key, std::function<void(Outcome<Done>)> done) {
  auto shared = std::make_shared<std::function<void(Outcome<Done>)>>(std::move(done));
  store_.submit(
      [this, key = std::move(key), shared](sqlite3* db) -> SqliteStore::Completion {
        sql(db).erase.bind(1, key).run();
        return [shared](bool ok) {
          if (ok) (*shared)(Done{});
          else (*shared)(EngineError{"registry remove failed"});
        };
      },
      failWith(shared));
}

void SqliteRegistry::removeIf(std::string key, uint64_t expectedVersion, std::function<void(Outcome<bool>)> done) {
  auto shared = std::make_shared<std::function<void(Outcome<bool>)>>(std::move(done));
  store_.submit(
      [this, key = std::move(key), expectedVersion, shared](sqlite3* db) -> SqliteStore::Completion {
        // One statement: the version check and the delete are one step.
        sql(db).eraseAt.bind(1, key).bind(2, static_cast<int64_t>(expectedVersion)).run();
        const bool removed = sqlite3_changes(db) > 0;
        return [shared, removed](bool ok) {
          if (ok) (*shared)(removed);
          else (*shared)(EngineError{"registry remove failed"});
        };
      },
      failWith(shared));
}

void SqliteRegistry::addMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) {
  changeSet(std::move(key), std::move(member), true, std::move(done));
}

void SqliteRegistry::removeMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) {
  changeSet(std::move(key), std::move(member), false, std::move(done));
}

void SqliteRegistry::changeSet(std::string key, std::string member, bool add, std::function<void(Outcome<bool>)> done) {
  auto shared = std::make_shared<std::function<void(Outcome<bool>)>>(std::move(done));
  store_.submit(
      [this, key = std::move(key), member = std::move(member), add, shared](sqlite3* db) -> SqliteStore::Completion {
        // The read and the write share this job: the store runs no other job in between.
        auto& s = sql(db);
        auto current = load(s.select, key);
        auto members = membersOf(key, current);
        auto found = std::find_if(members.begin(), members.end(), [&](const auto& m) { return m.as_string() == member; });
        const bool changed = add ? found == members.end() : found != members.end();
        if (changed) {
          if (add) members.emplace_back(member);
          else members.erase(found);
          uint64_t version = current ? current->version : 0;
          s.upsert.bind(1, key).bind(2, boost::json::serialize(members)).bind(3, static_cast<int64_t>(version + 1)).bind(4, nowMs()).run();
        }
        return [shared, changed](bool ok) {
          if (ok) (*shared)(changed);
          else (*shared)(EngineError{"registry write failed"});
        };
      },
      failWith(shared));
}

}  // namespace onair::engine::sqlite
