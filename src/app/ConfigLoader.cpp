#include "app/ConfigLoader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <toml++/toml.h>
#include <variant>

#include "engine/redis/RedisUrl.hpp"

namespace onair::app {
namespace {

struct KeyDef {
  const char* name;
  const char* help;
  // Either an integer field with bounds or a string field with allowed values (empty: any).
  int64_t Config::*integer = nullptr;
  int64_t min = 0;
  int64_t max = 0;
  std::string Config::*text = nullptr;
  std::vector<std::string> choices = {};
};

const std::vector<KeyDef>& table() {
  static const std::vector<KeyDef> defs = {
      {"http.host", "address to listen on (keep 127.0.0.1 unless a proxy or firewall fronts onair)", nullptr, 0, 0, &Config::httpHost},
      {"http.port", "TCP port for HTTP and WebSocket (0 picks a free port and logs it)", &Config::httpPort, 0, 65535},
      {"http.max_body_bytes", "largest HTTP request body; larger gets 413 payload_too_large", &Config::httpMaxBodyBytes, 1024, int64_t(1) << 30},
      {"http.idle_timeout_ms", "close an idle HTTP keep-alive connection after this long", &Config::httpIdleTimeoutMs, 100, 3600000},
      {"http.max_connections_per_address", "open connections (HTTP and WebSocket) per client IPv4 address or IPv6 /64; more get 429 cap_exceeded; 0 = no cap (behind a proxy every client shares its address)", &Config::httpMaxConnectionsPerAddress, 0, 10000000},
      {"http.web_root", "folder of static files served at / (default: ./web, else next to the binary)", nullptr, 0, 0, &Config::httpWebRoot},
      {"threads", "event loops (shards), one thread each; 0 = one per core", &Config::threads, 0, 64},
      {"data_dir", "folder for the generated development API key (credentials.toml) and embedded data", nullptr, 0, 0, &Config::dataDir},
      {"engine", "where shared state lives: embedded (this process alone: memory plus SQLite in data_dir) or redis (several onair nodes share one Redis: see redis.* and node.*)", nullptr, 0, 0, &Config::engine, {"embedded", "redis"}},
      {"redis.url", "the Redis server, redis://[user[:password]@]host[:port][/db], or a node of a Redis Cluster, redis+cluster://[user[:password]@]host[:port] (required with engine = redis; rediss:// and unix sockets are not supported yet); logs show it with the password hidden; prefer the environment or the config file for a password (flags show in ps)", nullptr, 0, 0, &Config::redisUrl},
      {"redis.prefix", "first part of every Redis key and channel (`<prefix>:...`); nodes serving together use the same prefix, separate deployments sharing one Redis use different ones", nullptr, 0, 0, &Config::redisPrefix},
      {"redis.command_timeout_ms", "a Redis command without a reply after this long fails (the request gets service_unavailable) and the connection is re-made; also bounds connecting", &Config::redisCommandTimeoutMs, 10, 60000},
      {"redis.presence_ttl_ms", "room members of a node that stopped (crash, kill -9, lost network) disappear from presence this long after its last refresh", &Config::redisPresenceTtlMs, 1000, 3600000},
      {"redis.pool_size", "command connections to Redis per node (commands about one key keep their order on one connection; more connections keep one slow command from holding up the others); a Redis Cluster has one per master instead", &Config::redisPoolSize, 1, 16},
      {"redis.cluster", "true for a Redis Cluster, Redis 7 or newer (also implied by a redis+cluster:// URL); redis.url then names any one node of it", nullptr, 0, 0, &Config::redisCluster, {"true", "false"}},
      {"node.id", "this node's name in sys.stats, GET /v1/stats and Redis (unique among the nodes; empty: <hostname>-<pid>-<random>, new at every start)", nullptr, 0, 0, &Config::nodeId},
      {"node.announce_address", "host:port at which clients and other nodes reach this node, listed in stats (empty: http.host and the port listened on; set it when http.host is 0.0.0.0 or behind NAT)", nullptr, 0, 0, &Config::nodeAnnounceAddress},
      {"log.level", "trace, debug, info, warn, error", nullptr, 0, 0, &Config::logLevel, {"trace", "debug", "info", "warn", "error"}},
      {"log.format", "text (readable) or json (one object per line)", nullptr, 0, 0, &Config::logFormat, {"text", "json"}},
      {"ws.max_message_bytes", "largest WebSocket message (after reassembly); larger closes with 1009", &Config::wsMaxMessageBytes, 1024, int64_t(1) << 30},
      {"ws.max_frame_bytes", "largest single WebSocket frame; larger closes with 1009", &Config::wsMaxFrameBytes, 1024, int64_t(1) << 30},
      {"ws.max_preconnect_message_bytes", "largest WebSocket frame and message before connect succeeds; larger closes with 1009 at once", &Config::wsMaxPreconnectMessageBytes, 1024, int64_t(1) << 30},
      {"ws.send_queue_bytes", "per-connection send queue; a client over it is closed with 4008 (slow consumer)", &Config::wsSendQueueBytes, 4096, int64_t(1) << 32},
      {"ws.ping_interval_ms", "ping a connection silent for this long", &Config::wsPingIntervalMs, 1000, 3600000},
      {"ws.ping_timeout_ms", "drop a connection silent this long after a ping", &Config::wsPingTimeoutMs, 1000, 3600000},
      {"ws.connect_timeout_ms", "close (4001) a connection that sends no connect request in time", &Config::wsConnectTimeoutMs, 500, 600000},
      {"ws.bad_request_limit", "bad requests tolerated per window before closing with 1008", &Config::wsBadRequestLimit, 1, 1000000},
      {"ws.bad_request_window_ms", "the window for ws.bad_request_limit", &Config::wsBadRequestWindowMs, 100, 3600000},
      {"auth.leeway_seconds", "clock skew tolerated on token nbf/exp; a connection closes (4011) this long after its token's exp", &Config::authLeewaySeconds, 0, 600},
      {"auth.max_token_ttl_seconds", "longest ttl POST /v1/tokens and the CLI will mint", &Config::authMaxTokenTtlSeconds, 1, int64_t(366) * 24 * 3600},
      {"shutdown.grace_ms", "on SIGTERM/SIGINT, how long to wait for clients to close before exiting", &Config::shutdownGraceMs, 0, 60000},
      {"dev.demo_tokens", "POST /v1/demo/token, /v1/demo/stages and /v1/demo/streams for the demo pages: auto (only with the generated dev key, loopback callers), on, off", nullptr, 0, 0, &Config::devDemoTokens, {"auto", "on", "off"}},
      {"live.publish_ttl_seconds", "a live entry not refreshed expires this long after its last publish", &Config::livePublishTtlSeconds, 1, 86400},
      {"live.slot_ttl_seconds", "an attach slot not heartbeaten expires after this long", &Config::liveSlotTtlSeconds, 1, 86400},
      {"live.attach_rate_per_minute", "attaches per user per minute; more get rate_limited", &Config::liveAttachRatePerMinute, 1, 1000000},
      {"live.tombstone_seconds", "how long an expired or ended entry is remembered (expired vs not_found)", &Config::liveTombstoneSeconds, 1, 7 * 86400},
      {"live.max_expires_seconds", "latest expiresAt a publish may ask for, from now", &Config::liveMaxExpiresSeconds, 1, 30 * 86400},
      {"live.max_meta_bytes", "largest serialized publish meta", &Config::liveMaxMetaBytes, 16, 1 << 20},
      {"live.viewers_interval_ms", "at most one live.viewers event per broadcast per interval", &Config::liveViewersIntervalMs, 10, 60000},
      {"live.max_entries_per_user", "broadcasts one user may have live at once through live.publish (the server API is not counted); more get cap_exceeded", &Config::liveMaxEntriesPerUser, 1, 1000000},
      {"collab.token_ttl_seconds", "longest lifetime of a collab room token", &Config::collabTokenTtlSeconds, 10, 86400},
      {"collab.token_secret", "HS256 secret for collab room tokens (shared with Hocuspocus); empty: the one generated in <data_dir>/credentials.toml", nullptr, 0, 0, &Config::collabTokenSecret},
      {"collab.document_idle_ms", "a Yjs document with no connection on this node for this long is saved and leaves memory", &Config::collabDocumentIdleMs, 100, int64_t(7) * 86400 * 1000},
      {"collab.save_interval_ms", "a changed Yjs document is compacted and saved at most this long after its first unsaved change", &Config::collabSaveIntervalMs, 10, 3600 * 1000},
      {"collab.batch_window_ms", "updates to a busy Yjs document are stored and sent together, each batch one window after its first update, one write per connection (a quiet document's at once); 0: each at once", &Config::collabBatchWindowMs, 0, 1000},
      {"collab.max_document_bytes", "largest Yjs document (its updates merged); an update that would pass it is refused", &Config::collabMaxDocumentBytes, 1024, int64_t(1) << 30},
      {"collab.max_update_bytes", "largest single Yjs update a client may send", &Config::collabMaxUpdateBytes, 1024, int64_t(1) << 30},
      {"turn.urls", "comma-separated TURN URLs handed out with credentials; empty turns TURN credentials off", nullptr, 0, 0, &Config::turnUrls},
      {"turn.secret", "coturn static-auth-secret (use-auth-secret) for TURN REST credentials", nullptr, 0, 0, &Config::turnSecret},
      {"turn.ttl_seconds", "lifetime of TURN credentials", &Config::turnTtlSeconds, 60, 7 * 86400},
      {"stage.request_update_interval_ms", "hosts get at most one request-list update per interval", &Config::stageRequestUpdateIntervalMs, 10, 10000},
      {"stage.departed_ttl_ms", "a viewer who left a stage while OFF_STAGE is forgotten after this; an empty stage then leaves memory", &Config::stageDepartedTtlMs, 10, int64_t(7) * 86400 * 1000},
      {"rtc.listen_address", "address the WebRTC UDP sockets bind (one per shard)", nullptr, 0, 0, &Config::rtcListenAddress},
      {"rtc.first_port", "UDP port of shard 0's WebRTC socket; shard i uses first_port + i; 0 = ephemeral ports", &Config::rtcFirstPort, 0, 65535},
      {"rtc.announced_address", "address put in ICE candidates (a public IP when behind NAT); empty = rtc.listen_address", nullptr, 0, 0, &Config::rtcAnnouncedAddress},
      {"streams.max_users", "users plus managers of one stream room; more gets invalid_argument", &Config::streamsMaxUsers, 1, 1000000},
      {"streams.max_meta_bytes", "largest publicMeta and privateMeta (decoded bytes, each) and serialized policy of a stream room; larger gets payload_too_large", &Config::streamsMaxMetaBytes, 16, int64_t(16) << 20},
      {"rooms.history_size", "messages kept per room or channel", &Config::roomsHistorySize, 1, 1000000},
      {"rooms.history_ttl_seconds", "drop stored messages older than this", &Config::roomsHistoryTtlSeconds, 1, int64_t(3650) * 86400},
      {"rooms.idempotency_ttl_seconds", "how long a publish's idempotencyKey is remembered", &Config::roomsIdempotencyTtlSeconds, 1, int64_t(365) * 86400},
      {"rooms.presence", "track room members and presence (true or false)", nullptr, 0, 0, &Config::roomsPresence, {"true", "false"}},
      {"rooms.max_members", "members per room; a join beyond gets cap_exceeded", &Config::roomsMaxMembers, 1, 10000000},
      {"rooms.max_message_bytes", "largest serialized `data` of one message; larger gets payload_too_large", &Config::roomsMaxMessageBytes, 16, int64_t(64) << 20},
      {"rooms.max_member_bytes", "largest serialized member metadata, and largest serialized presence, of one member; larger gets payload_too_large", &Config::roomsMaxMemberBytes, 16, int64_t(16) << 20},
      {"rooms.max_metadata_bytes", "largest serialized room metadata; a larger write gets payload_too_large", &Config::roomsMaxMetadataBytes, 16, int64_t(16) << 20},
      {"rooms.max_subscriptions_per_connection", "room joins plus channel subscriptions one connection may hold; one more gets cap_exceeded", &Config::roomsMaxSubscriptionsPerConnection, 1, 1000000},
  };
  return defs;
}

std::string flagOf(const std::string& name) {
  std::string f = "--";
  for (char c : name) f += (c == '.' || c == '_') ? '-' : c;
  return f;
}

std::string envOf(const std::string& name) {
  std::string e = "ONAIR_";
  for (char c : name) e += (c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return e;
}

std::string defaultOf(const KeyDef& d) {
  Config defaults;
  return d.integer ? std::to_string(defaults.*(d.integer)) : defaults.*(d.text);
}

void setValue(Config& config, const KeyDef& d, const std::string& value, const std::string& origin) {
  if (d.integer) {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      throw ConfigError(fmt::format("{}: {} must be an integer, got '{}'", origin, d.name, value));
    }
    if (v < d.min || v > d.max) {
      throw ConfigError(fmt::format("{}: {} must be between {} and {}, got {}", origin, d.name, d.min, d.max, v));
    }
    config.*(d.integer) = v;
    return;
  }
  if (!d.choices.empty() && std::find(d.choices.begin(), d.choices.end(), value) == d.choices.end()) {
    throw ConfigError(fmt::format("{}: {} must be one of {}, got '{}'", origin, d.name, fmt::join(d.choices, ", "), value));
  }
  config.*(d.text) = value;
}

const KeyDef* find(const std::string& name) {
  for (const auto& d : table()) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

std::string nodeText(const toml::node& node, const std::string& key, const std::string& origin) {
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (auto v = node.value<int64_t>(); v && node.is_integer()) return std::to_string(*v);
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  throw ConfigError(fmt::format("{}: {} must be a string or an integer", origin, key));
}

void walk(Config& config, const toml::table& tbl, const std::string& prefix, const std::string& origin) {
  for (const auto& [k, node] : tbl) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (key == "keys") {
      const auto* arr = node.as_array();
      if (!arr) throw ConfigError(origin + ": keys must be an array of tables ([[keys]])");
      for (const auto& item : *arr) {
        const auto* t = item.as_table();
        auto kk = t ? (*t)["key"].value<std::string>() : std::nullopt;
        auto ss = t ? (*t)["secret"].value<std::string>() : std::nullopt;
        if (!kk || !ss || kk->empty() || ss->size() < 16) {
          throw ConfigError(origin + ": each [[keys]] needs key and secret (secret at least 16 characters)");
        }
        config.keys.push_back({*kk, *ss});
      }
      if (!config.keys.empty()) config.keysSource = "config";
      continue;
    }
    if (key == "live.kinds") {
      const auto* kinds = node.as_table();
      if (!kinds) throw ConfigError(origin + ": live.kinds must be tables ([live.kinds.content])");
      for (const auto& [kindName, kindNode] : *kinds) {
        const auto* t = kindNode.as_table();
        if (!t) throw ConfigError(fmt::format("{}: [live.kinds.{}] must be a table", origin, kindName.str()));
        // Binary frames with target "yjs:<room>" are crdt rooms' (collab/CrdtRooms), not a broadcast's.
        if (kindName.str() == "yjs") throw ConfigError(origin + ": the live kind name 'yjs' is reserved for Yjs rooms");
        auto& entry = config.liveKinds[std::string(kindName.str())];
        for (const auto& [k, v] : *t) {
          std::string name(k.str());
          static const std::set<std::string> known = {"cap", "cap_scope", "transports", "publish_ttl_seconds", "slot_ttl_seconds", "attach_rate_per_minute"};
          if (!known.count(name)) throw ConfigError(fmt::format("{}: unknown key '{}' in [live.kinds.{}]", origin, name, kindName.str()));
          if (const auto* arr = v.as_array()) {
            std::string joined;
            for (const auto& item : *arr) {
              if (!joined.empty()) joined += ',';
              joined += nodeText(item, name, origin);
            }
            entry[name] = joined;
          } else {
            entry[name] = nodeText(v, name, origin);
          }
        }
      }
      continue;
    }
    if (key == "rooms.namespaces") {
      const auto* arr = node.as_array();
      if (!arr) throw ConfigError(origin + ": rooms.namespaces must be an array of tables ([[rooms.namespaces]])");
      for (const auto& item : *arr) {
        const auto* t = item.as_table();
        if (!t || !(*t)["pattern"].value<std::string>()) throw ConfigError(origin + ": each [[rooms.namespaces]] needs pattern");
        std::map<std::string, std::string> entry;
        for (const auto& [nk, nv] : *t) {
          std::string name(nk.str());
          std::string value = nodeText(nv, "rooms.namespaces." + name, origin);
          if (name != "pattern") {
            const KeyDef* d = find("rooms." + name);
            if (!d) throw ConfigError(fmt::format("{}: unknown key '{}' in [[rooms.namespaces]]", origin, name));
            if (name == "max_subscriptions_per_connection") {
              throw ConfigError(origin + ": rooms.max_subscriptions_per_connection is per connection; set it under [rooms], not in [[rooms.namespaces]]");
            }
            Config scratch;
            setValue(scratch, *d, value, origin);  // validates the value
          }
          entry[name] = value;
        }
        config.roomNamespaces.push_back(std::move(entry));
      }
      continue;
    }
    if (const auto* sub = node.as_table()) {
      walk(config, *sub, key, origin);
      continue;
    }
    const KeyDef* d = find(key);
    if (!d) throw ConfigError(fmt::format("{}: unknown key '{}' (see `onair config reference`)", origin, key));
    setValue(config, *d, nodeText(node, key, origin), origin);
  }
}

bool plainText(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 127 && c != '{' && c != '}'; });
}

void validateNode(const Config& config) {
  if (config.nodeId.size() > 128 || !plainText(config.nodeId)) {
    throw ConfigError("node.id must be at most 128 printable characters, without spaces or braces");
  }
  if (!plainText(config.nodeAnnounceAddress)) throw ConfigError("node.announce_address must be host:port, without spaces");
}

// The URL's text is never repeated: it may hold a password.
void validateRedis(const Config& config) {
  if (config.redisUrl.empty()) {
    throw ConfigError("engine = \"redis\" needs redis.url, e.g. redis://127.0.0.1:6379 (flag --redis-url, env ONAIR_REDIS_URL)");
  }
  auto parsed = engine::redis::RedisUrl::parse(config.redisUrl);
  if (const auto* error = std::get_if<std::string>(&parsed)) throw ConfigError("redis.url: " + *error);
  if (config.redisCluster == "true" && std::get<engine::redis::RedisUrl>(parsed).database != 0) {
    throw ConfigError("redis.url: a Redis Cluster has database 0 only (redis.cluster = true)");
  }
  if (config.redisPrefix.empty() || config.redisPrefix.size() > 64 || !plainText(config.redisPrefix)) {
    throw ConfigError("redis.prefix must be 1 to 64 printable characters, without spaces or braces");
  }
}

}  // namespace

std::vector<ConfigKeyInfo> ConfigLoader::keys() {
  std::vector<ConfigKeyInfo> out;
  for (const auto& d : table()) {
    out.push_back({d.name, flagOf(d.name), envOf(d.name), d.integer ? "integer" : "string", defaultOf(d), d.help});
  }
  return out;
}

void ConfigLoader::applyTomlText(Config& config, const std::string& text, const std::string& origin) {
  toml::table tbl;
  try {
    tbl = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", origin, e.source().begin.line, e.source().begin.column, e.description()));
  }
  walk(config, tbl, "", origin);
}

void ConfigLoader::applyTomlFile(Config& config, const std::string& path) {
  toml::table tbl;
  try {
    tbl = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", path, e.source().begin.line, e.source().begin.column, e.description()));
  }
  walk(config, tbl, "", path);
}

void ConfigLoader::applyEnv(Config& config, const EnvLookup& lookup) {
  for (const auto& d : table()) {
    std::string env = envOf(d.name);
    if (const char* v = lookup(env.c_str()); v && *v) setValue(config, d, v, "environment " + env);
  }
  const char* key = lookup("ONAIR_API_KEY");
  const char* secret = lookup("ONAIR_API_SECRET");
  if ((key && *key) != (secret && *secret)) {
    throw ConfigError("environment: set both ONAIR_API_KEY and ONAIR_API_SECRET, or neither");
  }
  if (key && *key) {
    if (std::string(secret).size() < 16) throw ConfigError("environment: ONAIR_API_SECRET must be at least 16 characters");
    // The environment's key signs new tokens; config keys stay valid for verification.
    config.keys.insert(config.keys.begin(), {key, secret});
    config.keysSource = "env";
  }
}

void ConfigLoader::applyValues(Config& config, const std::map<std::string, std::string>& values, const std::string& origin) {
  for (const auto& [name, value] : values) {
    const KeyDef* d = find(name);
    if (!d) throw ConfigError(fmt::format("{}: unknown key '{}'", origin, name));
    setValue(config, *d, value, origin + " " + flagOf(name));
  }
}

void ConfigLoader::validate(const Config& config) {
  if (config.wsMaxFrameBytes > config.wsMaxMessageBytes) {
    throw ConfigError("ws.max_frame_bytes cannot be larger than ws.max_message_bytes");
  }
  if (config.dataDir.empty()) throw ConfigError("data_dir cannot be empty");
  validateNode(config);
  if (config.engine == "redis") validateRedis(config);
}

std::string ConfigLoader::referenceMarkdown() {
  std::string out = "| key | flag | environment | type | default | meaning |\n|---|---|---|---|---|---|\n";
  for (const auto& k : keys()) {
    out += fmt::format("| `{}` | `{}` | `{}` | {} | `{}` | {} |\n", k.name, k.flag, k.env, k.type,
                       k.defaultValue.empty() ? "\"\"" : k.defaultValue, k.help);
  }
  out += "| `[[rooms.namespaces]]` | — | — | table array | none | per-namespace overrides: `pattern` (glob over the part of a name before its first `:`) and any `rooms.*` key without the prefix, e.g. `history_size = 1000` |\n";
  out += "| `[live.kinds.<kind>]` | — | — | tables | `content` (cap 8) and `browser` (cap 4) | broadcast kinds: `cap` (concurrent slots per scope), `cap_scope` (`user` or `scope`), `transports` (allowed: `iframe-url`, `portal-relay`, `webrtc`), and optional `publish_ttl_seconds`, `slot_ttl_seconds`, `attach_rate_per_minute` |\n";
  out += "| `[[keys]]` | — | `ONAIR_API_KEY` + `ONAIR_API_SECRET` | table array | generated into data_dir | API keys: `key` and `secret` (≥ 16 characters); the first signs new tokens, all verify |\n";
  return out;
}

}  // namespace onair::app
