#include "engine/redis/cluster/RedisClusterClient.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include "engine/redis/cluster/HashSlot.hpp"
#include "util/Log.hpp"

namespace onair::engine::redis::cluster {

namespace asio = boost::asio;
using Error = RedisOutcome::Error;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds kMaxRefreshBackoff{1000};

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool oneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

// One command on its way, kept for resending after a redirection.
struct RedisClusterClient::Call {
  std::vector<std::string> args;      // the command, or the script's ARGV
  std::optional<RedisScript> script;  // set for script()
  std::vector<std::string> keys;      // the script's KEYS
  Callback callback;
  int redirectsLeft = 0;

  // EVAL with the whole script: after ASK, where EVALSHA's NOSCRIPT retry would lack ASKING.
  std::vector<std::string> evalArgs() const {
    std::vector<std::string> out{"EVAL", script->lua(), std::to_string(keys.size())};
    out.insert(out.end(), keys.begin(), keys.end());
    out.insert(out.end(), args.begin(), args.end());
    return out;
  }
};

RedisClusterClient::RedisClusterClient(asio::io_context& io, RedisSettings settings, Options options)
    : io_(io),
      settings_(std::move(settings)),
      options_(options),
      refreshTimer_(io),
      refreshBackoff_(std::max(options_.refreshRetry / 4, std::chrono::milliseconds(5))) {
  nodeAt(ClusterNode{settings_.url.host, settings_.url.port, {}});
  scheduleRefresh(Clock::now());
}

RedisClusterClient::~RedisClusterClient() { refreshTimer_.cancel(); }

// ---- routing ----

bool RedisClusterClient::keylessCommand(std::string_view name) {
  return oneOf(name, {"PING", "ECHO", "TIME", "INFO", "DBSIZE", "CLUSTER", "SCRIPT", "FUNCTION", "CONFIG", "CLIENT",
                      "COMMAND", "PUBLISH", "PUBSUB", "FLUSHALL", "FLUSHDB", "RANDOMKEY", "LASTSAVE", "SLOWLOG",
                      "WAIT", "READONLY", "READWRITE", "HELLO", "AUTH", "SELECT", "QUIT", "KEYS", "SCAN", "ROLE",
                      "LATENCY", "SWAPDB", "MULTI", "EXEC", "DISCARD", "UNWATCH", "ACL", "DEBUG", "SAVE",
                      "BGSAVE", "BGREWRITEAOF", "LOLWUT"});
}

std::optional<std::string_view> RedisClusterClient::keyOf(const std::vector<std::string>& args) {
  if (args.size() < 2) return std::nullopt;
  const std::string name = upper(args[0]);
  if (keylessCommand(name)) return std::nullopt;
  if (oneOf(name, {"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"})) {
    if (args.size() < 4 || args[2] == "0") return std::nullopt;
    return args[3];
  }
  if (name == "XREAD" || name == "XREADGROUP") {
    for (size_t i = 1; i + 1 < args.size(); ++i) {
      if (upper(args[i]) == "STREAMS") return args[i + 1];
    }
    return std::nullopt;
  }
  // "<command> <subcommand> <key>": OBJECT ENCODING key, XINFO STREAM key, XGROUP CREATE key ...
  if (oneOf(name, {"OBJECT", "MEMORY", "XINFO", "XGROUP"})) {
    if (args.size() < 3) return std::nullopt;
    return args[2];
  }
  return args[1];
}

std::optional<ClusterNode> RedisClusterClient::route(std::optional<std::string_view> key) {
  if (!hasSlots_) {
    refreshSoon();
    return std::nullopt;
  }
  if (!key) return anyMaster();
  const ClusterNode* master = slots_.masterOf(HashSlot::of(*key));
  if (master == nullptr) {
    refreshSoon();
    return std::nullopt;
  }
  return *master;
}

// Round robin over the masters, preferring connected ones.
std::optional<ClusterNode> RedisClusterClient::anyMaster() {
  const auto& masters = slots_.masters();
  if (masters.empty()) return std::nullopt;
  for (size_t i = 0; i < masters.size(); ++i) {
    const auto& candidate = masters[(nextMaster_ + i) % masters.size()];
    const auto it = nodes_.find(candidate.address());
    if (it != nodes_.end() && it->second.client->connected()) {
      nextMaster_ = (nextMaster_ + i + 1) % masters.size();
      return candidate;
    }
  }
  return masters[nextMaster_++ % masters.size()];
}

void RedisClusterClient::command(std::vector<std::string> args, Callback callback) {
  callback = counted(std::move(callback));
  if (args.empty()) return failLater(std::move(callback), Error::Server, "ERR empty command");
  const auto target = route(keyOf(args));
  if (!target) {
    return failLater(std::move(callback), Error::Disconnected,
                     hasSlots_ ? "no Redis Cluster master serves this key's slot" : "no Redis Cluster slot map yet");
  }
  auto call = std::make_shared<Call>();
  call->args = std::move(args);
  call->callback = std::move(callback);
  call->redirectsLeft = options_.maxRedirects;
  dispatch(call, *target, false);
}

void RedisClusterClient::script(const RedisScript& script, const std::vector<std::string>& keys,
                                const std::vector<std::string>& args, Callback callback) {
  callback = counted(std::move(callback));
  if (!scripts_.contains(script.sha1())) {
    scripts_.emplace(script.sha1(), script);
    for (auto& [address, node] : nodes_) node.client->preload(script);
  }
  std::optional<std::string_view> key;
  if (!keys.empty()) {
    key = keys.front();
    const uint16_t slot = HashSlot::of(keys.front());
    const bool oneSlot = std::all_of(keys.begin(), keys.end(), [&](const auto& k) { return HashSlot::of(k) == slot; });
    if (!oneSlot) {
      return failLater(std::move(callback), Error::Server,
                       "CROSSSLOT Keys in request don't hash to the same slot (give them one {hash tag})");
    }
  }
  const auto target = route(key);
  if (!target) {
    return failLater(std::move(callback), Error::Disconnected,
                     hasSlots_ ? "no Redis Cluster master serves this key's slot" : "no Redis Cluster slot map yet");
  }
  auto call = std::make_shared<Call>();
  call->args = args;
  call->script = script;
  call->keys = keys;
  call->callback = std::move(callback);
  call->redirectsLeft = options_.maxRedirects;
  dispatch(call, *target, false);
}

// ASKING and the command leave in the same loop turn on one connection, so they arrive in order
// on one socket (RedisConnection flushes a turn's commands in one write).
void RedisClusterClient::dispatch(const std::shared_ptr<Call>& call, const ClusterNode& target, bool asking) {
  Node& node = nodeAt(target);
  auto done = [this, life = std::weak_ptr<int>(life_), source = target, call](RedisOutcome outcome) {
    if (life.expired()) return;
    finish(source, call, std::move(outcome));
  };
  if (asking) {
    ++node.inFlight;
    node.client->command({"ASKING"}, [this, life = std::weak_ptr<int>(life_), source = target](RedisOutcome) {
      if (life.expired()) return;
      auto it = nodes_.find(source.address());
      if (it != nodes_.end() && it->second.inFlight > 0) --it->second.inFlight;
    });
  }
  ++node.inFlight;
  if (!call->script) return node.client->command(call->args, std::move(done));
  if (asking) return node.client->command(call->evalArgs(), std::move(done));
  node.client->script(*call->script, call->keys, call->args, std::move(done));
}

void RedisClusterClient::finish(const ClusterNode& source, const std::shared_ptr<Call>& call, RedisOutcome outcome) {
  const std::string address = source.address();
  auto it = nodes_.find(address);
  if (it != nodes_.end() && it->second.inFlight > 0) --it->second.inFlight;
  if (followRedirect(source, call, outcome)) return;
  const bool clusterChanged = outcome.error == Error::Disconnected || outcome.error == Error::Timeout ||
                              outcome.error == Error::Protocol ||
                              (outcome.error == Error::Server && outcome.message.starts_with("CLUSTERDOWN"));
  if (clusterChanged) refreshSoon();
  if (it != nodes_.end() && it->second.inFlight == 0 && !isMaster(address)) retireLater();
  call->callback(std::move(outcome));
}

bool RedisClusterClient::followRedirect(const ClusterNode& source, const std::shared_ptr<Call>& call,
                                        const RedisOutcome& outcome) {
  if (outcome.error != Error::Server || call->redirectsLeft <= 0) return false;
  const auto redirect = ClusterRedirect::parse(outcome.message);
  if (!redirect) return false;
  --call->redirectsLeft;
  ClusterNode target = redirect->target;
  if (target.host.empty()) target.host = source.host;
  if (redirect->kind == ClusterRedirect::Kind::Ask) {
    ++counters_.asked;
    dispatch(call, target, true);
    return true;
  }
  ++counters_.moved;
  const ClusterNode* before = slots_.masterOf(redirect->slot);
  const bool changed = before == nullptr || before->address() != target.address();
  slots_.assign(redirect->slot, target);
  refreshSoon();
  dispatch(call, target, false);
  if (changed) notifyTopology();
  return true;
}

bool RedisClusterClient::connected() const {
  if (!hasSlots_ || slots_.coverage() != HashSlot::kSlots) return false;
  return !mastersDown();
}

bool RedisClusterClient::mastersDown() const {
  for (const auto& master : slots_.masters()) {
    const auto it = nodes_.find(master.address());
    if (it == nodes_.end() || !it->second.client->connected()) return true;
  }
  return false;
}

bool RedisClusterClient::isMaster(const std::string& address) const {
  const auto& masters = slots_.masters();
  return std::any_of(masters.begin(), masters.end(), [&](const auto& m) { return m.address() == address; });
}

RedisSettings RedisClusterClient::settingsFor(const ClusterNode& node) const {
  RedisSettings settings = settings_;
  settings.url.host = node.host;
  settings.url.port = node.port;
  settings.url.cluster = false;
  settings.url.database = 0;
  return settings;
}

RedisClusterClient::Node& RedisClusterClient::nodeAt(const ClusterNode& node) {
  auto [it, added] = nodes_.try_emplace(node.address());
  if (!added) return it->second;
  it->second.client = std::make_unique<RedisClient>(io_, settingsFor(node));
  for (const auto& [sha1, script] : scripts_) it->second.client->preload(script);
  return it->second;
}

void RedisClusterClient::failLater(Callback callback, Error why, std::string message) {
  asio::post(io_, [life = std::weak_ptr<int>(life_), callback = std::move(callback), why,
                   message = std::move(message)]() mutable {
    if (life.expired()) return;
    callback(RedisOutcome::failure(why, std::move(message)));
  });
}

// Every callback handed in passes through here: the count lets whenIdle() know when all are done.
// Only this client calls the wrapper, while alive (finish() and failLater() check).
RedisCommands::Callback RedisClusterClient::counted(Callback callback) {
  ++outstanding_;
  return [this, callback = std::move(callback)](RedisOutcome outcome) {
    if (--outstanding_ == 0 && !idleWaiters_.empty()) runIdleLater();
    callback(std::move(outcome));
  };
}

void RedisClusterClient::whenIdle(std::function<void()> done) {
  idleWaiters_.push_back(std::move(done));
  if (outstanding_ == 0) runIdleLater();
}

// Posted, so that the waiters run after the callback that ended the last command.
void RedisClusterClient::runIdleLater() {
  asio::post(io_, [this, life = std::weak_ptr<int>(life_)] {
    if (life.expired() || outstanding_ != 0) return;
    auto waiters = std::move(idleWaiters_);
    idleWaiters_.clear();
    for (auto& waiter : waiters) waiter();
  });
}

// ---- the slot map ----

void RedisClusterClient::refreshSoon() {
  if (refreshing_) {
    refreshAgain_ = true;
    return;
  }
  scheduleRefresh(std::max(Clock::now(), lastRefresh_ + options_.refreshRetry));
}

// Only ever moves the next read earlier.
void RedisClusterClient::scheduleRefresh(Clock::time_point when) {
  if (refreshArmed_ && refreshAt_ <= when) return;
  refreshArmed_ = true;
  refreshAt_ = when;
  refreshTimer_.expires_at(when);
  refreshTimer_.async_wait([this, life = std::weak_ptr<int>(life_)](boost::system::error_code ec) {
    if (ec || life.expired()) return;
    refreshArmed_ = false;
    refreshNow();
  });
}

void RedisClusterClient::refreshNow() {
  if (refreshing_) return;
  const auto source = refreshSource();
  if (!source) {
    scheduleRefresh(Clock::now() + refreshBackoff_);
    refreshBackoff_ = std::min(refreshBackoff_ * 2, kMaxRefreshBackoff);
    return;
  }
  refreshing_ = true;
  Node& node = nodes_.at(source->address());
  ++node.inFlight;
  node.client->command({"CLUSTER", "SLOTS"}, [this, life = std::weak_ptr<int>(life_), source = *source](
                                                  RedisOutcome outcome) {
    if (life.expired()) return;
    auto it = nodes_.find(source.address());
    if (it != nodes_.end() && it->second.inFlight > 0) --it->second.inFlight;
    onSlots(source.host, outcome);
  });
}

// A connected node to ask, in turn. With none connected, connections are opened to every node
// known (and the seed) so that the next attempt finds one.
std::optional<ClusterNode> RedisClusterClient::refreshSource() {
  std::vector<ClusterNode> candidates = hasSlots_ ? slots_.nodes() : std::vector<ClusterNode>{};
  const ClusterNode seed{settings_.url.host, settings_.url.port, {}};
  if (std::none_of(candidates.begin(), candidates.end(), [&](const auto& c) { return c.address() == seed.address(); }))
    candidates.push_back(seed);
  for (size_t i = 0; i < candidates.size(); ++i) {
    const auto& candidate = candidates[(nextSource_ + i) % candidates.size()];
    const auto it = nodes_.find(candidate.address());
    if (it != nodes_.end() && it->second.client->connected()) {
      nextSource_ = (nextSource_ + i + 1) % candidates.size();
      return candidate;
    }
  }
  for (const auto& candidate : candidates) nodeAt(candidate);
  return std::nullopt;
}

void RedisClusterClient::onSlots(const std::string& host, const RedisOutcome& outcome) {
  refreshing_ = false;
  lastRefresh_ = Clock::now();
  std::optional<std::string> problem;
  if (!outcome.ok()) {
    problem = outcome.message;
  } else {
    auto parsed = ClusterSlots::parse(outcome.reply, host);
    if (auto* error = std::get_if<std::string>(&parsed)) problem = *error;
    else if (std::get<ClusterSlots>(parsed).coverage() == 0) problem = "CLUSTER SLOTS named no master";
    else apply(std::move(std::get<ClusterSlots>(parsed)));
  }
  if (problem) {
    spdlog::debug("redis cluster: reading the slot map failed: {}", *problem);
    scheduleRefresh(lastRefresh_ + refreshBackoff_);
    refreshBackoff_ = std::min(refreshBackoff_ * 2, kMaxRefreshBackoff);
    return;
  }
  refreshBackoff_ = std::max(options_.refreshRetry / 4, std::chrono::milliseconds(5));
  const bool soon = refreshAgain_ || mastersDown();
  refreshAgain_ = false;
  scheduleRefresh(lastRefresh_ + (soon ? options_.refreshRetry : options_.refreshInterval));
}

void RedisClusterClient::apply(ClusterSlots slots) {
  const bool changed = !hasSlots_ || !slots_.sameOwners(slots);
  slots_ = std::move(slots);
  hasSlots_ = true;
  ++counters_.refreshes;
  for (const auto& master : slots_.masters()) nodeAt(master);
  retireLater();
  if (changed) notifyTopology();
}

void RedisClusterClient::notifyTopology() {
  // A copy: a handler may add or remove handlers.
  const auto handlers = topologyHandlers_;
  for (const auto& [handle, handler] : handlers) {
    if (topologyHandlers_.contains(handle)) handler();
  }
}

size_t RedisClusterClient::addTopologyHandler(TopologyHandler handler) {
  topologyHandlers_.emplace(++nextHandle_, std::move(handler));
  return nextHandle_;
}

void RedisClusterClient::removeTopologyHandler(size_t handle) { topologyHandlers_.erase(handle); }

// A RedisClient must not be destroyed inside its own callback: retiring is posted.
void RedisClusterClient::retireLater() {
  if (retireScheduled_) return;
  retireScheduled_ = true;
  asio::post(io_, [this, life = std::weak_ptr<int>(life_)] {
    if (life.expired()) return;
    retireScheduled_ = false;
    retireIdle();
  });
}

// Closes connections to nodes serving no slot with nothing in flight (the seed stays until the
// first map).
void RedisClusterClient::retireIdle() {
  const std::string seed = ClusterNode{settings_.url.host, settings_.url.port, {}}.address();
  std::erase_if(nodes_, [&](const auto& entry) {
    const auto& [address, node] = entry;
    if (node.inFlight > 0) return false;
    const bool retire = hasSlots_ ? !isMaster(address) : address != seed;
    if (retire) retiredCounters_ += node.client->counters();
    return retire;
  });
}

RedisCounters RedisClusterClient::connectionCounters() const {
  RedisCounters sum = retiredCounters_;
  for (const auto& [address, node] : nodes_) sum += node.client->counters();
  return sum;
}

}  // namespace onair::engine::redis::cluster
