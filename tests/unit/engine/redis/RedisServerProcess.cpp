#include "RedisServerProcess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "engine/redis/RedisCommand.hpp"
#include "engine/redis/RespReader.hpp"

extern char** environ;

namespace onair::engine::redis::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

uint16_t freePort() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace

RedisServerProcess::RedisServerProcess() : port_(freePort()) {
  char pattern[] = "/tmp/onair-redis-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
}

RedisServerProcess::~RedisServerProcess() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool RedisServerProcess::start() {
  const std::string port = std::to_string(port_);
  const std::string log = dir_ + "/redis.log";
  std::vector<std::string> args = {"/usr/bin/redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no", "--dir", dir_, "--logfile", log};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (call({"PING"}).isText("PONG")) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void RedisServerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

RedisSettings RedisServerProcess::settings() const {
  RedisSettings settings;
  settings.url.host = "127.0.0.1";
  settings.url.port = port_;
  settings.commandTimeout = std::chrono::milliseconds(1000);
  settings.reconnectInitial = std::chrono::milliseconds(20);
  settings.reconnectMax = std::chrono::milliseconds(200);
  return settings;
}

RedisReply RedisServerProcess::call(const std::vector<std::string>& args) const {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  asio::write(socket, asio::buffer(RedisCommand::format(args)));
  RespReader reader;
  RedisReply reply;
  char buffer[4096];
  while (reader.next(reply) == RespReader::Status::NeedMore) {
    const size_t bytes = socket.read_some(asio::buffer(buffer));
    reader.feed(std::string_view(buffer, bytes));
  }
  if (reader.failed()) throw std::runtime_error(reader.error());
  return reply;
}

bool runUntil(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace onair::engine::redis::testing
