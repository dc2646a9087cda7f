#pragma once
// Routes requests by `op` to the handlers that surfaces register at start-up. Registration
// happens before the loops start; lookups afterwards are read-only and thread-safe.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <boost/unordered/unordered_flat_map.hpp>

#include "api/Call.hpp"

namespace onair::api {

class ClientSession;
struct BinaryFrame;

class OpRouter {
 public:
  using Handler = std::function<void(Call&&)>;
  // Binary frames of authenticated sessions: targets under a prefix given to addBinaryHandler go
  // to that handler (collab's "yjs:"), every other target to the default one (the live portal relay).
  using BinaryHandler = std::function<void(ClientSession&, const BinaryFrame&)>;
  void setBinaryHandler(BinaryHandler handler) { binary_ = std::move(handler); }
  void addBinaryHandler(std::string targetPrefix, BinaryHandler handler) { binaryByPrefix_.emplace_back(std::move(targetPrefix), std::move(handler)); }
  // The handler of `target`; null when nothing takes it.
  const BinaryHandler* binaryHandlerFor(std::string_view target) const {
    for (const auto& [prefix, handler] : binaryByPrefix_) {
      if (target.substr(0, prefix.size()) == prefix) return &handler;
    }
    return binary_ ? &binary_ : nullptr;
  }

  // Throws std::logic_error if `op` is already registered (a wiring bug).
  void add(std::string op, Handler handler);
  // Answers `unknown_op` when nothing handles the op.
  void dispatch(Call&& call) const;
  bool has(const std::string& op) const { return handlers_.count(op) > 0; }

 private:
  boost::unordered_flat_map<std::string, Handler> handlers_;
  BinaryHandler binary_;
  std::vector<std::pair<std::string, BinaryHandler>> binaryByPrefix_;
};

}  // namespace onair::api
