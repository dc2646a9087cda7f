#include "engine/redis/RedisRegistry.hpp"

#include "engine/redis/ScriptReply.hpp"

namespace onair::engine::redis {

namespace {

// KEYS[1]: the record's hash. ARGV: value, expected version ("" for none).
// Stores value with version + 1 and Redis's time unless an expected version differs from the
// stored one (0 when missing). Returns {0, version, updatedAtMs} when stored, or
// {1, version, updatedAtMs, value} with the current record on conflict ({1, 0, 0} if missing).
const RedisScript kPut(R"lua(
local current = redis.call('HMGET', KEYS[1], 'value', 'version', 'updatedAtMs')
local version = current[2] or '0'
if ARGV[2] ~= '' and ARGV[2] ~= version then
  if not current[1] then return {1, 0, 0} end
  return {1, tonumber(version), tonumber(current[3]), current[1]}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextVersion = tonumber(version) + 1
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', string.format('%.0f', nextVersion),
           'updatedAtMs', string.format('%.0f', now))
return {0, nextVersion, now}
)lua");

// KEYS[1]: the record's hash. ARGV: the expected version.
// Deletes the record only while its version is the expected one. Returns 1 when deleted, 0 when
// the key is missing or holds another version.
const RedisScript kRemoveIf(R"lua(
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
)lua");

// KEYS[1]: the record's hash. ARGV: member, "1" to add or "0" to remove it.
// Reads the set (a JSON array of distinct strings; missing: empty), changes it and, if it
// changed, writes it back re-encoded as boost::json does, with version + 1 and Redis's time.
// Returns 1 when the set changed, 0 when not, -1 (nothing written) when the stored value is not
// an array of strings.
const RedisScript kChangeSet(R"lua(
local current = redis.call('HMGET', KEYS[1], 'value', 'version')
local members = {}
if current[1] then
  if not string.find(current[1], '^%s*%[') then return -1 end
  local ok, decoded = pcall(cjson.decode, current[1])
  if not ok or type(decoded) ~= 'table' then return -1 end
  local entries = 0
  for _ in pairs(decoded) do entries = entries + 1 end
  for i, m in ipairs(decoded) do
    if type(m) ~= 'string' then return -1 end
    members[i] = m
  end
  if entries ~= #members then return -1 end
end
local found = nil
for i, m in ipairs(members) do
  if m == ARGV[1] then found = i break end
end
if ARGV[2] == '1' then
  if found then return 0 end
  members[#members + 1] = ARGV[1]
else
  if not found then return 0 end
  table.remove(members, found)
end
local escapes = {['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n',
                 ['\r'] = '\\r', ['\t'] = '\\t'}
local function escape(c) return escapes[c] or string.format('\\u%04x', string.byte(c)) end
local quoted = {}
for i, m in ipairs(members) do quoted[i] = '"' .. string.gsub(m, '[%z\1-\31"\\]', escape) .. '"' end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextVersion = tonumber(current[2] or '0') + 1
redis.call('HSET', KEYS[1], 'value', '[' .. table.concat(quoted, ',') .. ']',
           'version', string.format('%.0f', nextVersion), 'updatedAtMs', string.format('%.0f', now))
return 1
)lua");

}  // namespace

Outcome<std::optional<Record>> RedisRegistry::recordOf(const RedisOutcome& outcome) {
  if (!outcome.ok()) return ScriptReply::errorOf("registry get", outcome);
  const RedisReply& reply = outcome.reply;
  if (!reply.isArray() || reply.elements().size() != 3) return ScriptReply::unexpected("registry get");
  if (reply.elements()[0].isNil()) return std::optional<Record>{};
  auto value = ScriptReply::textAt(reply, 0);
  auto version = ScriptReply::integerAt(reply, 1);
  auto updated = ScriptReply::integerAt(reply, 2);
  if (!value || !version || !updated || *version < 1) return ScriptReply::unexpected("registry get");
  return std::optional<Record>{Record{std::move(*value), static_cast<uint64_t>(*version), *updated}};
}

Outcome<PutResult> RedisRegistry::putResultOf(const RedisOutcome& outcome, std::string value) {
  if (!outcome.ok()) return ScriptReply::errorOf("registry put", outcome);
  auto conflict = ScriptReply::integerAt(outcome.reply, 0);
  auto version = ScriptReply::integerAt(outcome.reply, 1);
  auto updated = ScriptReply::integerAt(outcome.reply, 2);
  if (!conflict || !version || !updated || *version < 0) return ScriptReply::unexpected("registry put");
  PutResult result;
  result.conflict = *conflict == 1;
  result.record.version = static_cast<uint64_t>(*version);
  result.record.updatedAtMs = *updated;
  if (!result.conflict) {
    result.record.value = std::move(value);
  } else if (*version > 0) {
    auto current = ScriptReply::textAt(outcome.reply, 3);
    if (!current) return ScriptReply::unexpected("registry put");
    result.record.value = std::move(*current);
  }
  return result;
}

Outcome<bool> RedisRegistry::removedOf(const RedisOutcome& outcome) {
  if (!outcome.ok()) return ScriptReply::errorOf("registry remove", outcome);
  auto removed = ScriptReply::integerOf(outcome.reply);
  if (!removed || (*removed != 0 && *removed != 1)) return ScriptReply::unexpected("registry remove");
  return *removed == 1;
}

Outcome<bool> RedisRegistry::setChangeOf(const RedisOutcome& outcome, const std::string& key) {
  if (!outcome.ok()) return ScriptReply::errorOf("registry set change", outcome);
  auto changed = ScriptReply::integerOf(outcome.reply);
  if (!changed || *changed < -1 || *changed > 1) return ScriptReply::unexpected("registry set change");
  if (*changed == -1) return EngineError{"the record at " + key + " is not a set (an array of strings)", 0};
  return *changed == 1;
}

void RedisRegistry::get(std::string key, std::function<void(Outcome<std::optional<Record>>)> done) {
  link_.run([key = link_.keys().key("g", key), done = std::move(done)](RedisCommands& client) mutable {
    client.command({"HMGET", key, "value", "version", "updatedAtMs"},
                   [done = std::move(done)](RedisOutcome outcome) { done(recordOf(outcome)); });
  });
}

void RedisRegistry::put(std::string key, std::string value, std::optional<uint64_t> expectedVersion,
                        std::function<void(Outcome<PutResult>)> done) {
  std::string expected = expectedVersion ? std::to_string(*expectedVersion) : std::string();
  link_.run([key = link_.keys().key("g", key), value = std::move(value), expected = std::move(expected),
             done = std::move(done)](RedisCommands& client) mutable {
    // The value goes out with the command; the reply does not repeat it.
    std::vector<std::string> args{value, std::move(expected)};
    client.script(kPut, {key}, args, [done = std::move(done), value = std::move(value)](RedisOutcome outcome) mutable {
      done(putResultOf(outcome, std::move(value)));
    });
  });
}

void RedisRegistry::remove(std::string key, std::function<void(Outcome<Done>)> done) {
  link_.run([key = link_.keys().key("g", key), done = std::move(done)](RedisCommands& client) mutable {
    client.command({"DEL", key}, [done = std::move(done)](RedisOutcome outcome) {
      if (!outcome.ok()) return done(ScriptReply::errorOf("registry remove", outcome));
      done(Done{});
    });
  });
}

void RedisRegistry::removeIf(std::string key, uint64_t expectedVersion, std::function<void(Outcome<bool>)> done) {
  link_.run([key = link_.keys().key("g", key), expected = std::to_string(expectedVersion),
             done = std::move(done)](RedisCommands& client) mutable {
    client.script(kRemoveIf, {key}, {expected}, [done = std::move(done)](RedisOutcome outcome) { done(removedOf(outcome)); });
  });
}

void RedisRegistry::addMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) {
  changeSet(std::move(key), std::move(member), true, std::move(done));
}

void RedisRegistry::removeMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) {
  changeSet(std::move(key), std::move(member), false, std::move(done));
}

void RedisRegistry::changeSet(std::string key, std::string member, bool add, std::function<void(Outcome<bool>)> done) {
  link_.run([this, key = std::move(key), member = std::move(member), add, done = std::move(done)](RedisCommands& client) mutable {
    std::vector<std::string> keys{link_.keys().key("g", key)};  // before `key` moves into the callback
    client.script(kChangeSet, keys, {member, add ? "1" : "0"},
                  [key = std::move(key), done = std::move(done)](RedisOutcome outcome) { done(setChangeOf(outcome, key)); });
  });
}

}  // namespace onair::engine::redis
