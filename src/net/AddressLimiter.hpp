#pragma once
// Caps the open connections per remote address (`http.max_connections_per_address`), so that
// one host cannot take every descriptor and the memory behind them.
//
// An address is an IPv4 address, or an IPv6 /64 (one host usually owns a whole /64, so counting
// single IPv6 addresses would cap nothing). A connection holds a Place from accept until it
// closes: an HTTP keep-alive connection until its session ends, a WebSocket until its socket is
// gone.
//
// Threading: admit() and a Place's release run on any loop's thread (one mutex; taken once when
// a connection opens and once when it closes, never per message).
#include <boost/asio/ip/address.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

namespace onair::net {

class AddressLimiter {
 public:
  using Key = std::array<uint8_t, 16>;

  // A taken place; gives it back when released or destroyed. Empty (holds nothing) when there
  // is no cap, or once released.
  class Place {
   public:
    Place() = default;
    Place(Place&& other) noexcept : limiter_(std::move(other.limiter_)), key_(other.key_) {}
    Place& operator=(Place&& other) noexcept;
    Place(const Place&) = delete;
    Place& operator=(const Place&) = delete;
    ~Place() { release(); }

    void release();

   private:
    friend class AddressLimiter;
    struct State;
    Place(std::shared_ptr<State> limiter, Key key) : limiter_(std::move(limiter)), key_(key) {}
    std::shared_ptr<State> limiter_;  // shared: a connection may outlive the server object
    Key key_{};
  };

  // `maxPerAddress` 0: no cap (every admit() succeeds and nothing is counted).
  explicit AddressLimiter(uint32_t maxPerAddress);

  // A place for one more connection from `address`; nullopt when the address is at the cap.
  std::optional<Place> admit(const boost::asio::ip::address& address);
  uint32_t maxPerAddress() const { return maxPerAddress_; }
  // Open connections counted for `address` (tests, diagnostics).
  uint32_t count(const boost::asio::ip::address& address) const;

  static Key keyOf(const boost::asio::ip::address& address);

 private:
  uint32_t maxPerAddress_;
  std::shared_ptr<Place::State> state_;
};

}  // namespace onair::net
