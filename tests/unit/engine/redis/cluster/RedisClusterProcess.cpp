#include "RedisClusterProcess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

#include "engine/redis/RedisCommand.hpp"
#include "engine/redis/RespReader.hpp"
#include "engine/redis/cluster/ClusterSlots.hpp"

namespace onair::engine::redis::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using cluster::ClusterSlots;

namespace {

bool bindable(uint16_t port) {
  try {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// A port P with P and its cluster bus port P + 10000 both free.
uint16_t freeClusterPort(std::vector<uint16_t>& taken) {
  std::random_device rd;
  std::uniform_int_distribution<int> pick(20000, 29999);
  for (;;) {
    const auto port = static_cast<uint16_t>(pick(rd));
    if (std::find(taken.begin(), taken.end(), port) != taken.end()) continue;
    if (!bindable(port) || !bindable(static_cast<uint16_t>(port + 10000))) continue;
    taken.push_back(port);
    return port;
  }
}

// fork + exec with stdout/stderr to `log`; the child dies with us (PR_SET_PDEATHSIG).
pid_t launch(std::vector<std::string> args, const std::string& log) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
  }
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

bool waitFor(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    try {
      if (done()) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

RedisClusterProcess::RedisClusterProcess() {
  char pattern[] = "/tmp/onair-redis-cluster-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  root_ = pattern;
  std::vector<uint16_t> taken;
  for (int i = 0; i < kNodes; ++i) {
    Node node;
    node.port = freeClusterPort(taken);
    node.dir = root_ + "/" + std::to_string(node.port);
    std::filesystem::create_directories(node.dir);
    nodes_.push_back(node);
  }
}

RedisClusterProcess::~RedisClusterProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

RedisClusterProcess* RedisClusterProcess::shared() {
  static std::unique_ptr<RedisClusterProcess> cluster;
  static bool tried = false;
  if (!tried) {
    tried = true;
    cluster = std::make_unique<RedisClusterProcess>();
    if (!cluster->start()) cluster.reset();
  }
  return cluster.get();
}

bool RedisClusterProcess::start() {
  for (auto& node : nodes_) {
    if (!spawn(node)) return false;
  }
  for (const auto& node : nodes_) {
    if (!waitFor([&] { return call(node.port, {"PING"}).isText("PONG"); }, std::chrono::seconds(5))) return false;
  }
  if (!createCluster()) return false;
  // Healthy, and every master has a replica CLUSTER SLOTS lists (one that has synced and can
  // take over).
  return waitFor(
      [&] {
        if (!healthy()) return false;
        const auto slots = call(nodes_[0].port, {"CLUSTER", "SLOTS"});
        return slots.isArray() && std::all_of(slots.elements().begin(), slots.elements().end(),
                                              [](const RedisReply& range) { return range.elements().size() >= 4; });
      },
      std::chrono::seconds(20));
}

bool RedisClusterProcess::spawn(Node& node) {
  const std::string port = std::to_string(node.port);
  node.pid = launch({"/usr/bin/redis-server", "--port", port, "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                     "--cluster-config-file", node.dir + "/nodes.conf", "--cluster-node-timeout", "1000", "--save",
                     "", "--appendonly", "no", "--repl-diskless-sync-delay", "0",
                     "--repl-ping-replica-period", "1", "--dir", node.dir, "--logfile", node.dir + "/redis.log"},
                    node.dir + "/stdout.log");
  return node.pid > 0;
}

bool RedisClusterProcess::createCluster() {
  std::vector<std::string> args = {"/usr/bin/redis-cli", "--cluster", "create"};
  for (const auto& node : nodes_) args.push_back("127.0.0.1:" + std::to_string(node.port));
  for (const char* arg : {"--cluster-replicas", "1", "--cluster-yes"}) args.push_back(arg);
  const pid_t pid = launch(args, root_ + "/create.log");
  if (pid <= 0) return false;
  int status = 0;
  const bool exited = waitFor([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, std::chrono::seconds(30));
  if (!exited) {
    stopProcess(pid);
    return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void RedisClusterProcess::stop() {
  for (auto& node : nodes_) {
    if (node.pid > 0) ::kill(node.pid, SIGTERM);
  }
  for (auto& node : nodes_) {
    stopProcess(node.pid);
    node.pid = -1;
  }
}

void RedisClusterProcess::stopProcess(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(3);
  while (::waitpid(pid, nullptr, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

RedisClusterProcess::Node* RedisClusterProcess::find(uint16_t port) {
  for (auto& node : nodes_) {
    if (node.port == port) return &node;
  }
  return nullptr;
}

void RedisClusterProcess::kill(uint16_t port) {
  Node* node = find(port);
  if (node == nullptr || node->pid <= 0) return;
  ::kill(node->pid, SIGKILL);
  ::waitpid(node->pid, nullptr, 0);
  node->pid = -1;
}

bool RedisClusterProcess::restart(uint16_t port) {
  Node* node = find(port);
  if (node == nullptr) return false;
  kill(port);
  if (!spawn(*node)) return false;
  return waitFor([&] { return call(port, {"PING"}).isText("PONG"); }, std::chrono::seconds(5));
}

std::vector<uint16_t> RedisClusterProcess::ports() const {
  std::vector<uint16_t> out;
  for (const auto& node : nodes_) out.push_back(node.port);
  return out;
}

RedisSettings RedisClusterProcess::settings() const {
  RedisSettings settings;
  settings.url.host = "127.0.0.1";
  settings.url.port = nodes_.front().port;
  settings.url.cluster = true;
  settings.commandTimeout = std::chrono::milliseconds(1000);
  settings.reconnectInitial = std::chrono::milliseconds(20);
  settings.reconnectMax = std::chrono::milliseconds(200);
  return settings;
}

RedisReply RedisClusterProcess::call(uint16_t port, const std::vector<std::string>& args) const {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  const timeval timeout{2, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  asio::write(socket, asio::buffer(RedisCommand::format(args)));
  RespReader reader;
  RedisReply reply;
  char buffer[4096];
  while (reader.next(reply) == RespReader::Status::NeedMore) {
    const ssize_t bytes = ::recv(socket.native_handle(), buffer, sizeof buffer, 0);
    if (bytes <= 0) throw std::runtime_error("no reply from redis-server");
    reader.feed(std::string_view(buffer, static_cast<size_t>(bytes)));
  }
  if (reader.failed()) throw std::runtime_error(reader.error());
  return reply;
}

std::optional<ClusterSlots> RedisClusterProcess::slots() const {
  for (const auto& node : nodes_) {
    if (node.pid <= 0) continue;
    try {
      auto parsed = ClusterSlots::parse(call(node.port, {"CLUSTER", "SLOTS"}), "127.0.0.1");
      if (auto* slots = std::get_if<ClusterSlots>(&parsed)) return std::move(*slots);
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

uint16_t RedisClusterProcess::masterOf(uint16_t slot) const {
  const auto map = slots();
  if (!map || map->masterOf(slot) == nullptr) return 0;
  return map->masterOf(slot)->port;
}

std::vector<uint16_t> RedisClusterProcess::masters() const {
  std::vector<uint16_t> out;
  if (const auto map = slots()) {
    for (const auto& master : map->masters()) out.push_back(master.port);
  }
  return out;
}

std::string RedisClusterProcess::nameOn(uint16_t port, const std::string& prefix) const {
  const auto map = slots();
  for (int n = 0; map && n < 1'000'000; ++n) {
    std::string name = prefix + "-" + std::to_string(n);
    const auto* master = map->masterOf(cluster::HashSlot::of(name));
    if (master != nullptr && master->port == port) return name;
  }
  return prefix;
}

std::string RedisClusterProcess::nodeId(uint16_t port) const { return call(port, {"CLUSTER", "MYID"}).text(); }

bool RedisClusterProcess::healthy() const {
  for (const auto& node : nodes_) {
    if (node.pid <= 0) continue;
    try {
      if (call(node.port, {"CLUSTER", "INFO"}).text().find("cluster_state:ok") == std::string::npos) return false;
    } catch (const std::exception&) {
      return false;
    }
  }
  return true;
}

bool RedisClusterProcess::beginMigration(uint16_t slot, uint16_t to) {
  const uint16_t from = masterOf(slot);
  if (from == 0 || from == to) return false;
  const std::string s = std::to_string(slot);
  return call(to, {"CLUSTER", "SETSLOT", s, "IMPORTING", nodeId(from)}).isText("OK") &&
         call(from, {"CLUSTER", "SETSLOT", s, "MIGRATING", nodeId(to)}).isText("OK");
}

bool RedisClusterProcess::migrateKey(uint16_t slot, const std::string& key, uint16_t to) {
  const uint16_t from = masterOf(slot);
  if (from == 0) return false;
  return call(from, {"MIGRATE", "127.0.0.1", std::to_string(to), key, "0", "5000"}).isText("OK");
}

bool RedisClusterProcess::finishMigration(uint16_t slot, uint16_t to) {
  const std::string id = nodeId(to);
  const std::string s = std::to_string(slot);
  // The importing node first, then the rest (Redis's own order), so the slot is never unowned.
  bool ok = call(to, {"CLUSTER", "SETSLOT", s, "NODE", id}).isText("OK");
  for (const uint16_t master : masters()) {
    if (master != to) ok = call(master, {"CLUSTER", "SETSLOT", s, "NODE", id}).isText("OK") && ok;
  }
  return ok;
}

bool RedisClusterProcess::migrateSlot(uint16_t slot, uint16_t to) {
  const uint16_t from = masterOf(slot);
  if (from == to) return true;
  if (!beginMigration(slot, to)) return false;
  const auto keys = call(from, {"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), "1000"});
  for (const auto& key : keys.elements()) {
    if (!migrateKey(slot, key.text(), to)) return false;
  }
  return finishMigration(slot, to);
}

}  // namespace onair::engine::redis::testing
