#include "engine/redis/RedisLeases.hpp"

#include "engine/redis/ScriptReply.hpp"

namespace onair::engine::redis {

namespace {

// Shared head of the slot scripts: `now` from Redis's clock (ms), `ms(x)` writes a number as an
// integer argument, and `expireWithLatest(key)` makes the set expire with its latest slot.
const std::string kSlotPrelude = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function ms(x) return string.format('%.0f', x) end
local function expireWithLatest(key)
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIREAT', key, ms(tonumber(last[2]) + 1)) end
end
)lua";

// KEYS[1]: the slot set. ARGV: slotId, cap, ttlMs.
// Drops expired slots; renews a held slot, else adds it when fewer than cap are held.
// Returns {granted (1|0), count of unexpired slots after the call, expiresAtMs (0 if refused)}.
const RedisScript kAcquire(kSlotPrelude + R"lua(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms(now))
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
local count = redis.call('ZCARD', KEYS[1])
if not held and count >= tonumber(ARGV[2]) then return {0, count, 0} end
local expires = now + tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], ms(expires), ARGV[1])
if not held then count = count + 1 end
expireWithLatest(KEYS[1])
return {1, count, expires}
)lua");

// KEYS[1]: the slot set. ARGV: slotId, ttlMs.
// Extends a held, unexpired slot. Returns its new expiresAtMs, or 0 when it is not held.
const RedisScript kRenew(kSlotPrelude + R"lua(
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not held or tonumber(held) <= now then return 0 end
local expires = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], ms(expires), ARGV[1])
expireWithLatest(KEYS[1])
return expires
)lua");

// KEYS[1]: the slot set. ARGV: slotId. Removes the slot (absent: nothing). Returns 1.
const RedisScript kRelease(R"lua(
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
)lua");

// KEYS[1]: the window's counter. ARGV: limit, windowMs.
// Counts one hit unless the window already holds `limit`; the counter expires windowMs after the
// window's first hit. Returns {allowed (1|0), retryAfterMs (0 when allowed)}.
const RedisScript kHit(R"lua(
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then
  local left = redis.call('PTTL', KEYS[1])
  if left <= 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    left = tonumber(ARGV[2])
  end
  return {0, left}
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, 0}
)lua");

}  // namespace

Outcome<SlotGrant> RedisLeases::grantOf(const RedisOutcome& outcome) {
  if (!outcome.ok()) return ScriptReply::errorOf("acquire", outcome);
  auto granted = ScriptReply::integerAt(outcome.reply, 0);
  auto count = ScriptReply::integerAt(outcome.reply, 1);
  auto expires = ScriptReply::integerAt(outcome.reply, 2);
  if (!granted || !count || !expires || *count < 0) return ScriptReply::unexpected("acquire");
  return SlotGrant{*granted == 1, static_cast<uint32_t>(*count), *expires};
}

Outcome<std::optional<int64_t>> RedisLeases::renewalOf(const RedisOutcome& outcome) {
  if (!outcome.ok()) return ScriptReply::errorOf("renew", outcome);
  auto expires = ScriptReply::integerOf(outcome.reply);
  if (!expires || *expires < 0) return ScriptReply::unexpected("renew");
  if (*expires == 0) return std::optional<int64_t>{};
  return std::optional<int64_t>{*expires};
}

Outcome<RateResult> RedisLeases::rateOf(const RedisOutcome& outcome) {
  if (!outcome.ok()) return ScriptReply::errorOf("rate hit", outcome);
  auto allowed = ScriptReply::integerAt(outcome.reply, 0);
  auto retryAfter = ScriptReply::integerAt(outcome.reply, 1);
  if (!allowed || !retryAfter) return ScriptReply::unexpected("rate hit");
  return RateResult{*allowed == 1, *retryAfter};
}

void RedisLeases::acquire(const std::string& capKey, const std::string& slotId, uint32_t cap, int64_t ttlMs,
                          std::function<void(Outcome<SlotGrant>)> done) {
  link_.run([key = link_.keys().key("l", capKey), slotId, cap, ttlMs, done = std::move(done)](RedisClient& client) mutable {
    client.script(kAcquire, {key}, {slotId, std::to_string(cap), std::to_string(ttlMs)},
                  [done = std::move(done)](RedisOutcome outcome) { done(grantOf(outcome)); });
  });
}

void RedisLeases::renew(const std::string& capKey, const std::string& slotId, int64_t ttlMs,
                        std::function<void(Outcome<std::optional<int64_t>>)> done) {
  link_.run([key = link_.keys().key("l", capKey), slotId, ttlMs, done = std::move(done)](RedisClient& client) mutable {
    client.script(kRenew, {key}, {slotId, std::to_string(ttlMs)},
                  [done = std::move(done)](RedisOutcome outcome) { done(renewalOf(outcome)); });
  });
}

void RedisLeases::release(const std::string& capKey, const std::string& slotId, std::function<void(Outcome<Done>)> done) {
  link_.run([key = link_.keys().key("l", capKey), slotId, done = std::move(done)](RedisClient& client) mutable {
    client.script(kRelease, {key}, {slotId}, [done = std::move(done)](RedisOutcome outcome) {
      if (!outcome.ok()) return done(ScriptReply::errorOf("release", outcome));
      done(Done{});
    });
  });
}

void RedisLeases::hit(const std::string& key, uint32_t limit, int64_t windowMs, std::function<void(Outcome<RateResult>)> done) {
  link_.run([key = link_.keys().key("r", key), limit, windowMs, done = std::move(done)](RedisClient& client) mutable {
    client.script(kHit, {key}, {std::to_string(limit), std::to_string(windowMs)},
                  [done = std::move(done)](RedisOutcome outcome) { done(rateOf(outcome)); });
  });
}

}  // namespace onair::engine::redis
