#pragma once
// The client ops of rooms and channels (docs/protocol.md): argument checks, grant checks, then
// RoomService.
namespace onair::api {
class OpRouter;
}

namespace onair::rooms {

class RoomService;

void registerRoomOps(api::OpRouter& router, RoomService& service);

}  // namespace onair::rooms
