#include "auth/KeyRing.hpp"

namespace onair::auth {

void KeyRing::add(std::string key, std::string secret) {
  if (secrets_.find(key) == secrets_.end()) order_.push_back(key);
  secrets_[std::move(key)] = std::move(secret);
}

const std::string* KeyRing::secretOf(std::string_view key) const {
  auto it = secrets_.find(key);
  return it == secrets_.end() ? nullptr : &it->second;
}

std::optional<std::string> KeyRing::primaryKey() const {
  if (order_.empty()) return std::nullopt;
  return order_.front();
}

}  // namespace onair::auth
