#pragma once
// Registry: durable records with versions (room metadata, stages, stream rooms).
//
// Contract: put() with an expected version succeeds only if the stored version equals it (0 for
// "not stored yet") and then stores version + 1; without one it always succeeds. Each record's
// versions increase by one per successful put. Completions run on the engine's thread.
//
// Sets: a set is a record whose value is a JSON array of distinct strings (get() reads it like
// any record). addMember() and removeMember() read, change and write it as one atomic step: no
// other operation on the key runs in between (embedded: one store job; Redis: one Lua script), so
// callers changing one set at once never lose each other's change. Each reports whether the set
// changed; a change stores version + 1, no change keeps the version. A missing key is the empty
// set: adding creates it at version 1, removing from it changes nothing; removing the last member
// stores "[]". A value that is not an array of strings fails with an EngineError, unchanged.
//
// Compare-and-delete: removeIf() removes the record only if its stored version equals
// `expectedVersion`, reading and deleting as one atomic step (embedded: one store job; Redis: one
// Lua script), so a record another node replaced after the caller read it is left alone. The
// outcome is true when it removed the record, false when the key is missing or holds another
// version (nothing changed).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/EngineError.hpp"

namespace onair::engine {

struct Record {
  std::string value;       // serialized JSON
  uint64_t version = 0;    // 0: never stored
  int64_t updatedAtMs = 0;
};

struct PutResult {
  bool conflict = false;   // the expected version did not match
  Record record;           // the stored record (the current one on conflict)
};

class Registry {
 public:
  virtual ~Registry() = default;
  virtual void get(std::string key, std::function<void(Outcome<std::optional<Record>>)> done) = 0;
  virtual void put(std::string key, std::string value, std::optional<uint64_t> expectedVersion,
                   std::function<void(Outcome<PutResult>)> done) = 0;
  virtual void remove(std::string key, std::function<void(Outcome<Done>)> done) = 0;
  // Removes the record only while it is at `expectedVersion` (see "Compare-and-delete" above).
  virtual void removeIf(std::string key, uint64_t expectedVersion, std::function<void(Outcome<bool>)> done) = 0;
  // Set members (see "Sets" above); the outcome is true when the set changed.
  virtual void addMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) = 0;
  virtual void removeMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) = 0;
};

}  // namespace onair::engine
