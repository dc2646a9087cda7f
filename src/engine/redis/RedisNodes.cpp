#include "engine/redis/RedisNodes.hpp"

#include <algorithm>
#include <charconv>

#include "engine/redis/RedisScript.hpp"

namespace onair::engine::redis {

namespace {

// KEYS[1] the node set, KEYS[2] this node's hash; ARGV id, address, startedAt, stats, ttlMs.
// Writes the record with the TTL, files the id under its expiry, drops expired ids, and keeps the
// set alive as long as the longest-lived record. Returns the expiry (Redis time, Unix ms).
const RedisScript kAnnounce(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[5])
redis.call('HSET', KEYS[2], 'id', ARGV[1], 'address', ARGV[2], 'startedAt', ARGV[3], 'stats', ARGV[4])
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return now + ttl
)lua");

// KEYS[1] the node set; ARGV[1] the prefix of the record keys (`<prefix>:n:{all}:`, same slot).
// Returns {id, address, startedAt, stats} for every unexpired node, by expiry.
const RedisScript kList(R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
local out = {}
for _, id in ipairs(ids) do
  local r = redis.call('HMGET', ARGV[1] .. id, 'address', 'startedAt', 'stats')
  if r[1] then out[#out + 1] = {id, r[1], r[2] or '0', r[3] or '{}'} end
end
return out
)lua");

// KEYS[1] the node set, KEYS[2] this node's hash; ARGV[1] the id. Returns 1.
const RedisScript kLeave(R"lua(
redis.call('DEL', KEYS[2])
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

std::string RedisNodes::setKey() const { return link_.keys().key("n", "all"); }

std::string RedisNodes::recordKey(const std::string& id) const { return link_.keys().key("n", "all", ":" + id); }

void RedisNodes::announce(NodeAnnouncement self, std::function<void(Outcome<Done>)> done) {
  NodeRecord record{selfId(), std::move(self.address), self.startedAtMs, std::move(self.statsJson)};
  {
    std::lock_guard lock(mutex_);
    self_ = record;
  }
  std::vector<std::string> keys{setKey(), recordKey(record.id)};
  std::vector<std::string> args{record.id, record.address, std::to_string(record.startedAtMs), record.statsJson,
                                std::to_string(ttlMs_)};
  link_.run([keys = std::move(keys), args = std::move(args), done = std::move(done)](RedisClient& client) mutable {
    client.script(kAnnounce, keys, args, [done = std::move(done)](RedisOutcome outcome) {
      if (!outcome.ok()) return done(errorOf(outcome));
      if (outcome.reply.type() != RedisReply::Type::Integer) return done(EngineError{"Redis: unexpected reply to a node announce", kRetryAfterMs});
      done(Done{});
    });
  });
}

void RedisNodes::list(std::function<void(Outcome<std::vector<NodeRecord>>)> done) {
  std::vector<std::string> keys{setKey()};
  std::vector<std::string> args{recordKey("")};
  link_.run([this, keys = std::move(keys), args = std::move(args), done = std::move(done)](RedisClient& client) mutable {
    client.script(kList, keys, args, [this, done = std::move(done)](RedisOutcome outcome) {
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
  std::vector<std::string> keys{setKey(), recordKey(selfId())};
  std::vector<std::string> args{selfId()};
  link_.run([keys = std::move(keys), args = std::move(args), done = std::move(done)](RedisClient& client) mutable {
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
