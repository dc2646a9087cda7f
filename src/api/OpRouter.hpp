#pragma once
// Routes requests by `op` to the handlers that surfaces register at start-up. Registration
// happens before the loops start; lookups afterwards are read-only and thread-safe.
#include <functional>
#include <string>
#include <unordered_map>

#include "api/Call.hpp"

namespace onair::api {

class OpRouter {
 public:
  using Handler = std::function<void(Call&&)>;

  // Throws std::logic_error if `op` is already registered (a wiring bug).
  void add(std::string op, Handler handler);
  // Answers `unknown_op` when nothing handles the op.
  void dispatch(Call&& call) const;
  bool has(const std::string& op) const { return handlers_.count(op) > 0; }

 private:
  std::unordered_map<std::string, Handler> handlers_;
};

}  // namespace onair::api
