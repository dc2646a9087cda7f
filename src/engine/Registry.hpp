#pragma once
// Registry: durable records with versions (room metadata, stages, stream rooms).
//
// Contract: put() with an expected version succeeds only if the stored version equals it (0 for
// "not stored yet") and then stores version + 1; without one it always succeeds. Each record's
// versions increase by one per successful put. Completions run on the engine's thread.
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
};

}  // namespace onair::engine
