#pragma once
// The Registry in process memory (see engine/Registry.hpp), for tests and single-process tools:
// nothing survives the process. Thread-safe; completions run synchronously, before the call
// returns, outside the lock (a completion may call the registry again).
#include <map>
#include <mutex>
#include <string>

#include "engine/Registry.hpp"

namespace onair::engine::memory {

class MemoryRegistry final : public Registry {
 public:
  void get(std::string key, std::function<void(Outcome<std::optional<Record>>)> done) override;
  void put(std::string key, std::string value, std::optional<uint64_t> expectedVersion,
           std::function<void(Outcome<PutResult>)> done) override;
  void remove(std::string key, std::function<void(Outcome<Done>)> done) override;
  void removeIf(std::string key, uint64_t expectedVersion, std::function<void(Outcome<bool>)> done) override;
  void addMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) override;
  void removeMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) override;

 private:
  // Adds or removes `member` in the set at `key` under the lock; an EngineError when the value
  // is not an array of strings.
  Outcome<bool> changeSet(const std::string& key, const std::string& member, bool add);

  std::mutex mutex_;
  std::map<std::string, Record> records_;
};

}  // namespace onair::engine::memory
