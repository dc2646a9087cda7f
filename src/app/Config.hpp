#pragma once
// Every setting of `onair serve`. Defaults live here; ConfigLoader layers a TOML file,
// ONAIR_* environment variables and flags on top (flag > env > file > default).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace onair::app {

struct ApiKeyConfig {
  std::string key;
  std::string secret;
};

struct Config {
  // [http]
  std::string httpHost = "127.0.0.1";
  int64_t httpPort = 7880;
  int64_t httpMaxBodyBytes = 1 << 20;
  int64_t httpIdleTimeoutMs = 30000;
  int64_t httpMaxConnectionsPerAddress = 1024;  // 0: no cap
  std::string httpWebRoot;  // empty: ./web, else <binary dir>/../web
  // top level
  int64_t threads = 0;  // 0: one per core
  std::string dataDir = "./data";
  // [engine] and [redis]: where rooms, presence, leases and records live (see ConfigLoader.cpp)
  std::string engine = "embedded";
  std::string redisUrl;  // redis://[user[:password]@]host[:port][/db]; required with engine = "redis"
  std::string redisPrefix = "onair";
  int64_t redisCommandTimeoutMs = 1000;
  int64_t redisPresenceTtlMs = 30000;
  int64_t redisPoolSize = 1;
  std::string redisCluster = "false";
  // [node]
  std::string nodeId;               // "": <hostname>-<pid>-<random>, made at start
  std::string nodeAnnounceAddress;  // "": <http.host>:<the port listened on>
  // [log]
  std::string logLevel = "info";
  std::string logFormat = "text";
  // [ws]
  int64_t wsMaxMessageBytes = 1 << 20;
  int64_t wsMaxFrameBytes = 1 << 20;
  int64_t wsMaxPreconnectMessageBytes = 16 << 10;
  int64_t wsSendQueueBytes = 4 << 20;
  int64_t wsPingIntervalMs = 20000;
  int64_t wsPingTimeoutMs = 10000;
  int64_t wsConnectTimeoutMs = 5000;
  int64_t wsBadRequestLimit = 20;
  int64_t wsBadRequestWindowMs = 10000;
  // [auth]
  int64_t authLeewaySeconds = 10;
  int64_t authMaxTokenTtlSeconds = 30 * 24 * 3600;
  // [shutdown]
  int64_t shutdownGraceMs = 4000;
  // [rooms] defaults for rooms and channels, overridable per namespace
  int64_t roomsHistorySize = 100;
  int64_t roomsHistoryTtlSeconds = 86400;
  int64_t roomsIdempotencyTtlSeconds = 86400;
  std::string roomsPresence = "true";
  int64_t roomsMaxMembers = 10000;
  int64_t roomsMaxMessageBytes = 65536;
  int64_t roomsMaxMemberBytes = 16384;
  int64_t roomsMaxMetadataBytes = 65536;
  // Per connection, not per namespace: room joins plus channel subscriptions one connection holds.
  int64_t roomsMaxSubscriptionsPerConnection = 1000;
  // [[rooms.namespaces]]: pattern plus any rooms.* key above (without the prefix), as given.
  std::vector<std::map<std::string, std::string>> roomNamespaces;
  // [live] defaults of every kind; [live.kinds.<name>] tables register kinds
  int64_t livePublishTtlSeconds = 30;
  int64_t liveSlotTtlSeconds = 60;
  int64_t liveAttachRatePerMinute = 60;
  int64_t liveTombstoneSeconds = 600;
  int64_t liveMaxExpiresSeconds = 86400;
  int64_t liveMaxMetaBytes = 8192;
  int64_t liveViewersIntervalMs = 500;
  int64_t liveMaxEntriesPerUser = 100;
  // kind name -> its keys as given (cap, cap_scope, transports, publish_ttl_seconds, …)
  std::map<std::string, std::map<std::string, std::string>> liveKinds;
  // [collab] and [turn]
  int64_t collabTokenTtlSeconds = 600;
  std::string collabTokenSecret;  // "": the generated one in <data_dir>/credentials.toml (app/Credentials)
  int64_t collabDocumentIdleMs = 30000;
  int64_t collabSaveIntervalMs = 2000;
  int64_t collabBatchWindowMs = 100;
  int64_t collabMaxDocumentBytes = 16 << 20;
  int64_t collabMaxUpdateBytes = 4 << 20;
  std::string turnUrls;           // comma-separated turn:/turns: URLs; "": TURN credentials are off
  std::string turnSecret;         // coturn static-auth-secret
  int64_t turnTtlSeconds = 3600;
  // [stage]
  int64_t stageRequestUpdateIntervalMs = 100;
  int64_t stageDepartedTtlMs = 60000;
  // [rtc] the media plane: one UDP socket per shard, port rtc.first_port + shard index
  std::string rtcListenAddress = "127.0.0.1";
  int64_t rtcFirstPort = 7882;       // 0: an ephemeral port per shard
  std::string rtcAnnouncedAddress;   // "": the listen address goes in ICE candidates
  // [streams]
  int64_t streamsMaxUsers = 1000;
  int64_t streamsMaxMetaBytes = 64 * 1024;
  // [dev]
  std::string devDemoTokens = "auto";
  // [[keys]] and ONAIR_API_KEY/ONAIR_API_SECRET (first = used to sign new tokens)
  std::vector<ApiKeyConfig> keys;
  // Where keys came from, for the start-up banner: "config", "env", "generated".
  std::string keysSource;
};

}  // namespace onair::app
