#pragma once
// An encoded WebSocket frame shared by every connection that sends it (encode once, fan out).
// Immutable once made; the reference count is the only thing threads touch.
#include <memory>
#include <string>

namespace onair::net {

using SharedFrame = std::shared_ptr<const std::string>;

inline SharedFrame makeSharedFrame(std::string encoded) {
  return std::make_shared<const std::string>(std::move(encoded));
}

}  // namespace onair::net
