#include "engine/redis/RedisConnection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <array>

#include "engine/redis/RedisCommand.hpp"
#include "util/Log.hpp"

namespace onair::engine::redis {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// What belongs to one TCP connection: replaced on every reconnect, so that a handler of an old
// socket recognises itself (session != session_) and does nothing.
struct RedisConnection::Session {
  Session(asio::io_context& io, const RespReader::Limits& limits) : resolver(io), socket(io), reader(limits) {}
  tcp::resolver resolver;
  tcp::socket socket;
  RespReader reader;
  std::array<char, 16 * 1024> buffer{};
};

std::shared_ptr<RedisConnection> RedisConnection::create(asio::io_context& io, RedisSettings settings,
                                                         Listener* listener) {
  return std::make_shared<RedisConnection>(io, std::move(settings), listener);
}

RedisConnection::RedisConnection(asio::io_context& io, RedisSettings settings, Listener* listener)
    : io_(io),
      settings_(std::move(settings)),
      listener_(listener),
      connectTimer_(io),
      retryTimer_(io),
      nextDelay_(settings_.reconnectInitial),
      random_(std::random_device{}()) {}

void RedisConnection::start() {
  if (state_ != State::Idle) return;
  connect();
}

void RedisConnection::connect() {
  state_ = State::Connecting;
  session_ = std::make_shared<Session>(io_, settings_.limits);
  armConnectTimeout();
  auto session = session_;
  session->resolver.async_resolve(
      settings_.url.host, std::to_string(settings_.url.port),
      [self = shared_from_this(), session](error_code ec, tcp::resolver::results_type endpoints) {
        if (!self->current(session)) return;
        if (ec) return self->drop(RedisOutcome::Error::Disconnected, "resolve " + self->settings_.url.host + ": " + ec.message());
        asio::async_connect(session->socket, endpoints, [self, session](error_code ec, const tcp::endpoint&) {
          if (!self->current(session)) return;
          if (ec) return self->drop(RedisOutcome::Error::Disconnected, "connect: " + ec.message());
          self->onConnected(session);
        });
      });
}

void RedisConnection::armConnectTimeout() {
  connectTimer_.expires_after(settings_.commandTimeout);
  connectTimer_.async_wait([self = shared_from_this(), session = session_](error_code ec) {
    if (ec || !self->current(session) || self->state_ == State::Up) return;
    self->drop(RedisOutcome::Error::Timeout, "connect and handshake timed out");
  });
}

void RedisConnection::onConnected(const std::shared_ptr<Session>& session) {
  error_code ignored;
  session->socket.set_option(tcp::no_delay(true), ignored);
  readMore(session);
  startHandshake();
}

void RedisConnection::startHandshake() {
  state_ = State::Handshaking;
  handshakeReplies_ = 0;
  const auto& url = settings_.url;
  if (!url.password.empty()) {
    if (url.user.empty()) RedisCommand::append(outbox_, {"AUTH", url.password});
    else RedisCommand::append(outbox_, {"AUTH", url.user, url.password});
    ++handshakeReplies_;
  }
  if (url.database != 0) {
    RedisCommand::append(outbox_, {"SELECT", std::to_string(url.database)});
    ++handshakeReplies_;
  }
  counters_.commands += static_cast<uint64_t>(handshakeReplies_);
  if (handshakeReplies_ == 0) return becomeUp();
  scheduleFlush();
}

void RedisConnection::onHandshakeReply(const RedisReply& reply) {
  if (reply.isError()) return drop(RedisOutcome::Error::Server, "handshake refused: " + reply.text());
  if (--handshakeReplies_ == 0) becomeUp();
}

void RedisConnection::becomeUp() {
  connectTimer_.cancel();
  state_ = State::Up;
  nextDelay_ = settings_.reconnectInitial;
  const bool reconnect = everUp_;
  if (reconnect) ++counters_.reconnects;
  everUp_ = true;
  if (listener_) listener_->onConnectionUp(reconnect);
}

void RedisConnection::readMore(const std::shared_ptr<Session>& session) {
  session->socket.async_read_some(asio::buffer(session->buffer),
                                  [self = shared_from_this(), session](error_code ec, size_t bytes) {
                                    if (!self->current(session)) return;
                                    if (ec) {
                                      const auto why = ec == asio::error::eof ? std::string("closed by Redis") : ec.message();
                                      return self->drop(RedisOutcome::Error::Disconnected, "read: " + why);
                                    }
                                    self->onRead(session, bytes);
                                  });
}

void RedisConnection::onRead(const std::shared_ptr<Session>& session, size_t bytes) {
  session->reader.feed(std::string_view(session->buffer.data(), bytes));
  RedisReply reply;
  for (;;) {
    const auto status = session->reader.next(reply);
    if (status == RespReader::Status::NeedMore) break;
    if (status == RespReader::Status::Error)
      return drop(RedisOutcome::Error::Protocol, "protocol error: " + session->reader.error());
    if (state_ == State::Handshaking) onHandshakeReply(reply);
    else if (state_ == State::Up && listener_) listener_->onConnectionReply(std::move(reply));
    // A reply may have dropped or closed the connection.
    if (!current(session)) return;
  }
  readMore(session);
}

void RedisConnection::send(const std::vector<std::string>& args) {
  if (state_ != State::Up) return;
  RedisCommand::append(outbox_, args);
  ++counters_.commands;
  scheduleFlush();
}

void RedisConnection::scheduleFlush() {
  if (flushScheduled_ || writing_) return;
  flushScheduled_ = true;
  asio::post(io_, [self = shared_from_this(), session = session_] {
    if (!self->current(session)) return;
    self->flushScheduled_ = false;
    self->flush();
  });
}

void RedisConnection::flush() {
  if (writing_ || outbox_.empty()) return;
  writing_ = true;
  ++counters_.writes;
  // The bytes live with the handler, so an aborted write of a dropped socket reads nothing freed.
  auto bytes = std::make_shared<std::string>(std::move(outbox_));
  outbox_.clear();
  auto session = session_;
  asio::async_write(session->socket, asio::buffer(*bytes),
                    [self = shared_from_this(), session, bytes](error_code ec, size_t) {
                      if (!self->current(session)) return;
                      self->writing_ = false;
                      if (ec) return self->drop(RedisOutcome::Error::Disconnected, "write: " + ec.message());
                      self->flush();
                    });
}

void RedisConnection::drop(RedisOutcome::Error why, const std::string& message) {
  if (state_ == State::Closed || state_ == State::Waiting || state_ == State::Idle) return;
  if (session_) {
    error_code ignored;
    session_->resolver.cancel();
    session_->socket.close(ignored);
  }
  session_.reset();
  outbox_.clear();
  writing_ = false;
  flushScheduled_ = false;
  connectTimer_.cancel();
  const bool wasUp = state_ == State::Up;
  state_ = State::Waiting;
  if (wasUp) spdlog::warn("redis {}: connection lost: {}", settings_.url.toString(), message);
  else spdlog::debug("redis {}: connect failed: {}", settings_.url.toString(), message);
  scheduleReconnect();
  if (listener_) listener_->onConnectionDown(why, message);
}

void RedisConnection::scheduleReconnect() {
  const auto delay = nextDelay_;
  nextDelay_ = std::min(nextDelay_ * 2, settings_.reconnectMax);
  // Jitter: anywhere in [delay/2, delay].
  const auto half = delay.count() / 2;
  const auto jittered = std::chrono::milliseconds(half + static_cast<int64_t>(random_() % static_cast<uint64_t>(half + 1)));
  retryTimer_.expires_after(jittered);
  retryTimer_.async_wait([self = shared_from_this()](error_code ec) {
    if (ec || self->state_ != State::Waiting) return;
    self->connect();
  });
}

void RedisConnection::close() {
  if (state_ == State::Closed) return;
  listener_ = nullptr;
  if (session_) {
    error_code ignored;
    session_->resolver.cancel();
    session_->socket.close(ignored);
  }
  session_.reset();
  state_ = State::Closed;
  connectTimer_.cancel();
  retryTimer_.cancel();
}

}  // namespace onair::engine::redis
