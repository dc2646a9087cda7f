#include "engine/redis/RedisClient.hpp"

#include <boost/asio/post.hpp>

namespace onair::engine::redis {

namespace asio = boost::asio;
using Error = RedisOutcome::Error;

RedisClient::RedisClient(asio::io_context& io, RedisSettings settings)
    : io_(io), connection_(RedisConnection::create(io, std::move(settings), this)), timer_(io) {
  connection_->start();
}

RedisClient::~RedisClient() {
  connection_->close();
  timer_.cancel();
}

const RedisCounters& RedisClient::counters() const {
  // The connection counts what it writes; the client counts how commands ended.
  const auto& connection = connection_->counters();
  counters_.commands = connection.commands;
  counters_.reconnects = connection.reconnects;
  counters_.writes = connection.writes;
  return counters_;
}

void RedisClient::command(std::vector<std::string> args, Callback callback) {
  if (args.empty()) return failLater(std::move(callback), Error::Server, "ERR empty command");
  if (!connection_->up()) return failLater(std::move(callback), Error::Disconnected, "not connected to Redis");
  send(std::move(args), std::move(callback));
}

void RedisClient::send(std::vector<std::string> args, Callback callback) {
  connection_->send(args);
  pending_.push_back({std::move(callback), Clock::now() + connection_->settings().commandTimeout});
  armTimer();
}

void RedisClient::preload(const RedisScript& script) {
  if (!scripts_.emplace(script.sha1(), script.lua()).second || !connection_->up()) return;
  send({"SCRIPT", "LOAD", script.lua()}, [](RedisOutcome) {});
}

void RedisClient::script(const RedisScript& script, const std::vector<std::string>& keys,
                         const std::vector<std::string>& args, Callback callback) {
  // First sight: SCRIPT LOAD goes out ahead of this EVALSHA on the same connection, so no first
  // use takes the NOSCRIPT → EVAL path (whose retry could run after a later call's EVALSHA).
  preload(script);
  std::vector<std::string> call;
  call.reserve(3 + keys.size() + args.size());
  call.push_back("EVALSHA");
  call.push_back(script.sha1());
  call.push_back(std::to_string(keys.size()));
  call.insert(call.end(), keys.begin(), keys.end());
  call.insert(call.end(), args.begin(), args.end());
  auto retry = call;
  command(std::move(call), [this, life = std::weak_ptr<int>(life_), retry = std::move(retry), lua = script.lua(),
                            callback = std::move(callback)](RedisOutcome outcome) mutable {
    const bool noScript = outcome.error == Error::Server && outcome.message.starts_with("NOSCRIPT");
    if (!noScript || life.expired()) return callback(std::move(outcome));
    retry[0] = "EVAL";
    retry[1] = std::move(lua);
    command(std::move(retry), std::move(callback));
  });
}

void RedisClient::failLater(Callback callback, Error why, std::string message) {
  ++counters_.errors;
  asio::post(io_, [life = std::weak_ptr<int>(life_), callback = std::move(callback), why,
                   message = std::move(message)]() mutable {
    if (life.expired()) return;
    callback(RedisOutcome::failure(why, std::move(message)));
  });
}

// Called before any command can be sent on the new connection (they fail fast until now): the
// SCRIPT LOADs lead its first write. An answer (even an error) only completes its entry.
void RedisClient::onConnectionUp(bool) {
  for (const auto& [sha1, lua] : scripts_) send({"SCRIPT", "LOAD", lua}, [](RedisOutcome) {});
}

void RedisClient::onConnectionReply(RedisReply reply) {
  if (pending_.empty()) {
    // A reply nobody asked for: the stream is out of step, so nothing after it can be trusted.
    connection_->drop(Error::Protocol, "unexpected reply from Redis");
    return;
  }
  auto callback = std::move(pending_.front().callback);
  pending_.pop_front();
  if (reply.isError()) {
    ++counters_.errors;
    return callback(RedisOutcome::failure(Error::Server, reply.text()));
  }
  callback(RedisOutcome::success(std::move(reply)));
}

void RedisClient::onConnectionDown(Error why, const std::string& message) {
  // Answer from a local list: a callback may issue new commands (they fail fast now).
  auto failed = std::move(pending_);
  pending_.clear();
  const Error answer = why == Error::Protocol ? Error::Protocol : Error::Disconnected;
  counters_.errors += failed.size();
  for (auto& entry : failed) entry.callback(RedisOutcome::failure(answer, message));
}

// The timer waits for the oldest command's deadline. Deadlines only grow along the queue (one
// timeout for all), so the timer is armed once and re-armed from its own handler.
void RedisClient::armTimer() {
  if (timerArmed_ || pending_.empty()) return;
  timerArmed_ = true;
  timer_.expires_at(pending_.front().deadline);
  timer_.async_wait([this, life = std::weak_ptr<int>(life_)](boost::system::error_code ec) {
    if (ec || life.expired()) return;
    timerArmed_ = false;
    onTimer();
  });
}

void RedisClient::onTimer() {
  if (pending_.empty()) return;
  if (pending_.front().deadline > Clock::now()) return armTimer();
  auto callback = std::move(pending_.front().callback);
  pending_.pop_front();
  ++counters_.timeouts;
  ++counters_.errors;
  callback(RedisOutcome::failure(Error::Timeout, "no reply from Redis within the command timeout"));
  connection_->drop(Error::Timeout, "a command timed out");
}

}  // namespace onair::engine::redis
