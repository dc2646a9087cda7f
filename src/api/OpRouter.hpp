#pragma once
// Routes requests by `op` to the handlers that surfaces register at start-up. Registration
// happens before the loops start; lookups afterwards are read-only and thread-safe.
#include <functional>
#include <string>
#include <boost/unordered/unordered_flat_map.hpp>

#include "api/Call.hpp"

namespace onair::api {

class ClientSession;
struct BinaryFrame;

class OpRouter {
 public:
  using Handler = std::function<void(Call&&)>;
  // Binary frames of authenticated sessions (one surface takes them: the live portal relay).
  using BinaryHandler = std::function<void(ClientSession&, const BinaryFrame&)>;
  void setBinaryHandler(BinaryHandler handler) { binary_ = std::move(handler); }
  const BinaryHandler& binaryHandler() const { return binary_; }

  // Throws std::logic_error if `op` is already registered (a wiring bug).
  void add(std::string op, Handler handler);
  // Answers `unknown_op` when nothing handles the op.
  void dispatch(Call&& call) const;
  bool has(const std::string& op) const { return handlers_.count(op) > 0; }

 private:
  boost::unordered_flat_map<std::string, Handler> handlers_;
  BinaryHandler binary_;
};

}  // namespace onair::api
