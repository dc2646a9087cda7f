#pragma once
// What an engine operation reports when the store cannot serve it (SQLite I/O error, Redis
// outage). Surfaces turn it into `service_unavailable` with the retry hint.
#include <cstdint>
#include <string>
#include <variant>

namespace onair::engine {

struct EngineError {
  std::string message;
  int64_t retryAfterMs = 1000;
};

// The result of an engine operation: a value or an EngineError.
template <class T>
using Outcome = std::variant<T, EngineError>;

struct Done {};  // the value of operations that return nothing

}  // namespace onair::engine
