#include "api/OpRouter.hpp"

#include <stdexcept>

namespace onair::api {

void OpRouter::add(std::string op, Handler handler) {
  if (!handlers_.emplace(op, std::move(handler)).second) throw std::logic_error("op registered twice: " + op);
}

void OpRouter::dispatch(Call&& call) const {
  auto it = handlers_.find(call.op());
  if (it == handlers_.end()) {
    std::string op = call.op();
    call.fail({ErrorCode::UnknownOp, "unknown op '" + op + "'", std::nullopt});
    return;
  }
  it->second(std::move(call));
}

}  // namespace onair::api
