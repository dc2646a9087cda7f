#pragma once
// RedisCommands for a Redis Cluster (`redis+cluster://host:port`, the seed node): reads the slot
// map (CLUSTER SLOTS), keeps one RedisClient per master on the caller's io_context, and sends each
// command to the master serving its key's slot (HashSlot). Other helpers of the cluster
// (RedisClusterSubscriber) read the map and hear when it changes.
//
// Contract: RedisCommands's (see RedisCommands.hpp), and:
// - The key of a command is args[1], except: EVAL/EVALSHA/FCALL (and their _RO forms) route by
//   their first key (keyless when numkeys is 0), XREAD/XREADGROUP by the first key after STREAMS,
//   and the commands in keylessCommand() (PING, TIME, INFO, PUBLISH, SCRIPT, ...) go to any
//   master. Multi-key commands go to the owner of the first key (Redis refuses CROSSSLOT).
//   MULTI/EXEC are not supported (successive commands may go to different connections).
// - script() routes by keys[0]; all keys must share one slot, else Error::Server "CROSSSLOT ..."
//   without reaching Redis. Without keys it goes to any master.
// - Until a slot map is known, and for a slot no master serves, commands fail fast with
//   Error::Disconnected; so do commands for a master whose connection is down (RedisClient's
//   fail-fast), e.g. during a failover, until the new map names the promoted replica.
// - `-MOVED slot host:port`: the slot is assigned to that node at once, a full refresh is asked
//   for, and the command is sent again there. `-ASK slot host:port`: ASKING and the command (a
//   script as EVAL) go to that node pipelined on one connection. At most options.maxRedirects
//   redirections per command; the last error is answered after that. A redirection to a node
//   not connected yet (a node new to this client) fails fast with Disconnected like any command
//   to a node that is down; its connection opens meanwhile, so a retry gets through.
// - The map is read again every options.refreshInterval, soon (at most one every
//   options.refreshRetry) after a MOVED, a CLUSTERDOWN or a Disconnected/Timeout/Protocol answer,
//   and every options.refreshRetry while a master's connection is down; a failed read is retried
//   with backoff (refreshRetry doubling to 1 s) on any node known (masters, replicas, the seed).
//   A failover (node timeout + one refresh) is thus followed within about a second.
// - Every script passed to script() is loaded (SCRIPT LOAD) on every node's connection at each
//   connect, new nodes included (a promoted replica's script cache is empty): see RedisClient.
// - Connections to nodes that serve no slot any more are closed once no command is in flight on
//   them: every callback is still called exactly once.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/redis/RedisClient.hpp"
#include "engine/redis/RedisCommands.hpp"
#include "engine/redis/RedisSettings.hpp"
#include "engine/redis/cluster/ClusterRedirect.hpp"
#include "engine/redis/cluster/ClusterSlots.hpp"

namespace onair::engine::redis::cluster {

class RedisClusterClient final : public RedisCommands {
 public:
  struct Options {
    std::chrono::milliseconds refreshInterval{1000};
    std::chrono::milliseconds refreshRetry{100};
    int maxRedirects = 3;
  };
  struct Counters {
    uint64_t refreshes = 0;   // slot maps read
    uint64_t moved = 0;       // MOVED redirections followed
    uint64_t asked = 0;       // ASK redirections followed
  };
  using TopologyHandler = std::function<void()>;

  // `settings.url` is the seed node; its user/password and the timeouts apply to every node.
  RedisClusterClient(boost::asio::io_context& io, RedisSettings settings, Options options);
  RedisClusterClient(boost::asio::io_context& io, RedisSettings settings)
      : RedisClusterClient(io, std::move(settings), Options{}) {}
  ~RedisClusterClient() override;
  RedisClusterClient(const RedisClusterClient&) = delete;
  RedisClusterClient& operator=(const RedisClusterClient&) = delete;

  void command(std::vector<std::string> args, Callback callback) override;
  void script(const RedisScript& script, const std::vector<std::string>& keys, const std::vector<std::string>& args,
              Callback callback) override;
  // A full slot map is known and every master in it is connected.
  bool connected() const override;

  // The slot map (empty until the first one is read).
  const ClusterSlots& slots() const { return slots_; }
  bool hasSlots() const { return hasSlots_; }
  // Settings for a connection of ours to `node` (the seed's, with the node's host and port).
  RedisSettings settingsFor(const ClusterNode& node) const;
  // Asks for the slot map to be read again soon (coalesced, rate-limited by refreshRetry).
  void refreshSoon();
  // `handler` runs on the loop after each new map that changes a slot's master (also the first
  // map). Returns a handle for removeTopologyHandler().
  size_t addTopologyHandler(TopologyHandler handler);
  void removeTopologyHandler(size_t handle);
  const Counters& counters() const { return counters_; }
  // The connections' counters summed (closed connections' included), for metrics.
  RedisCounters connectionCounters() const;
  // Runs `done` on the loop (never inside this call) once every command issued so far has had
  // its callback, wherever it went: for draining before a stop (unlike one connection, a cluster
  // gives no order across masters, so a PING proves nothing about the others).
  void whenIdle(std::function<void()> done);

  // The key a command is routed by, or nothing for a keyless command.
  static std::optional<std::string_view> keyOf(const std::vector<std::string>& args);
  static bool keylessCommand(std::string_view name);

 private:
  struct Node {
    std::unique_ptr<RedisClient> client;
    size_t inFlight = 0;
  };
  struct Call;

  void dispatch(const std::shared_ptr<Call>& call, const ClusterNode& target, bool asking);
  void finish(const ClusterNode& source, const std::shared_ptr<Call>& call, RedisOutcome outcome);
  bool followRedirect(const ClusterNode& source, const std::shared_ptr<Call>& call, const RedisOutcome& outcome);
  void notifyTopology();
  bool isMaster(const std::string& address) const;
  std::optional<ClusterNode> route(std::optional<std::string_view> key);
  std::optional<ClusterNode> anyMaster();
  Node& nodeAt(const ClusterNode& node);
  void failLater(Callback callback, RedisOutcome::Error why, std::string message);
  Callback counted(Callback callback);
  void runIdleLater();

  void scheduleRefresh(std::chrono::steady_clock::time_point when);
  void refreshNow();
  void onSlots(const std::string& host, const RedisOutcome& outcome);
  void apply(ClusterSlots slots);
  std::optional<ClusterNode> refreshSource();
  bool mastersDown() const;
  void retireLater();
  void retireIdle();

  boost::asio::io_context& io_;
  RedisSettings settings_;
  Options options_;
  std::map<std::string, Node> nodes_;  // by address
  std::map<std::string, RedisScript> scripts_;  // by SHA1, every script seen
  ClusterSlots slots_;
  bool hasSlots_ = false;
  size_t nextMaster_ = 0;   // round robin for keyless commands
  size_t nextSource_ = 0;   // round robin for CLUSTER SLOTS
  // Refresh state: one CLUSTER SLOTS in flight at most; one timer for the next read.
  boost::asio::steady_timer refreshTimer_;
  std::chrono::steady_clock::time_point refreshAt_;
  bool refreshArmed_ = false;
  bool refreshing_ = false;
  bool refreshAgain_ = false;
  std::chrono::milliseconds refreshBackoff_;
  std::chrono::steady_clock::time_point lastRefresh_;
  bool retireScheduled_ = false;
  size_t outstanding_ = 0;  // commands issued whose callback has not run yet
  std::vector<std::function<void()>> idleWaiters_;
  std::map<size_t, TopologyHandler> topologyHandlers_;
  size_t nextHandle_ = 0;
  Counters counters_;
  RedisCounters retiredCounters_;  // of connections closed already
  // Handlers hold it weakly: once the client is gone they do nothing.
  std::shared_ptr<int> life_ = std::make_shared<int>(0);
};

}  // namespace onair::engine::redis::cluster
