#pragma once
// Presence in Redis (see engine/Presence.hpp), shared by every node.
//
// A member may be connected to several nodes, each of which put()s and remove()s its own view,
// so Redis holds one field per (userId, node) and list() merges them into one entry per user:
// - `<prefix>:p:{room}` hash: field `<userId>\0<nodeId>` → the entry as RedisPresenceField
//   stores it, `<joinSeq> <putSeq> <JSON payload>`;
// - `<prefix>:p:{room}:exp` sorted set: the same fields scored by expiresAtMs (Redis's clock);
// - `<prefix>:p:{room}:seq` counter: joinSeq orders joins (a field keeps its joinSeq while it
//   lives; a new field takes the next), putSeq orders puts.
// list() drops expired fields and returns per user the earliest joinSeq and joinedAtMs and the
// latest put's name, metadata and presence, in join order (joinSeq, then userId). remove() drops
// this node's field only; clear() drops the whole room.
//
// Expiry: a field expires ttlMs after it was last put or refreshed. While refreshing (between
// startRefreshing() and stopRefreshing(), both on the engine's loop thread), the node refreshes
// the fields it holds every ttlMs/3, one script per room, and forgets those that are gone; the
// fields of a node that died expire within ttlMs. The room's keys expire with its latest field.
// Completions run on the engine's thread; an outage is an EngineError.
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "engine/Presence.hpp"
#include "engine/redis/RedisLink.hpp"

namespace onair::engine::redis {

class RedisPresence final : public Presence {
 public:
  RedisPresence(RedisLink& link, int64_t ttlMs);
  void put(std::string room, PresenceEntry entry, std::function<void(Outcome<Done>)> done) override;
  void remove(std::string room, std::string userId, std::function<void(Outcome<Done>)> done) override;
  void list(std::string room, std::function<void(Outcome<std::vector<PresenceEntry>>)> done) override;
  void clear(std::string room, std::function<void(Outcome<Done>)> done) override;

  // Loop thread only.
  void startRefreshing();
  void stopRefreshing();

  // The list script's reply read back, merged per user (public for tests): an EngineError for a
  // failed command or a reply of another shape (see RedisPresenceField).
  static Outcome<std::vector<PresenceEntry>> entriesOf(const RedisOutcome& outcome);

 private:
  void scheduleRefresh();
  void refreshRoom(const std::string& room);
  std::string fieldOf(const std::string& userId) const;

  RedisLink& link_;
  const int64_t ttlMs_;
  // Loop thread only: room → userId → generation (bumped per put) of the fields this node holds.
  // A refresh forgets a field found gone only if no put came after it was sent.
  std::map<std::string, std::map<std::string, uint64_t>> held_;
  uint64_t generation_ = 0;
  std::unique_ptr<boost::asio::steady_timer> refreshTimer_;
};

}  // namespace onair::engine::redis
