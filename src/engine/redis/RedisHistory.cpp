#include "engine/redis/RedisHistory.hpp"

#include <memory>

#include "util/Random.hpp"

namespace onair::engine::redis {

namespace {

constexpr int64_t kRetryAfterMs = 1000;
// How long the meta hash a read created (an epoch, head 0, no message yet) lasts without another
// read or an append: the default retention of a stream's messages.
constexpr int64_t kUnusedEpochTtlMs = Retention{}.ttlSeconds * 1000;

// Helpers shared by the scripts below.
constexpr const char* kPrelude = R"lua(
local function num(n) return string.format('%.0f', n) end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- The stream's epoch, created (with head 0) on first use.
local function epochOf(meta, candidate)
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then return epoch end
  redis.call('HSET', meta, 'epoch', candidate, 'head', 0)
  return candidate
end
local function fieldsOf(entry)
  local f, kv = {}, entry[2]
  for i = 1, #kv, 2 do f[kv[i]] = kv[i + 1] end
  return f
end
local function offsetOf(id) return tonumber(string.match(id, '^(%d+)')) end
-- Drops the entries stored at or before `cutoff` (timestamps never decrease along the log);
-- bounded: at most 10 batches of 100 per call, the next call goes on.
local function trimExpired(log, cutoff)
  -- Most calls find nothing to drop: the oldest entry alone says so (a batch costs ~10x more).
  local oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)
  if #oldest == 0 or tonumber(fieldsOf(oldest[1]).t or 0) > cutoff then return end
  for _ = 1, 10 do
    local entries = redis.call('XRANGE', log, '-', '+', 'COUNT', 100)
    if #entries == 0 then return end
    for i = 1, #entries do
      if tonumber(fieldsOf(entries[i]).t or 0) > cutoff then
        if i > 1 then redis.call('XTRIM', log, 'MINID', entries[i][1]) end
        return
      end
    end
    redis.call('XTRIM', log, 'MINID', num(offsetOf(entries[#entries][1]) + 1) .. '-0')
  end
end
-- Sets a key's expiry unless it already lasts longer.
local function extendExpiry(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, num(ms)) end
end
)lua";

// KEYS: meta, log, idempotency hash, idempotency expiry zset (see RedisHistory.hpp), the broker
//       channel (in KEYS so that a Redis Cluster checks it shares the stream's slot)
// ARGV: epoch candidate, publisher, type, data, idempotency field ('' = none), maxMessages (0 =
//       unlimited), ttlSeconds, idempotencySeconds, how to announce: '' (not), 'PUBLISH' or
//       'SPUBLISH' (a Redis Cluster's shard channel)
// Returns {duplicate 0|1, offset, timestampMs, epoch, conflict 0|1}. A new message is announced
// as a BrokerEnvelope stored message on the channel.
const RedisScript kAppend(std::string(kPrelude) + R"lua(
local meta, log, idem, expiry = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local publisher, mtype, data, field = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local maxMessages, ttlMs, idemMs = tonumber(ARGV[6]), tonumber(ARGV[7]) * 1000, tonumber(ARGV[8]) * 1000
local now = nowMs()
local epoch = epochOf(meta, ARGV[1])
local digest = redis.sha1hex(#mtype .. ':' .. mtype .. data)
if field ~= '' then
  local expired = redis.call('ZRANGEBYSCORE', expiry, '-inf', num(now), 'LIMIT', 0, 100)
  if #expired > 0 then
    redis.call('HDEL', idem, unpack(expired))
    redis.call('ZREM', expiry, unpack(expired))
  end
  local seen = redis.call('HGET', idem, field)
  if seen then
    local offset, ts, expires, original = string.match(seen, '^(%d+) (%d+) (%d+) (%x+)$')
    if offset and tonumber(expires) > now then
      return {1, tonumber(offset), tonumber(ts), epoch, original ~= digest and 1 or 0}
    end
  end
end
local head = redis.call('HINCRBY', meta, 'head', 1)
-- The first message makes an epoch a read created (and set to expire) durable.
if head == 1 then redis.call('PERSIST', meta) end
local ts = math.max(now, tonumber(redis.call('HGET', meta, 'ts') or 0))
redis.call('HSET', meta, 'ts', num(ts), 'ttl', num(ttlMs))
local xadd = {'XADD', log}
if maxMessages > 0 then
  xadd[#xadd + 1] = 'MAXLEN'
  xadd[#xadd + 1] = '='
  xadd[#xadd + 1] = num(maxMessages)
end
for _, v in ipairs({num(head) .. '-0', 't', num(ts), 'p', publisher, 'y', mtype, 'd', data}) do
  xadd[#xadd + 1] = v
end
redis.call(unpack(xadd))
trimExpired(log, now - ttlMs)
if ttlMs > 0 and redis.call('EXISTS', log) == 1 then extendExpiry(log, ttlMs + ts - now) end
if field ~= '' and idemMs > 0 then
  local expires = now + idemMs
  redis.call('HSET', idem, field, num(head) .. ' ' .. num(ts) .. ' ' .. num(expires) .. ' ' .. digest)
  redis.call('ZADD', expiry, num(expires), field)
  extendExpiry(idem, idemMs)
  extendExpiry(expiry, idemMs)
end
if ARGV[9] == 'PUBLISH' or ARGV[9] == 'SPUBLISH' then
  local function f(s) return #s .. ':' .. s end
  redis.call(ARGV[9], KEYS[5], 'S' .. f(num(head)) .. f(epoch) .. f(num(ts)) .. f(publisher) .. f(mtype) .. f(data))
end
return {0, head, ts, epoch, 0}
)lua");

// KEYS: meta, log
// ARGV: epoch candidate, from, forward (1|0), limit, ms an unused epoch lasts, maxBytes
// Returns {epoch, head, oldest, {offset, timestampMs, publisher, type, data, ...}} (ReadRequest
// semantics; expired messages are trimmed first, and skipped if the trim's budget ran out).
// A stream no append used yet (head 0) keeps the epoch this read gives it for ARGV[5] ms after
// the last read: reads of made-up names leave nothing in Redis for good.
const RedisScript kRead(std::string(kPrelude) + R"lua(
local meta, log = KEYS[1], KEYS[2]
local from, forward, limit = tonumber(ARGV[2]), ARGV[3] == '1', tonumber(ARGV[4])
local epoch = epochOf(meta, ARGV[1])
local head = tonumber(redis.call('HGET', meta, 'head') or 0)
if head == 0 then redis.call('PEXPIRE', meta, ARGV[5]) end
local ttl = tonumber(redis.call('HGET', meta, 'ttl') or -1)
local cutoff = -1
if ttl >= 0 then
  cutoff = nowMs() - ttl
  trimExpired(log, cutoff)
end
local oldest = head + 1
local first = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)
if #first > 0 then oldest = offsetOf(first[1][1]) end
local out = {}
-- Entries are fetched a few at a time (about as many as the byte budget has room for, judging by
-- those seen so far), so that neither this script nor its reply holds much more than maxBytes.
-- Expired entries the trim left are skipped, at most limit + 1000 of them looked at in all; a
-- backward read stops at the first (timestamps never decrease along the log).
local maxBytes = tonumber(ARGV[6])
local count, bytes, scanned = 0, 0, 0
local start
if forward then start = from > 0 and (num(from) .. '-0') or '-'
else start = (from > 0 and from < head) and (num(from) .. '-0') or '+' end
local chunk = math.min(limit, 16)
local done = false
while not done and count < limit and bytes < maxBytes and scanned < limit + 1000 do
  local entries
  if forward then entries = redis.call('XRANGE', log, start, '+', 'COUNT', chunk)
  else entries = redis.call('XREVRANGE', log, start, '-', 'COUNT', chunk) end
  for _, entry in ipairs(entries) do
    local f = fieldsOf(entry)
    local ts = tonumber(f.t or 0)
    scanned = scanned + 1
    if ts > cutoff then
      for _, v in ipairs({offsetOf(entry[1]), ts, f.p or '', f.y or '', f.d or ''}) do out[#out + 1] = v end
      count = count + 1
      bytes = bytes + #(f.d or '')
      if count >= limit or bytes >= maxBytes then break end
    elseif not forward then
      done = true
      break
    end
  end
  if done or #entries < chunk then break end
  start = '(' .. entries[#entries][1]
  local room = math.floor((maxBytes - bytes) / math.max(1, bytes / math.max(1, count))) + 1
  chunk = math.max(1, math.min(limit - count, 64, room))
end
return {epoch, head, oldest, out}
)lua");

// KEYS: meta, log
// ARGV: epoch, through
// Drops the log's entries up to `through` if the stream is still in that epoch; returns how many.
const RedisScript kTrim(R"lua(
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
return redis.call('XTRIM', KEYS[2], 'MINID', ARGV[2] .. '-1')
)lua");

EngineError engineError(const RedisOutcome& outcome) {
  return EngineError{"redis: " + outcome.message, kRetryAfterMs};
}

EngineError badReply(const char* what) { return EngineError{std::string("redis: unexpected reply to ") + what, kRetryAfterMs}; }

bool isInteger(const RedisReply& reply) { return reply.type() == RedisReply::Type::Integer; }
bool isBulk(const RedisReply& reply) { return reply.type() == RedisReply::Type::Bulk; }

std::optional<AppendResult> appendResultOf(const RedisReply& reply) {
  if (!reply.isArray() || reply.elements().size() != 5) return std::nullopt;
  const auto& e = reply.elements();
  if (!isInteger(e[0]) || !isInteger(e[1]) || !isInteger(e[2]) || !isBulk(e[3]) || !isInteger(e[4])) return std::nullopt;
  if (e[1].integer() <= 0 || e[3].text().empty()) return std::nullopt;
  AppendResult result;
  result.duplicate = e[0].integer() != 0;
  result.offset = static_cast<uint64_t>(e[1].integer());
  result.timestampMs = e[2].integer();
  result.epoch = e[3].text();
  result.conflict = e[4].integer() != 0;
  return result;
}

std::optional<ReadResult> readResultOf(const RedisReply& reply) {
  if (!reply.isArray() || reply.elements().size() != 4) return std::nullopt;
  const auto& e = reply.elements();
  if (!isBulk(e[0]) || e[0].text().empty() || !isInteger(e[1]) || !isInteger(e[2]) || !e[3].isArray()) return std::nullopt;
  if (e[1].integer() < 0 || e[2].integer() < 0) return std::nullopt;
  ReadResult result;
  result.head = {static_cast<uint64_t>(e[1].integer()), e[0].text()};
  result.oldest = static_cast<uint64_t>(e[2].integer());
  const auto& flat = e[3].elements();
  if (flat.size() % 5 != 0) return std::nullopt;
  result.messages.reserve(flat.size() / 5);
  for (size_t i = 0; i < flat.size(); i += 5) {
    if (!isInteger(flat[i]) || !isInteger(flat[i + 1]) || !isBulk(flat[i + 2]) || !isBulk(flat[i + 3]) ||
        !isBulk(flat[i + 4]))
      return std::nullopt;
    result.messages.push_back(StreamMessage{static_cast<uint64_t>(flat[i].integer()), flat[i + 1].integer(),
                                            flat[i + 2].text(), flat[i + 3].text(), flat[i + 4].text()});
  }
  return result;
}

// The idempotency hash field of (publisher, key): the length prefix keeps ("a:b", "c") and
// ("a", "b:c") apart.
std::string idempotencyField(const std::string& publisher, const std::string& key) {
  return std::to_string(publisher.size()) + ":" + publisher + ":" + key;
}

std::string newEpoch() { return util::randomId("", 6); }

}  // namespace

std::vector<std::string> RedisHistory::keysOf(const std::string& stream) const {
  const auto& keys = link_.keys();
  return {keys.key("h", stream, ":m"), keys.key("h", stream, ":l"), keys.key("h", stream, ":i"),
          keys.key("h", stream, ":e")};
}

void RedisHistory::append(AppendRequest request, std::function<void(Outcome<AppendResult>)> done) {
  std::vector<std::string> args{newEpoch(),
                                request.publisher,
                                request.type,
                                request.dataJson,
                                request.idempotencyKey ? idempotencyField(request.publisher, *request.idempotencyKey) : "",
                                std::to_string(request.retention.maxMessages),
                                std::to_string(request.retention.ttlSeconds),
                                std::to_string(request.retention.idempotencySeconds),
                                request.announce ? (link_.cluster() ? "SPUBLISH" : "PUBLISH") : ""};
  auto keys = keysOf(request.stream);
  keys.push_back(link_.keys().key("b", request.stream));
  link_.run([keys = std::move(keys), args = std::move(args), done = std::move(done)](RedisCommands& client) mutable {
    client.script(kAppend, keys, args, [done = std::move(done)](RedisOutcome outcome) {
      if (!outcome.ok()) return done(engineError(outcome));
      auto result = appendResultOf(outcome.reply);
      if (!result) return done(badReply("append"));
      done(std::move(*result));
    });
  });
}

void RedisHistory::read(ReadRequest request, std::function<void(Outcome<ReadResult>)> done) {
  auto keys = keysOf(request.stream);
  keys.resize(2);  // meta and log
  std::vector<std::string> args{newEpoch(), std::to_string(request.from), request.forward ? "1" : "0",
                                std::to_string(request.limit), std::to_string(kUnusedEpochTtlMs),
                                std::to_string(std::max<size_t>(request.maxBytes, 1))};
  link_.run([keys = std::move(keys), args = std::move(args), done = std::move(done)](RedisCommands& client) mutable {
    client.script(kRead, keys, args, [done = std::move(done)](RedisOutcome outcome) {
      if (!outcome.ok()) return done(engineError(outcome));
      auto result = readResultOf(outcome.reply);
      if (!result) return done(badReply("read"));
      done(std::move(*result));
    });
  });
}

void RedisHistory::trim(TrimRequest request, std::function<void(Outcome<Done>)> done) {
  auto keys = keysOf(request.stream);
  keys.resize(2);  // meta and log
  std::vector<std::string> args{request.epoch, std::to_string(request.through)};
  link_.run([keys = std::move(keys), args = std::move(args), done = std::move(done)](RedisCommands& client) mutable {
    client.script(kTrim, keys, args, [done = std::move(done)](RedisOutcome outcome) {
      if (!outcome.ok()) return done(engineError(outcome));
      done(Done{});
    });
  });
}

void RedisHistory::remove(std::string stream, std::function<void(Outcome<Done>)> done) {
  std::vector<std::string> command{"DEL"};
  for (auto& key : keysOf(stream)) command.push_back(std::move(key));
  link_.run([command = std::move(command), done = std::move(done)](RedisCommands& client) mutable {
    client.command(std::move(command), [done = std::move(done)](RedisOutcome outcome) {
      if (!outcome.ok()) return done(engineError(outcome));
      done(Done{});
    });
  });
}

}  // namespace onair::engine::redis
