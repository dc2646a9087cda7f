#pragma once
// One node's view of a member of a room, as RedisPresence keeps it in the room's hash:
//
//   <joinSeq> SP <putSeq> SP <payload>
//   joinSeq, putSeq: decimal, written by the put script (the room's counter)
//   payload: {"u":userId,"n":name,"m":metadataJson,"p":presenceJson,"j":joinedAtMs}, a JSON object
//            written by payloadOf(); every text is a JSON string, so any bytes round-trip
//
// Contract: parse() is pure and bounded (kMaxBytes); it accepts exactly that form (extra payload
// members are ignored) and returns nullopt for anything else. merge() makes one entry per user:
// the earliest joinSeq and joinedAtMs of the user's fields, the contents of its latest put
// (highest putSeq), ordered by joinSeq, then userId.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/Presence.hpp"

namespace onair::engine::redis {

struct RedisPresenceField {
  static constexpr size_t kMaxBytes = 4 << 20;

  int64_t joinSeq = 0;
  int64_t putSeq = 0;
  PresenceEntry entry;

  static std::string payloadOf(const PresenceEntry& entry);
  static std::optional<RedisPresenceField> parse(std::string_view stored);
  static std::vector<PresenceEntry> merge(std::vector<RedisPresenceField> fields);
};

}  // namespace onair::engine::redis
