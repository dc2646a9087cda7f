#pragma once
// Broadcast kinds and live limits (config: live.*, [live.kinds.<kind>]).
#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace onair::live {

struct KindOptions {
  uint32_t cap = 8;                       // concurrent slots per scope
  bool capPerScopeClaim = false;          // cap_scope = "scope": the token's scope claim, else the user
  std::set<std::string> transports = {"iframe-url", "portal-relay", "webrtc"};
  int64_t publishTtlSeconds = 30;
  int64_t slotTtlSeconds = 60;
  uint32_t attachRatePerMinute = 60;
};

struct LiveOptions {
  std::map<std::string, KindOptions> kinds;  // registered kinds
  int64_t tombstoneSeconds = 600;
  int64_t maxExpiresSeconds = 86400;
  int64_t maxMetaBytes = 8192;
  int64_t viewersIntervalMs = 500;
  uint32_t maxEntriesPerUser = 100;  // live entries one user publishes at once (client ops)
  // Tombstones a shard keeps (a liveId and a time each). Entries lapse at most at the publish rate,
  // so this bounds their memory under a flood; past it a lapsed entry answers not_found.
  size_t maxTombstonesPerShard = 65536;
};

}  // namespace onair::live
