#pragma once
// The Registry in Redis (see engine/Registry.hpp), shared by every node.
//
// A record is a hash `<prefix>:g:{key}` {value, version, updatedAtMs}. put() checks the expected
// version and addMember()/removeMember() change a set inside one Lua script each, so no other
// operation on the key runs in between, and removeIf() compares and deletes in one too; get() and
// remove() are one plain command. updatedAtMs is
// Redis's clock (TIME). A changed set is written back in the JSON form the embedded engine
// stores (boost::json's: no spaces, `"`, `\` and control characters escaped, all else raw).
// Completions run on the engine's thread; an outage is an EngineError.
#include "engine/Registry.hpp"
#include "engine/redis/RedisLink.hpp"

namespace onair::engine::redis {

class RedisRegistry final : public Registry {
 public:
  explicit RedisRegistry(RedisLink& link) : link_(link) {}
  void get(std::string key, std::function<void(Outcome<std::optional<Record>>)> done) override;
  void put(std::string key, std::string value, std::optional<uint64_t> expectedVersion,
           std::function<void(Outcome<PutResult>)> done) override;
  void remove(std::string key, std::function<void(Outcome<Done>)> done) override;
  void removeIf(std::string key, uint64_t expectedVersion, std::function<void(Outcome<bool>)> done) override;
  void addMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) override;
  void removeMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) override;

  // The replies read back (public for tests): an EngineError for a failed command or a reply of
  // another shape.
  static Outcome<std::optional<Record>> recordOf(const RedisOutcome& outcome);
  static Outcome<PutResult> putResultOf(const RedisOutcome& outcome, std::string value);
  static Outcome<bool> removedOf(const RedisOutcome& outcome);
  static Outcome<bool> setChangeOf(const RedisOutcome& outcome, const std::string& key);

 private:
  void changeSet(std::string key, std::string member, bool add, std::function<void(Outcome<bool>)> done);

  RedisLink& link_;
};

}  // namespace onair::engine::redis
