#pragma once
// The process-wide side of usrsctp, the SCTP stack that carries WebRTC data channels.
//
// usrsctp is a library with global state: it is initialised once per process (with its own
// timer thread) and reaches our associations through two C callbacks that carry only an opaque
// pointer. We never hand it object pointers: each association registers under a number, and a
// callback looks the number up here. An association that has gone is simply not found, so a
// late callback from usrsctp's timer thread can never touch freed memory.
//
// Thread-safe: every function may be called from any thread.
#include <cstdint>
#include <functional>
#include <memory>

namespace onair::rtc::sctp {

class UsrSctp {
 public:
  // What usrsctp's callbacks reach: called on usrsctp's threads, so implementations only copy
  // what they get and post it to their own thread.
  class Endpoint {
   public:
    virtual ~Endpoint() = default;
    virtual void outgoingPacket(const void* data, size_t bytes) = 0;
    virtual void incomingMessage(std::unique_ptr<uint8_t[], void (*)(void*)> data, size_t bytes, uint16_t streamId, uint32_t ppid, int flags) = 0;
  };

  // Initialises usrsctp on first use; returns the id under which `endpoint` is reached. The id
  // doubles as usrsctp's AF_CONN address (usrsctp_register_address is done here).
  static uintptr_t attach(std::weak_ptr<Endpoint> endpoint);
  // After this returns no new callback reaches the endpoint registered as `id`.
  static void detach(uintptr_t id);

  static int onOutgoingPacket(void* address, void* data, size_t bytes, uint8_t tos, uint8_t setDf);
  static std::shared_ptr<Endpoint> find(uintptr_t id);
};

}  // namespace onair::rtc::sctp
