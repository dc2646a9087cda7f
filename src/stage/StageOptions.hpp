#pragma once
// What the stage surface takes from config (README, config table: `stage.*`).
#include <cstdint>

namespace onair::stage {

struct StageOptions {
  // Hosts get at most one request-list update per interval; also the period of each shard's
  // stage tick (saves, token expiry, forgetting departed viewers, unloading idle stages).
  int64_t requestUpdateIntervalMs = 100;
  // A viewer whose last connection closed while OFF_STAGE (nothing durable to keep) is forgotten
  // this long after; a stage nobody is connected to leaves memory once its departed viewers are
  // forgotten, and is loaded again from the Registry when next used.
  int64_t departedTtlMs = 60000;
};

}  // namespace onair::stage
