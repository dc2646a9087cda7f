#include "engine/redis/ScriptReply.hpp"

#include <charconv>

#include <fmt/format.h>

namespace onair::engine::redis {

namespace {
std::string_view nameOf(RedisOutcome::Error error) {
  switch (error) {
    case RedisOutcome::Error::None: return "ok";
    case RedisOutcome::Error::Timeout: return "timed out";
    case RedisOutcome::Error::Disconnected: return "not connected";
    case RedisOutcome::Error::Protocol: return "protocol error";
    case RedisOutcome::Error::Server: return "server error";
  }
  return "error";
}
}  // namespace

EngineError ScriptReply::errorOf(std::string_view operation, const RedisOutcome& outcome) {
  std::string message = fmt::format("redis {}: {}", operation, nameOf(outcome.error));
  if (!outcome.message.empty()) message += fmt::format(" ({})", outcome.message);
  return EngineError{std::move(message), kRetryAfterMs};
}

EngineError ScriptReply::unexpected(std::string_view operation) {
  return EngineError{fmt::format("redis {}: unexpected reply", operation), kRetryAfterMs};
}

std::optional<int64_t> ScriptReply::integerOf(const RedisReply& reply) {
  if (reply.type() == RedisReply::Type::Integer) return reply.integer();
  if (reply.type() != RedisReply::Type::Bulk && reply.type() != RedisReply::Type::Status) return std::nullopt;
  const std::string& text = reply.text();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<int64_t> ScriptReply::integerAt(const RedisReply& reply, size_t i) {
  if (!reply.isArray() || i >= reply.elements().size()) return std::nullopt;
  return integerOf(reply.elements()[i]);
}

std::optional<std::string> ScriptReply::textAt(const RedisReply& reply, size_t i) {
  if (!reply.isArray() || i >= reply.elements().size()) return std::nullopt;
  const RedisReply& element = reply.elements()[i];
  if (element.type() != RedisReply::Type::Bulk && element.type() != RedisReply::Type::Status) return std::nullopt;
  return element.text();
}

}  // namespace onair::engine::redis
