#include "rtc/sctp/UsrSctp.hpp"

#include <usrsctp.h>

#include <atomic>
#include <mutex>
#include <unordered_map>

namespace onair::rtc::sctp {

namespace {

struct Registry {
  std::mutex mutex;
  std::unordered_map<uintptr_t, std::weak_ptr<UsrSctp::Endpoint>> endpoints;
  uintptr_t nextId = 1;
};

Registry& registry() {
  static Registry r;
  return r;
}

void initialiseOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Port 0: no UDP encapsulation thread; packets reach the network only through our callback.
    usrsctp_init(0, &UsrSctp::onOutgoingPacket, nullptr);
    // As browsers configure it: no ECN (the DTLS layer hides IP's ECN bits), no ASCONF/AUTH (one
    // path, and DTLS authenticates already).
    usrsctp_sysctl_set_sctp_ecn_enable(0);
    usrsctp_sysctl_set_sctp_asconf_enable(0);
    usrsctp_sysctl_set_sctp_auth_enable(0);
    // Chromium's data channels stop working when SACKs are delayed past 200 ms; 20 ms keeps
    // small request/answer exchanges snappy.
    usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
  });
}

}  // namespace

uintptr_t UsrSctp::attach(std::weak_ptr<Endpoint> endpoint) {
  initialiseOnce();
  uintptr_t id = 0;
  {
    std::lock_guard lock(registry().mutex);
    id = registry().nextId++;
    registry().endpoints.emplace(id, std::move(endpoint));
  }
  usrsctp_register_address(reinterpret_cast<void*>(id));
  return id;
}

void UsrSctp::detach(uintptr_t id) {
  {
    std::lock_guard lock(registry().mutex);
    registry().endpoints.erase(id);
  }
  usrsctp_deregister_address(reinterpret_cast<void*>(id));
}

std::shared_ptr<UsrSctp::Endpoint> UsrSctp::find(uintptr_t id) {
  std::lock_guard lock(registry().mutex);
  auto it = registry().endpoints.find(id);
  return it == registry().endpoints.end() ? nullptr : it->second.lock();
}

int UsrSctp::onOutgoingPacket(void* address, void* data, size_t bytes, uint8_t /*tos*/, uint8_t /*setDf*/) {
  if (auto endpoint = find(reinterpret_cast<uintptr_t>(address))) endpoint->outgoingPacket(data, bytes);
  return 0;
}

}  // namespace onair::rtc::sctp
