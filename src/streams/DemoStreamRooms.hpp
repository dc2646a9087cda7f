#pragma once
// Stream rooms by name for the demo pages (POST /v1/demo/streams, development only): the room
// called `name` in one context (the demo context), made on first use, with the caller among its
// users so a demo token (`stream:demo:join,publish,subscribe`, no `manage`) can join it.
//
// Storage: the Registry record "demostreamroom:<name>" holds {"streamRoomId"} of the room; it is
// written compare-and-set after the room is made, so of two first uses at once exactly one room
// is recorded (the other is deleted again). A recorded room that no longer exists (deleted
// through the server API) is made anew. Users are added with updateStreamRoom on the version
// read, retried a few times on `conflict`. Rooms are ordinary stream rooms of the context: the
// server API lists, changes and deletes them like any other.
#include <string>

#include "api/Reply.hpp"

namespace onair::engine {
class Registry;
}

namespace onair::streams {

class StreamService;

class DemoStreamRooms {
 public:
  // Both outlive this object. Rooms are made in `contextId`.
  DemoStreamRooms(engine::Registry& registry, StreamService& service, std::string contextId);

  // → {streamRoomId, contextId, name}. `name` and `userId` are checked by the caller.
  void open(const std::string& name, const std::string& userId, api::Reply reply);

 private:
  // Makes the room and records it, expecting the record at `recordVersion` (0: none).
  void create(const std::string& name, const std::string& userId, uint64_t recordVersion, api::Reply reply);
  // Adds `userId` to the recorded room `roomId` (made anew when it is gone).
  void admit(const std::string& name, const std::string& userId, const std::string& roomId, uint64_t recordVersion,
             int attemptsLeft, api::Reply reply);

  engine::Registry& registry_;
  StreamService& service_;
  std::string contextId_;
};

}  // namespace onair::streams
