#pragma once
// An object that one node owns at a time (OwnerKey names it): its ownership key, and the Registry
// records whose existence says it exists (any one of them). Only objects that exist get an owner,
// so names nobody created leave nothing behind in the engine.
#include <string>
#include <vector>

namespace onair::relay {

struct OwnedObject {
  std::string key;                   // "media:sr_<x>": a stage and its media room share it
  std::vector<std::string> records;  // e.g. "streamroom:sr_<x>", "stage:st_<x>"
};

}  // namespace onair::relay
