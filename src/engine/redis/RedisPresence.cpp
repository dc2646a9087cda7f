#include "engine/redis/RedisPresence.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string_view>
#include <unordered_map>

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

// KEYS: the room's hash and expiries. Drops expired fields; returns the values of the live ones.
const RedisScript kList(kPrelude + R"lua(
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ms(now))
for _, field in ipairs(expired) do
  redis.call('HDEL', KEYS[1], field)
  redis.call('ZREM', KEYS[2], field)
end
local values = {}
for _, field in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local value = redis.call('HGET', KEYS[1], field)
  if value then values[#values + 1] = value end
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

// One stored field: `<joinSeq> <putSeq> <payload>`.
struct StoredField {
  int64_t joinSeq = 0;
  int64_t putSeq = 0;
  PresenceEntry entry;
};

bool takeNumber(std::string_view& text, int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end == text.data() + text.size() || *end != ' ') return false;
  text.remove_prefix(static_cast<size_t>(end - text.data()) + 1);
  return true;
}

std::optional<StoredField> parseField(std::string_view text) {
  StoredField field;
  if (!takeNumber(text, field.joinSeq) || !takeNumber(text, field.putSeq)) return std::nullopt;
  boost::json::parse_options options;
  options.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  auto payload = boost::json::parse(text, ec, {}, options);
  const auto* object = ec ? nullptr : payload.if_object();
  if (!object) return std::nullopt;
  const auto* userId = object->if_contains("u");
  const auto* name = object->if_contains("n");
  const auto* metadata = object->if_contains("m");
  const auto* presence = object->if_contains("p");
  const auto* joinedAt = object->if_contains("j");
  if (!userId || !userId->is_string() || !name || !name->is_string() || !metadata || !metadata->is_string() ||
      !presence || !presence->is_string() || !joinedAt || !joinedAt->is_int64()) {
    return std::nullopt;
  }
  field.entry.userId = userId->get_string();
  field.entry.name = name->get_string();
  field.entry.metadataJson = metadata->get_string();
  field.entry.presenceJson = presence->get_string();
  field.entry.joinedAtMs = joinedAt->get_int64();
  return field;
}

}  // namespace

RedisPresence::RedisPresence(RedisLink& link, int64_t ttlMs) : link_(link), ttlMs_(std::max<int64_t>(ttlMs, 30)) {}

std::string RedisPresence::fieldOf(const std::string& userId) const {
  std::string field = userId;
  field.push_back('\0');
  field += link_.nodeId();
  return field;
}

std::string RedisPresence::payloadOf(const PresenceEntry& entry) {
  return boost::json::serialize(boost::json::object{{"u", entry.userId},
                                                    {"n", entry.name},
                                                    {"m", entry.metadataJson},
                                                    {"p", entry.presenceJson},
                                                    {"j", entry.joinedAtMs}});
}

Outcome<std::vector<PresenceEntry>> RedisPresence::entriesOf(const RedisOutcome& outcome) {
  if (!outcome.ok()) return ScriptReply::errorOf("presence list", outcome);
  if (!outcome.reply.isArray()) return ScriptReply::unexpected("presence list");
  // userId → the merged field: earliest joinSeq and joinedAtMs, the latest put's contents.
  std::unordered_map<std::string, StoredField> users;
  for (size_t i = 0; i < outcome.reply.elements().size(); ++i) {
    auto text = ScriptReply::textAt(outcome.reply, i);
    auto field = text ? parseField(*text) : std::nullopt;
    if (!field) return ScriptReply::unexpected("presence list");
    auto [it, added] = users.try_emplace(field->entry.userId, *field);
    if (added) continue;
    StoredField& merged = it->second;
    const int64_t joinSeq = std::min(merged.joinSeq, field->joinSeq);
    const int64_t joinedAtMs = std::min(merged.entry.joinedAtMs, field->entry.joinedAtMs);
    if (field->putSeq > merged.putSeq) merged = std::move(*field);
    merged.joinSeq = joinSeq;
    merged.entry.joinedAtMs = joinedAtMs;
  }
  std::vector<StoredField> ordered;
  ordered.reserve(users.size());
  for (auto& [userId, field] : users) ordered.push_back(std::move(field));
  std::sort(ordered.begin(), ordered.end(), [](const StoredField& a, const StoredField& b) {
    return a.joinSeq != b.joinSeq ? a.joinSeq < b.joinSeq : a.entry.userId < b.entry.userId;
  });
  std::vector<PresenceEntry> entries;
  entries.reserve(ordered.size());
  for (auto& field : ordered) entries.push_back(std::move(field.entry));
  return entries;
}

void RedisPresence::put(std::string room, PresenceEntry entry, std::function<void(Outcome<Done>)> done) {
  link_.run([this, room = std::move(room), entry = std::move(entry), done = std::move(done)](RedisClient& client) mutable {
    held_[room][entry.userId] = ++generation_;
    const auto& keys = link_.keys();
    client.script(kPut, {keys.key("p", room), keys.key("p", room, ":exp"), keys.key("p", room, ":seq")},
                  {fieldOf(entry.userId), payloadOf(entry), std::to_string(ttlMs_)},
                  [done = std::move(done)](RedisOutcome outcome) {
                    if (!outcome.ok()) return done(ScriptReply::errorOf("presence put", outcome));
                    done(Done{});
                  });
  });
}

void RedisPresence::remove(std::string room, std::string userId, std::function<void(Outcome<Done>)> done) {
  link_.run([this, room = std::move(room), userId = std::move(userId), done = std::move(done)](RedisClient& client) mutable {
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
  link_.run([this, room = std::move(room), done = std::move(done)](RedisClient& client) mutable {
    const auto& keys = link_.keys();
    client.script(kList, {keys.key("p", room), keys.key("p", room, ":exp")}, {},
                  [done = std::move(done)](RedisOutcome outcome) { done(entriesOf(outcome)); });
  });
}

void RedisPresence::clear(std::string room, std::function<void(Outcome<Done>)> done) {
  link_.run([this, room = std::move(room), done = std::move(done)](RedisClient& client) mutable {
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
  RedisClient* client = link_.client();
  auto it = held_.find(room);
  if (!client || it == held_.end()) return;
  std::vector<std::string> args{std::to_string(ttlMs_), std::string(1, '\0') + link_.nodeId()};
  for (const auto& [userId, generation] : it->second) args.push_back(userId);
  const auto& keys = link_.keys();
  // A user found gone is forgotten unless put again since: a put sent after this refresh
  // re-created the field.
  client->script(kRefresh, {keys.key("p", room), keys.key("p", room, ":exp"), keys.key("p", room, ":seq")}, args,
                 [this, room, sent = generation_](RedisOutcome outcome) {
                   if (!outcome.ok() || !outcome.reply.isArray()) return;  // the next refresh tries again
                   auto users = held_.find(room);
                   if (users == held_.end()) return;
                   for (size_t i = 0; i < outcome.reply.elements().size(); ++i) {
                     auto userId = ScriptReply::textAt(outcome.reply, i);
                     if (!userId) continue;
                     auto held = users->second.find(*userId);
                     if (held != users->second.end() && held->second <= sent) users->second.erase(held);
                   }
                   if (users->second.empty()) held_.erase(users);
                 });
}

}  // namespace onair::engine::redis
