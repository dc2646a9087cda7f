#include "app/Server.hpp"

#include "app/ConfigLoader.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <sys/resource.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <future>
#include <filesystem>
#include <random>
#include <thread>

#include "api/ClientSession.hpp"
#include "api/Gateway.hpp"
#include "api/HttpRouter.hpp"
#include "api/OpRouter.hpp"
#include "api/OpsRoutes.hpp"
#include "api/RequestRelay.hpp"
#include "api/SessionContext.hpp"
#include "api/StaticFiles.hpp"
#include "api/SystemOps.hpp"
#include "api/DemoTokenRoutes.hpp"
#include "api/TokenRoutes.hpp"
#include "auth/KeyRing.hpp"
#include "auth/TokenIssuer.hpp"
#include "auth/TokenVerifier.hpp"
#include "collab/CollabOps.hpp"
#include "collab/CrdtRooms.hpp"
#include "collab/DocumentRoutes.hpp"
#include "collab/DocumentService.hpp"
#include "collab/RoomTokenVerifier.hpp"
#include "collab/YjsEndpoints.hpp"
#include "engine/EmbeddedEngine.hpp"
#include "engine/History.hpp"
#include "engine/redis/RedisEngine.hpp"
#include "hub/ShardPool.hpp"
#include "net/HttpServer.hpp"
#include "net/WsCodec.hpp"
#include "app/EngineMetrics.hpp"
#include "app/LiveRoomAuthority.hpp"
#include "app/NodeAnnouncer.hpp"
#include "app/StageRoomAuthority.hpp"
#include "live/LiveOps.hpp"
#include "live/LiveRoutes.hpp"
#include "live/LiveService.hpp"
#include "rooms/RoomOps.hpp"
#include "stage/StageOps.hpp"
#include "stage/StageRoutes.hpp"
#include "stage/StageService.hpp"
#include "streams/DemoStreamRooms.hpp"
#include "streams/StreamOps.hpp"
#include "streams/StreamRoutes.hpp"
#include "streams/StreamService.hpp"
#include "rooms/RoomRoutes.hpp"
#include "rooms/RoomService.hpp"
#include "relay/SignalRelay.hpp"
#include "rtc/WebRtcServerPool.hpp"

namespace onair::app {
namespace {

using namespace std::chrono;

net::WsSettings wsSettingsOf(const Config& c) {
  net::WsSettings s;
  s.limits.maxFrameBytes = static_cast<size_t>(c.wsMaxFrameBytes);
  s.limits.maxMessageBytes = static_cast<size_t>(c.wsMaxMessageBytes);
  s.maxPreconnectMessageBytes = static_cast<size_t>(c.wsMaxPreconnectMessageBytes);
  s.sendQueueBytes = static_cast<size_t>(c.wsSendQueueBytes);
  s.pingInterval = milliseconds(c.wsPingIntervalMs);
  s.pingTimeout = milliseconds(c.wsPingTimeoutMs);
  s.connectTimeout = milliseconds(c.wsConnectTimeoutMs);
  return s;
}

std::string resolveWebRoot(const Config& c, const std::string& executable) {
  if (!c.httpWebRoot.empty()) return c.httpWebRoot;
  std::error_code ec;
  if (std::filesystem::is_directory("web", ec)) return "web";
  auto beside = std::filesystem::weakly_canonical(executable, ec).parent_path().parent_path() / "web";
  if (std::filesystem::is_directory(beside, ec)) return beside.string();
  return "";
}

rooms::NamespaceOptions roomOptions(const Config& c, const std::map<std::string, std::string>& overrides) {
  Config merged = c;
  std::map<std::string, std::string> values;
  for (const auto& [k, v] : overrides) {
    if (k != "pattern") values["rooms." + k] = v;
  }
  ConfigLoader::applyValues(merged, values, "[[rooms.namespaces]]");
  rooms::NamespaceOptions o;
  o.pattern = overrides.count("pattern") ? overrides.at("pattern") : "";
  o.historySize = merged.roomsHistorySize;
  o.historyTtlSeconds = merged.roomsHistoryTtlSeconds;
  o.idempotencyTtlSeconds = merged.roomsIdempotencyTtlSeconds;
  o.presence = merged.roomsPresence == "true";
  o.maxMembers = merged.roomsMaxMembers;
  o.maxMessageBytes = merged.roomsMaxMessageBytes;
  o.maxMemberBytes = merged.roomsMaxMemberBytes;
  o.maxMetadataBytes = merged.roomsMaxMetadataBytes;
  return o;
}

rooms::NamespacePolicy namespacePolicy(const Config& c) {
  std::vector<rooms::NamespaceOptions> namespaces;
  for (const auto& entry : c.roomNamespaces) namespaces.push_back(roomOptions(c, entry));
  return rooms::NamespacePolicy(roomOptions(c, {}), std::move(namespaces));
}

// Registered kinds: the defaults (content: 8 per user, browser: 4 per user) plus [live.kinds.*].
live::LiveOptions liveOptions(const Config& c) {
  live::LiveOptions o;
  o.tombstoneSeconds = c.liveTombstoneSeconds;
  o.maxExpiresSeconds = c.liveMaxExpiresSeconds;
  o.maxMetaBytes = c.liveMaxMetaBytes;
  o.viewersIntervalMs = c.liveViewersIntervalMs;
  o.maxEntriesPerUser = static_cast<uint32_t>(c.liveMaxEntriesPerUser);
  auto base = [&c](uint32_t cap) {
    live::KindOptions k;
    k.cap = cap;
    k.publishTtlSeconds = c.livePublishTtlSeconds;
    k.slotTtlSeconds = c.liveSlotTtlSeconds;
    k.attachRatePerMinute = static_cast<uint32_t>(c.liveAttachRatePerMinute);
    return k;
  };
  o.kinds["content"] = base(8);
  o.kinds["browser"] = base(4);
  for (const auto& [name, keys] : c.liveKinds) {
    auto& k = o.kinds.try_emplace(name, base(8)).first->second;
    auto number = [&](const char* key, int64_t min, int64_t max, int64_t fallback) {
      auto it = keys.find(key);
      if (it == keys.end()) return fallback;
      int64_t v = 0;
      try {
        v = std::stoll(it->second);
      } catch (...) {
        throw ConfigError("[live.kinds." + name + "] " + key + " must be an integer");
      }
      if (v < min || v > max) throw ConfigError("[live.kinds." + name + "] " + key + " is out of range");
      return v;
    };
    k.cap = static_cast<uint32_t>(number("cap", 1, 1000000, k.cap));
    k.publishTtlSeconds = number("publish_ttl_seconds", 1, 86400, k.publishTtlSeconds);
    k.slotTtlSeconds = number("slot_ttl_seconds", 1, 86400, k.slotTtlSeconds);
    k.attachRatePerMinute = static_cast<uint32_t>(number("attach_rate_per_minute", 1, 1000000, k.attachRatePerMinute));
    if (auto it = keys.find("cap_scope"); it != keys.end()) {
      if (it->second != "user" && it->second != "scope") throw ConfigError("[live.kinds." + name + "] cap_scope must be user or scope");
      k.capPerScopeClaim = it->second == "scope";
    }
    if (auto it = keys.find("transports"); it != keys.end()) {
      k.transports.clear();
      std::string_view list = it->second;
      while (!list.empty()) {
        auto comma = list.find(',');
        std::string t(list.substr(0, comma));
        if (t != "iframe-url" && t != "portal-relay" && t != "webrtc") throw ConfigError("[live.kinds." + name + "] unknown transport " + t);
        k.transports.insert(t);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
  }
  return o;
}

// Blocks SIGINT/SIGTERM in every thread (threads started later inherit the mask), so the main
// thread can take them synchronously with sigwait.
sigset_t blockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Each connection is a descriptor: use the whole hard limit the operator allows.
void raiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) == 0) spdlog::debug("open file limit raised to {}", limit.rlim_max);
}

std::vector<boost::asio::io_context*> ioContextsOf(hub::ShardPool& pool) {
  std::vector<boost::asio::io_context*> contexts;
  for (size_t i = 0; i < pool.size(); ++i) contexts.push_back(&pool.loop(i).io());
  return contexts;
}

rtc::WebRtcServerPool::Options webRtcOptions(const Config& c) {
  return {c.rtcListenAddress, static_cast<uint16_t>(c.rtcFirstPort), c.rtcAnnouncedAddress};
}

size_t openConnections(hub::ShardPool& pool) {
  size_t n = 0;
  for (size_t i = 0; i < pool.size(); ++i) n += pool.loop(i).connectionCount();
  return n;
}

// node.id, or <hostname>-<pid>-<4 random hex digits> (a restarted process is a new node).
std::string nodeIdOf(const Config& c) {
  if (!c.nodeId.empty()) return c.nodeId;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || !*host) std::snprintf(host, sizeof host, "onair");
  std::random_device rd;
  return fmt::format("{}-{}-{:04x}", host, getpid(), rd() & 0xffff);
}

// node.announce_address, or the HTTP listener's host and port.
std::string announceAddressOf(const Config& c, uint16_t port) {
  if (!c.nodeAnnounceAddress.empty()) return c.nodeAnnounceAddress;
  bool ipv6 = c.httpHost.find(':') != std::string::npos;
  return ipv6 ? fmt::format("[{}]:{}", c.httpHost, port) : fmt::format("{}:{}", c.httpHost, port);
}

// ConfigLoader::validate() has checked the URL.
engine::redis::RedisEngineSettings redisSettingsOf(const Config& c, const std::string& nodeId) {
  engine::redis::RedisEngineSettings s;
  s.connection.url = std::get<engine::redis::RedisUrl>(engine::redis::RedisUrl::parse(c.redisUrl));
  s.connection.commandTimeout = milliseconds(c.redisCommandTimeoutMs);
  s.cluster = c.redisCluster == "true";
  s.prefix = c.redisPrefix;
  s.nodeId = nodeId;
  s.presenceTtlMs = c.redisPresenceTtlMs;
  s.poolSize = static_cast<size_t>(c.redisPoolSize);
  // The largest replies are a Yjs document's snapshot record and a stream read (its byte budget
  // plus one entry), both base64 in JSON: with collab limits raised past the default reply bound
  // (64 MiB), the bound follows them — a reply over it drops the connection, at every retry.
  const auto largest = static_cast<size_t>(std::max(c.collabMaxDocumentBytes, c.collabMaxUpdateBytes));
  s.connection.limits.maxReplyBytes =
      std::max(s.connection.limits.maxReplyBytes, engine::ReadRequest::kDefaultReadBytes + 2 * largest);
  return s;
}

// The Redis engine starts connecting at once; an unreachable Redis does not stop the server:
// requests that need it answer service_unavailable (and /readyz 503) until it is reachable.
std::unique_ptr<engine::Engine> openEngine(const Config& c, const std::string& nodeId) {
  if (c.engine != "redis") {
    spdlog::info("engine: embedded (data in {}), node {}", c.dataDir, nodeId);
    return std::make_unique<engine::EmbeddedEngine>(c.dataDir, nodeId);
  }
  auto settings = redisSettingsOf(c, nodeId);
  spdlog::info("engine: redis{} at {} (key prefix \"{}\"), node {}", settings.clusterMode() ? " cluster" : "",
               settings.connection.url.toString(), settings.prefix, nodeId);
  auto redis = std::make_unique<engine::redis::RedisEngine>(settings);
  auto deadline = steady_clock::now() + seconds(2);
  while (!redis->ready() && steady_clock::now() < deadline) std::this_thread::sleep_for(milliseconds(20));
  if (!redis->ready()) {
    spdlog::warn("Redis at {} is not ready yet (unreachable, or refusing the AUTH/SELECT handshake): serving anyway; requests that need it answer service_unavailable "
                 "and /readyz says 503 until it is (reconnecting in the background)",
                 settings.connection.url.toString());
  }
  return redis;
}

// The listen line is logged; the development key and the token command are printed, not
// logged, because API keys never go to logs (the secret never appears anywhere).
void printBanner(const Config& c, uint16_t port, const std::string& executable, size_t threads) {
  spdlog::info("onair {} listening on http://{}:{} ({} shards, engine: {})", ONAIR_VERSION, c.httpHost, port, threads, c.engine);
  spdlog::info("API keys: {} configured (from {})", c.keys.size(), c.keysSource);
  if (c.keysSource != "generated") return;
  fmt::print(stderr,
             "\n  Development API key: {}  (secret in {})\n"
             "  Mint a client token:\n"
             "    {} token create --data-dir {} --user alice --ttl 1h --grant 'room:*:subscribe,publish,presence,history'\n"
             "  Demo pages: http://{}:{}/ (rooms), /live.html (live), /stage.html (stages), /streams.html (meetings)\n\n",
             c.keys.front().key, (std::filesystem::path(c.dataDir) / "credentials.toml").string(), executable, c.dataDir,
             c.httpHost, port);
}


collab::DocumentOptions documentOptions(const Config& config) {
  collab::DocumentOptions options;
  options.idleEviction = std::chrono::milliseconds(config.collabDocumentIdleMs);
  options.saveInterval = std::chrono::milliseconds(config.collabSaveIntervalMs);
  options.batchWindow = std::chrono::milliseconds(config.collabBatchWindowMs);
  options.limits.maxDocumentBytes = static_cast<size_t>(config.collabMaxDocumentBytes);
  options.limits.update.maxUpdateBytes = static_cast<size_t>(config.collabMaxUpdateBytes);
  options.messages.maxMessageBytes = static_cast<size_t>(config.collabMaxUpdateBytes) + 4096;
  // Unsaved stream bytes: room for several updates as large as allowed (stored as base64 in JSON).
  options.maxUnsavedBytes = std::max(options.maxUnsavedBytes, 4 * std::max(options.limits.maxDocumentBytes, options.limits.update.maxUpdateBytes));
  return options;
}
}  // namespace

int Server::run(Config config, const std::string& executable) {
  sigset_t signals = blockShutdownSignals();
  raiseFileLimit();
  size_t threads = config.threads > 0 ? static_cast<size_t>(config.threads) : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, hub::ShardPool::kMaxShards);

  // Auth.
  auth::KeyRing keys;
  for (const auto& k : config.keys) keys.add(k.key, k.secret);
  auth::TokenVerifier verifier(keys, config.authLeewaySeconds);
  auth::TokenIssuer issuer(keys);

  // Engine and shards.
  const std::string nodeId = nodeIdOf(config);
  std::unique_ptr<engine::Engine> engineOwner;
  try {
    engineOwner = openEngine(config, nodeId);
  } catch (const std::exception& e) {
    spdlog::error("cannot open the {} engine: {}", config.engine, e.what());
    return 1;
  }
  auto& engine = *engineOwner;
  const auto* redisEngine = dynamic_cast<const engine::redis::RedisEngine*>(&engine);
  hub::ShardPool pool(threads, wsSettingsOf(config));
  std::atomic<bool> accepting{false};

  // Media plane: one UDP socket per shard, bound now so a busy port fails start-up clearly.
  std::unique_ptr<rtc::WebRtcServerPool> media;
  try {
    media = std::make_unique<rtc::WebRtcServerPool>(ioContextsOf(pool), webRtcOptions(config));
  } catch (const std::exception& e) {
    spdlog::error("cannot open the WebRTC UDP sockets on {} from port {}: {} (set rtc.listen_address / rtc.first_port; 0 = ephemeral ports)",
                  config.rtcListenAddress, config.rtcFirstPort, e.what());
    return 1;
  }

  // Surfaces.
  rooms::RoomService roomService(pool, engine, namespacePolicy(config), static_cast<size_t>(config.roomsMaxSubscriptionsPerConnection));
  stage::StageService stageService(pool, engine, stage::StageOptions{config.stageRequestUpdateIntervalMs, config.stageDepartedTtlMs});
  streams::StreamService streamService(pool, engine, streams::StreamOptions{static_cast<size_t>(config.streamsMaxUsers),
                                                                          static_cast<size_t>(config.streamsMaxMetaBytes)},
                                        media.get());
  streams::DemoStreamRooms demoStreamRooms(engine.registry(), streamService, api::kDemoStreamContext);
  std::unique_ptr<live::LiveService> liveService;
  try {
    liveService = std::make_unique<live::LiveService>(pool, engine, liveOptions(config));
  } catch (const ConfigError& e) {
    spdlog::error("configuration error: {}", e.what());
    return 2;
  }
  collab::DocumentService documentService(pool, engine, documentOptions(config));
  // Stage media rooms and live broadcasts' webrtc rooms: who may use them is the stage's and the
  // slot's to say (streams::RoomAuthority), and a stage stops its participants' media itself.
  StageRoomAuthority stageRooms(stageService);
  LiveRoomAuthority liveRooms(pool, *liveService, streamService);
  streamService.addAuthority(stageRooms);
  streamService.addAuthority(liveRooms);
  stageService.setMediaHooks({
      [&streamService](const std::string& roomId, const std::string& userId) { streamService.stopPublishing(roomId, userId); },
      [&streamService](const std::string& roomId, const std::string& viewer, const std::string& publisher, bool audio, bool video) {
        streamService.dropConsumers(roomId, viewer, publisher, audio, video);
      }});

  // Client ops and HTTP routes.
  api::OpRouter ops;
  api::registerSystemOps(ops);
  rooms::registerRoomOps(ops, roomService);
  live::registerLiveOps(ops, *liveService, pool);
  stage::registerStageOps(ops, stageService);
  streams::registerStreamOps(ops, streamService);
  collab::registerCollabOps(ops, {config.collabTokenSecret, config.collabTokenTtlSeconds, config.turnUrls,
                                 config.turnSecret, config.turnTtlSeconds});
  collab::CrdtRooms crdtRooms(documentService, pool.size());
  crdtRooms.registerOps(ops);
  api::SessionContext sessions{&ops, &verifier, static_cast<uint32_t>(config.wsBadRequestLimit),
                               milliseconds(config.wsBadRequestWindowMs), milliseconds(config.wsPingIntervalMs),
                               milliseconds(config.wsPingTimeoutMs), seconds(config.authLeewaySeconds)};
  // Several nodes: a stage or stream room is served by its owner node; requests about it that
  // arrive here go there (relay/SignalRelay).
  std::unique_ptr<relay::SignalRelay> signalRelay;
  if (redisEngine) {
    signalRelay = std::make_unique<relay::SignalRelay>(pool, engine, sessions);
    sessions.relay = signalRelay.get();
    // Live webrtc viewers: the slot is on the viewer's node, the room on its owner's.
    signalRelay->setLiveRooms(
        [&liveService](api::ClientSession& s, const std::string& roomId) { return liveService->webrtcSlotProducer(s.loop().index(), &s, roomId); },
        [&streamService](api::ClientSession& s, const std::string& roomId) {
          streams::StreamActor actor;
          actor.shard = s.loop().index();
          actor.session = s.weak_from_this();
          actor.sessionId = s.sessionId();
          streamService.letGo(roomId, std::move(actor));
        });
    liveRooms.setRemoteLetGo([relay = signalRelay.get()](api::ClientSession& s, const std::string& roomId) { relay->withdrawVouch(s, roomId); });
  }
  api::HttpRouter routes(verifier);
  api::registerOpsRoutes(routes, engine, pool.loops(), accepting, [&media, &engine, redisEngine, &signalRelay, &documentService] {
    return media->metricsText() + engineMetricsText(engine, redisEngine) + documentService.metricsText() +
           (signalRelay ? signalRelay->metricsText() : std::string());
  });
  api::registerTokenRoutes(routes, issuer, config.authMaxTokenTtlSeconds);
  rooms::registerRoomRoutes(routes, roomService);
  live::registerLiveRoutes(routes, *liveService, verifier);
  stage::registerStageRoutes(routes, stageService, issuer);
  streams::registerStreamRoutes(routes, streamService);
  collab::registerDocumentRoutes(routes, documentService);
  const bool demoTokens = config.devDemoTokens == "on" || (config.devDemoTokens == "auto" && config.keysSource == "generated");
  if (demoTokens) {
    api::registerDemoTokenRoutes(
        routes, issuer, config.devDemoTokens == "auto",
        [&stageService](boost::json::object settings, api::Reply reply) {
          stageService.create(std::move(settings), std::move(reply), api::kDemoStagePrefix);
        },
        [&demoStreamRooms](const std::string& name, const std::string& user, api::Reply reply) {
          demoStreamRooms.open(name, user, std::move(reply));
        });
  }
  api::StaticFiles files(resolveWebRoot(config, executable));
  if (files.root().empty()) spdlog::warn("no web/ folder found: static pages are off (set http.web_root)");
  api::Gateway gateway(routes, files, sessions);
  collab::RoomTokenVerifier roomTokens(config.collabTokenSecret, config.authLeewaySeconds);
  collab::registerYjsEndpoints(gateway, documentService, roomTokens);
  if (signalRelay) {
    signalRelay->setHttpServer([&gateway](net::EventLoop& loop, net::HttpRequest request, api::RequestRelay::Respond respond) {
      gateway.serveHere(loop, std::move(request), std::move(respond));
    });
  }

  // Listen before starting the loops, so a busy port fails fast and clearly.
  net::HttpServer::Settings http;
  http.host = config.httpHost;
  http.port = static_cast<uint16_t>(config.httpPort);
  http.maxBodyBytes = static_cast<size_t>(config.httpMaxBodyBytes);
  http.idleTimeout = milliseconds(config.httpIdleTimeoutMs);
  http.maxConnectionsPerAddress = static_cast<uint32_t>(config.httpMaxConnectionsPerAddress);
  http.upgradePaths = gateway.upgradePaths();
  net::HttpServer server(pool.loops(), http, gateway);
  uint16_t port = 0;
  try {
    port = server.listen();
  } catch (const std::system_error& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  pool.start();
  if (signalRelay) signalRelay->start();
  // This node's record (engine::Nodes), refreshed with its totals for the aggregated stats.
  NodeAnnouncer announcer(pool.loop(0), engine, roomService, announceAddressOf(config, port));
  announcer.start();
  server.startAccepting();
  accepting = true;
  // The media ports first: whoever waits for the banner's "listening on" line finds them logged.
  std::vector<uint16_t> mediaPorts;
  for (size_t i = 0; i < media->size(); ++i) mediaPorts.push_back(media->server(i).port());
  spdlog::info("WebRTC media on UDP {} port(s) {} (one per shard){}", config.rtcListenAddress, fmt::join(mediaPorts, ", "),
               config.rtcAnnouncedAddress.empty() ? "" : ", announced as " + config.rtcAnnouncedAddress);
  printBanner(config, port, executable, threads);

  // Run until asked to stop.
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("{} received: closing connections (up to {} ms)", sig == SIGINT ? "SIGINT" : "SIGTERM", config.shutdownGraceMs);

  // Graceful shutdown: stop accepting, close every WebSocket with 1001, wait for the handshakes.
  accepting = false;
  server.stopAccepting();
  if (signalRelay) signalRelay->drainInbound();  // other nodes' clients served here reconnect elsewhere
  for (size_t i = 0; i < pool.size(); ++i) {
    auto& loop = pool.loop(i);
    loop.post([&loop] { loop.closeAll(net::wsclose::GoingAway, "server shutting down"); });
  }
  auto deadline = steady_clock::now() + milliseconds(config.shutdownGraceMs);
  while (openConnections(pool) > 0 && steady_clock::now() < deadline) std::this_thread::sleep_for(milliseconds(20));
  size_t left = openConnections(pool);
  announcer.stop();  // before the loops stop: the other nodes stop listing this one at once
  // Stage statuses are saved once per tick: save what changed since, before the loops stop.
  for (size_t i = 0; i < pool.size(); ++i) {
    auto saved = std::make_shared<std::promise<void>>();
    pool.post(i, [&stageService, saved, i] {
      stageService.saveChanged(i);
      saved->set_value();
    });
    saved->get_future().wait_for(std::chrono::seconds(2));
  }
  pool.stop();
  pool.join();
  engine.stop();  // commits what is queued; its completions only post to the stopped loops
  if (left > 0) spdlog::warn("{} connections did not close in time", left);
  spdlog::info("onair stopped");
  return 0;
}

}  // namespace onair::app
