#include "engine/redis/RedisNodes.hpp"

#include <algorithm>
#include <charconv>

#include "engine/redis/RedisScript.hpp"

namespace onair::engine::redis {

namespace {

// KEYS[1] the node set, KEYS[2] the records hash; ARGV id, address, startedAt, stats, ttlMs.
// Files the record and the id under its expiry, drops expired ids from both, and keeps both keys
// alive as long as the longest-lived record. Returns the expiry (Redis time, Unix ms).
const RedisScript kAnnounce(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[5])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)
if #expired > 0 then
  redis.call('HDEL', KEYS[2], unpack(expired))
  redis.call('ZREM', KEYS[1], unpack(expired))
end
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({ARGV[2], ARGV[3], ARGV[4]}))
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
return now + ttl
)lua");

// KEYS[1] the node set, KEYS[2] the records hash.
// Returns {id, address, startedAt, stats} for every unexpired node, by expiry.
const RedisScript kList(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
local out = {}
for _, id in ipairs(ids) do
  local stored = redis.call('HGET', KEYS[2], id)
  local ok, r = pcall(cjson.decode, stored or '')
  if ok and type(r) == 'table' and type(r[1]) == 'string' then
    out[#out + 1] = {id, r[1], tostring(r[2] or '0'), tostring(r[3] or '{}')}
  end
end
return out
)lua");

// KEYS[1] the node set, KEYS[2] the records hash; ARGV[1] the id. Returns 1.
const RedisScript kLeave(R"lua(
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
)lua");

constexpr int64_t kRetryAfterMs = 1000;

EngineError errorOf(const RedisOutcome& outcome) { return EngineError{"Redis: " + outcome.message, kRetryAfterMs}; }

bool isText(const RedisReply& r) { return r.type() == RedisReply::Type::Bulk || r.type() == RedisReply::Type::Status; }

// One {id, address, startedAt, stats} row; nullopt when its shape is not that.
std::optional<NodeRecord> recordOf(const RedisReply& row) {
  if (!row.isArray() || row.elements().size() != 4) return std::nullopt;
  const auto& e = row.elements();
  if (!std::all_of(e.begin(), e.end(), isText)) return std::nullopt;
  NodeRecord record{e[0].text(), e[1].text(), 0, e[3].text()};
  const std::string& started = e[2].text();
  auto [end, ec] = std::from_chars(started.data(), started.data() + started.size(), record.startedAtMs);
  if (ec != std::errc() || end != started.data() + started.size()) return std::nullopt;
  return record;
}

}  // namespace

std::vector<std::string> RedisNodes::keys() const {
  return {link_.keys().key("n", "all"), link_.keys().key("n", "all", ":r")};
}

void RedisNodes::announce(NodeAnnouncement self, std::function<void(Outcome<Done>)> done) {
  NodeRecord record{selfId(), std::move(self.address), self.startedAtMs, std::move(self.statsJson)};
  {
    std::lock_guard lock(mutex_);
    self_ = record;
  }
  std::vector<std::string> args{record.id, record.address, std::to_string(record.startedAtMs), record.statsJson,
                                std::to_string(ttlMs_)};
  link_.run([keys = keys(), args = std::move(args), done = std::move(done)](RedisCommands& client) mutable {
    client.script(kAnnounce, keys, args, [done = std::move(done)](RedisOutcome outcome) {
      if (!outcome.ok()) return done(errorOf(outcome));
      if (outcome.reply.type() != RedisReply::Type::Integer) return done(EngineError{"Redis: unexpected reply to a node announce", kRetryAfterMs});
      done(Done{});
    });
  });
}

void RedisNodes::list(std::function<void(Outcome<std::vector<NodeRecord>>)> done) {
  link_.run([this, keys = keys(), done = std::move(done)](RedisCommands& client) mutable {
    client.script(kList, keys, {}, [this, done = std::move(done)](RedisOutcome outcome) {
      if (!outcome.ok()) return done(errorOf(outcome));
      if (!outcome.reply.isArray()) return done(EngineError{"Redis: unexpected reply to a node list", kRetryAfterMs});
      std::vector<NodeRecord> nodes;
      for (const auto& row : outcome.reply.elements()) {
        auto record = recordOf(row);
        if (!record) return done(EngineError{"Redis: unexpected node record", kRetryAfterMs});
        nodes.push_back(std::move(*record));
      }
      done(withSelf(std::move(nodes)));
    });
  });
}

void RedisNodes::leave(std::function<void(Outcome<Done>)> done) {
  {
    std::lock_guard lock(mutex_);
    self_.reset();
  }
  std::vector<std::string> args{selfId()};
  link_.run([keys = keys(), args = std::move(args), done = std::move(done)](RedisCommands& client) mutable {
    client.script(kLeave, keys, args, [done = std::move(done)](RedisOutcome outcome) {
      if (!outcome.ok()) return done(errorOf(outcome));
      done(Done{});
    });
  });
}

std::vector<NodeRecord> RedisNodes::withSelf(std::vector<NodeRecord> nodes) {
  {
    std::lock_guard lock(mutex_);
    auto isSelf = [this](const NodeRecord& n) { return n.id == selfId(); };
    if (self_ && std::none_of(nodes.begin(), nodes.end(), isSelf)) nodes.push_back(*self_);
  }
  std::sort(nodes.begin(), nodes.end(), [](const NodeRecord& a, const NodeRecord& b) { return a.id < b.id; });
  return nodes;
}

}  // namespace onair::engine::redis
