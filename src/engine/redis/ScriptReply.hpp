#pragma once
// Reading the replies of the engine's Lua scripts defensively: a failed command becomes an
// EngineError with a retry hint (service_unavailable), and a reply of a shape the script cannot
// produce becomes an EngineError too, never a crash.
//
// Contract: the accessors return nullopt (never throw) when the element is missing or of another
// type; callers turn that into unexpected().
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/EngineError.hpp"
#include "engine/redis/RedisOutcome.hpp"

namespace onair::engine::redis {

class ScriptReply {
 public:
  // How long callers should wait before retrying after an outage.
  static constexpr int64_t kRetryAfterMs = 1000;

  // The EngineError for a command that got no usable answer (outage, timeout, script error).
  static EngineError errorOf(std::string_view operation, const RedisOutcome& outcome);
  // The EngineError for an answer of the wrong shape.
  static EngineError unexpected(std::string_view operation);

  // Element `i` of an array reply as an integer / as bytes.
  static std::optional<int64_t> integerAt(const RedisReply& reply, size_t i);
  static std::optional<std::string> textAt(const RedisReply& reply, size_t i);
  // An integer reply; an integer written in decimal bytes is accepted too.
  static std::optional<int64_t> integerOf(const RedisReply& reply);
};

}  // namespace onair::engine::redis
