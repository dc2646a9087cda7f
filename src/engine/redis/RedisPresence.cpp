#include "engine/redis/RedisPresence.hpp"

#include <algorithm>
#include <chrono>

#include "engine/redis/RedisPresenceField.hpp"
#include "engine/redis/ScriptReply.hpp"

namespace onair::engine::redis {

namespace {

// Shared head of the presence scripts: `now` from Redis's clock (ms), `ms(x)` writes a number as
// an integer argument, and `keepAlive(ttl)` makes the room's keys live at least ttl ms longer.
const std::string kPrelude = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function ms(x) return string.format('%.0f', x) end
local function keepAlive(ttl)
  for _, key in ipairs(KEYS) do
    local left = redis.call('PTTL', key)
    if left ~= -2 and left < ttl then redis.call('PEXPIRE', key, ms(ttl)) end
  end
end
)lua";

// KEYS: the room's hash, expiries and counter. ARGV: field, payload, ttlMs.
// Stores the field (keeping its joinSeq while it is live) and sets it to expire in ttlMs.
// Returns 1.
const RedisScript kPut(kPrelude + R"lua(
local ttl = tonumber(ARGV[3])
local old = redis.call('HGET', KEYS[1], ARGV[1])
local expiry = redis.call('ZSCORE', KEYS[2], ARGV[1])
local seq = redis.call('INCR', KEYS[3])
local join = seq
if old and expiry and tonumber(expiry) > now then join = tonumber(string.match(old, '^(%d+) ') or seq) end
redis.call('HSET', KEYS[1], ARGV[1], ms(join) .. ' ' .. ms(seq) .. ' ' .. ARGV[2])
redis.call('ZADD', KEYS[2], ms(now + ttl), ARGV[1])
keepAlive(ttl)
return 1
)lua");

// KEYS: the room's hash and expiries. ARGV: field. Drops the field (absent: nothing). Returns 1.
const RedisScript kRemove(R"lua(
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
)lua");

// KEYS: the room's hash and expiries. Drops expired fields; returns the values of the live ones
// (at most 16 MiB of them: the rest of a room that large is left out of the list).
const RedisScript kList(kPrelude + R"lua(
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ms(now))
for _, field in ipairs(expired) do
  redis.call('HDEL', KEYS[1], field)
  redis.call('ZREM', KEYS[2], field)
end
local values = {}
local bytes = 0
for _, field in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local value = redis.call('HGET', KEYS[1], field)
  if value then
    bytes = bytes + #value
    -- The reply stays far below the client's reply limit (64 MiB): a room this large lists a part.
    if bytes > 16777216 then break end
    values[#values + 1] = value
  end
end
return values
)lua");

// KEYS: the room's hash, expiries and counter. ARGV: ttlMs, the field suffix `\0<nodeId>`, then
// the userIds whose fields this node holds in the room.
// Extends each live field by ttlMs; drops the others. Returns the userIds whose fields are gone.
const RedisScript kRefresh(kPrelude + R"lua(
local ttl = tonumber(ARGV[1])
local gone = {}
for i = 3, #ARGV do
  local field = ARGV[i] .. ARGV[2]
  local expiry = redis.call('ZSCORE', KEYS[2], field)
  if expiry and tonumber(expiry) > now and redis.call('HEXISTS', KEYS[1], field) == 1 then
    redis.call('ZADD', KEYS[2], ms(now + ttl), field)
  else
    redis.call('HDEL', KEYS[1], field)
    redis.call('ZREM', KEYS[2], field)
    gone[#gone + 1] = ARGV[i]
  end
end
keepAlive(ttl)
return gone
)lua");

}  // namespace

RedisPresence::RedisPresence(RedisLink& link, int64_t ttlMs) : link_(link), ttlMs_(std::max<int64_t>(ttlMs, 30)) {}

std::string RedisPresence::fieldOf(const std::string& userId) const {
  std::string field = userId;
  field.push_back('\0');
  field += link_.nodeId();
  return field;
}

Outcome<std::vector<PresenceEntry>> RedisPresence::entriesOf(const RedisOutcome& outcome) {
  if (!outcome.ok()) return ScriptReply::errorOf("presence list", outcome);
  if (!outcome.reply.isArray()) return ScriptReply::unexpected("presence list");
  std::vector<RedisPresenceField> fields;
  fields.reserve(outcome.reply.elements().size());
  for (size_t i = 0; i < outcome.reply.elements().size(); ++i) {
    auto text = ScriptReply::textAt(outcome.reply, i);
    auto field = text ? RedisPresenceField::parse(*text) : std::nullopt;
    if (!field) return ScriptReply::unexpected("presence list");
    fields.push_back(std::move(*field));
  }
  return RedisPresenceField::merge(std::move(fields));
}

void RedisPresence::put(std::string room, PresenceEntry entry, std::function<void(Outcome<Done>)> done) {
  link_.run([this, room = std::move(room), entry = std::move(entry), done = std::move(done)](RedisCommands& client) mutable {
    held_[room][entry.userId] = Held{++generation_, entry};
    const auto& keys = link_.keys();
    client.script(kPut, {keys.key("p", room), keys.key("p", room, ":exp"), keys.key("p", room, ":seq")},
                  {fieldOf(entry.userId), RedisPresenceField::payloadOf(entry), std::to_string(ttlMs_)},
                  [done = std::move(done)](RedisOutcome outcome) {
                    if (!outcome.ok()) return done(ScriptReply::errorOf("presence put", outcome));
                    done(Done{});
                  });
  });
}

void RedisPresence::remove(std::string room, std::string userId, std::function<void(Outcome<Done>)> done) {
  link_.run([this, room = std::move(room), userId = std::move(userId), done = std::move(done)](RedisCommands& client) mutable {
    if (auto it = held_.find(room); it != held_.end()) {
      it->second.erase(userId);
      if (it->second.empty()) held_.erase(it);
    }
    const auto& keys = link_.keys();
    client.script(kRemove, {keys.key("p", room), keys.key("p", room, ":exp")}, {fieldOf(userId)},
                  [done = std::move(done)](RedisOutcome outcome) {
                    if (!outcome.ok()) return done(ScriptReply::errorOf("presence remove", outcome));
                    done(Done{});
                  });
  });
}

void RedisPresence::list(std::string room, std::function<void(Outcome<std::vector<PresenceEntry>>)> done) {
  link_.run([this, room = std::move(room), done = std::move(done)](RedisCommands& client) mutable {
    const auto& keys = link_.keys();
    client.script(kList, {keys.key("p", room), keys.key("p", room, ":exp")}, {},
                  [done = std::move(done)](RedisOutcome outcome) { done(entriesOf(outcome)); });
  });
}

void RedisPresence::clear(std::string room, std::function<void(Outcome<Done>)> done) {
  link_.run([this, room = std::move(room), done = std::move(done)](RedisCommands& client) mutable {
    held_.erase(room);
    const auto& keys = link_.keys();
    client.command({"DEL", keys.key("p", room), keys.key("p", room, ":exp"), keys.key("p", room, ":seq")},
                   [done = std::move(done)](RedisOutcome outcome) {
                     if (!outcome.ok()) return done(ScriptReply::errorOf("presence clear", outcome));
                     done(Done{});
                   });
  });
}

void RedisPresence::startRefreshing() {
  refreshTimer_ = std::make_unique<boost::asio::steady_timer>(link_.io());
  scheduleRefresh();
}

void RedisPresence::stopRefreshing() {
  if (refreshTimer_) refreshTimer_->cancel();
  refreshTimer_.reset();
}

void RedisPresence::scheduleRefresh() {
  refreshTimer_->expires_after(std::chrono::milliseconds(ttlMs_ / 3));
  refreshTimer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec || !refreshTimer_) return;
    for (const auto& [room, users] : held_) refreshRoom(room);
    scheduleRefresh();
  });
}

void RedisPresence::refreshRoom(const std::string& room) {
  RedisCommands* client = link_.commands();
  auto it = held_.find(room);
  if (!client || it == held_.end()) return;
  std::vector<std::string> args{std::to_string(ttlMs_), std::string(1, '\0') + link_.nodeId()};
  for (const auto& [userId, held] : it->second) args.push_back(userId);
  const auto& keys = link_.keys();
  // A user found gone is written again unless put again since (a put sent after this refresh
  // re-created the field) or removed meanwhile.
  client->script(kRefresh, {keys.key("p", room), keys.key("p", room, ":exp"), keys.key("p", room, ":seq")}, args,
                 [this, room, sent = generation_](RedisOutcome outcome) {
                   if (!outcome.ok() || !outcome.reply.isArray()) return;  // the next refresh tries again
                   auto users = held_.find(room);
                   if (users == held_.end()) return;
                   std::vector<PresenceEntry> lost;
                   for (size_t i = 0; i < outcome.reply.elements().size(); ++i) {
                     auto userId = ScriptReply::textAt(outcome.reply, i);
                     if (!userId) continue;
                     auto held = users->second.find(*userId);
                     if (held != users->second.end() && held->second.generation <= sent) lost.push_back(held->second.entry);
                   }
                   // Still held here (no remove came): written again, so other nodes see it again.
                   for (auto& entry : lost) put(room, std::move(entry), [](auto) {});
                 });
}

}  // namespace onair::engine::redis
