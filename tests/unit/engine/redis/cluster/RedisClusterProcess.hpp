#pragma once
// Test helper: a real Redis Cluster of 3 masters and 3 replicas (/usr/bin/redis-server
// --cluster-enabled yes, node timeout 1 s) on free 127.0.0.1 ports, each node in its own
// temporary directory, made a cluster with `redis-cli --cluster create ... --cluster-replicas 1`.
// Every process is started by the helper and stopped by its PID (SIGTERM, then SIGKILL after a
// bound), never by name; the children also get SIGKILL if the test process dies
// (PR_SET_PDEATHSIG), so a crashing test leaves nothing behind.
//
// shared() starts one cluster per test process on first use, for the tests that leave it healthy;
// a test that kills nodes makes its own.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/redis/RedisReply.hpp"
#include "engine/redis/RedisSettings.hpp"
#include "engine/redis/cluster/ClusterSlots.hpp"

namespace onair::engine::redis::testing {

class RedisClusterProcess {
 public:
  static constexpr int kNodes = 6;

  RedisClusterProcess();
  ~RedisClusterProcess();
  RedisClusterProcess(const RedisClusterProcess&) = delete;
  RedisClusterProcess& operator=(const RedisClusterProcess&) = delete;

  // The process-wide cluster, started on the first call; null if it could not start.
  static RedisClusterProcess* shared();

  // Spawns the nodes, creates the cluster and waits until every node says cluster_state:ok and
  // every master has a replica in sync; false if that takes longer than ~20 s.
  bool start();
  void stop();

  std::vector<uint16_t> ports() const;
  // Settings for a cluster client seeded at the first node, with short timeouts.
  RedisSettings settings() const;
  // One command over a fresh blocking connection (2 s timeout); throws on failure.
  RedisReply call(uint16_t port, const std::vector<std::string>& args) const;
  // The port of the master serving `slot`, asked from a live node; 0 when unknown.
  uint16_t masterOf(uint16_t slot) const;
  // The slot map as a live node sees it.
  std::optional<cluster::ClusterSlots> slots() const;
  std::vector<uint16_t> masters() const;
  // A name `<prefix>-<n>` (a key or a shard channel) whose slot the master at `port` serves.
  std::string nameOn(uint16_t port, const std::string& prefix) const;
  std::string nodeId(uint16_t port) const;

  // Moves `slot` to the master at `to` in three steps (so that tests can stop half-way):
  // IMPORTING/MIGRATING, MIGRATE of one key, SETSLOT NODE on every master.
  bool beginMigration(uint16_t slot, uint16_t to);
  bool migrateKey(uint16_t slot, const std::string& key, uint16_t to);
  bool finishMigration(uint16_t slot, uint16_t to);
  // All three, with every key of the slot.
  bool migrateSlot(uint16_t slot, uint16_t to);

  // SIGKILL by PID (a crash); restart() starts it again on its port with its own nodes.conf.
  void kill(uint16_t port);
  bool restart(uint16_t port);
  // Every live node says cluster_state:ok.
  bool healthy() const;

 private:
  struct Node {
    uint16_t port = 0;
    std::string dir;
    pid_t pid = -1;
  };
  bool spawn(Node& node);
  bool createCluster();
  static void stopProcess(pid_t pid);
  Node* find(uint16_t port);

  std::string root_;
  std::vector<Node> nodes_;
};

}  // namespace onair::engine::redis::testing
