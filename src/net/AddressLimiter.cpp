#include "net/AddressLimiter.hpp"

#include <cstring>
#include <mutex>
#include <unordered_map>

namespace onair::net {

struct AddressLimiter::Place::State {
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t hi, lo;
      std::memcpy(&hi, k.data(), 8);
      std::memcpy(&lo, k.data() + 8, 8);
      return std::hash<uint64_t>()(hi * 0x9E3779B97F4A7C15ull ^ lo);
    }
  };
  std::mutex mutex;
  std::unordered_map<Key, uint32_t, KeyHash> open;  // only addresses with open connections
};

AddressLimiter::Place& AddressLimiter::Place::operator=(Place&& other) noexcept {
  if (this != &other) {
    release();
    limiter_ = std::move(other.limiter_);
    key_ = other.key_;
  }
  return *this;
}

void AddressLimiter::Place::release() {
  if (!limiter_) return;
  {
    std::lock_guard lock(limiter_->mutex);
    auto it = limiter_->open.find(key_);
    if (it != limiter_->open.end() && --it->second == 0) limiter_->open.erase(it);
  }
  limiter_.reset();
}

AddressLimiter::AddressLimiter(uint32_t maxPerAddress)
    : maxPerAddress_(maxPerAddress), state_(std::make_shared<Place::State>()) {}

AddressLimiter::Key AddressLimiter::keyOf(const boost::asio::ip::address& address) {
  Key key{};
  if (address.is_v4()) {
    // IPv4-mapped IPv6 form, so both families share one table.
    auto v4 = address.to_v4().to_bytes();
    key[10] = key[11] = 0xFF;
    std::memcpy(key.data() + 12, v4.data(), 4);
    return key;
  }
  auto v6 = address.to_v6();
  auto bytes = v6.to_bytes();
  // A v4-mapped address is the IPv4 host itself (the same key as above); any other, its /64.
  std::memcpy(key.data(), bytes.data(), v6.is_v4_mapped() ? 16 : 8);
  return key;
}

std::optional<AddressLimiter::Place> AddressLimiter::admit(const boost::asio::ip::address& address) {
  if (maxPerAddress_ == 0) return Place();
  Key key = keyOf(address);
  std::lock_guard lock(state_->mutex);
  uint32_t& n = state_->open[key];
  if (n >= maxPerAddress_) return std::nullopt;
  ++n;
  return Place(state_, key);
}

uint32_t AddressLimiter::count(const boost::asio::ip::address& address) const {
  std::lock_guard lock(state_->mutex);
  auto it = state_->open.find(keyOf(address));
  return it == state_->open.end() ? 0 : it->second;
}

}  // namespace onair::net
