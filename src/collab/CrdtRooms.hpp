#pragma once
// Yjs rooms over an onair client connection (the SDK's client.crdtRoom(name)): the ops
// `collab.open {room}` → {room, scope} and `collab.close {room}` → {}, and binary frames
// (api/BinaryFrame) whose target is "yjs:<room>" carrying one y-websocket message each way.
// The scope comes from the access token's grants (collab:<room>:read-write | readonly); a
// read-only room's updates are dropped. After the open reply the server sends its sync step 1 and
// the awareness states, as a y-websocket server does on connect.
//
// Threading: each session's rooms live on its shard, in that shard's table; nothing is shared.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/BinaryFrame.hpp"
#include "api/Call.hpp"
#include "collab/DocumentPeer.hpp"
#include "collab/DocumentService.hpp"

namespace onair::api {
class ClientSession;
class OpRouter;
}  // namespace onair::api

namespace onair::collab {

class CrdtRooms {
 public:
  static constexpr std::string_view kTargetPrefix = "yjs:";
  // Rooms one connection may have open at once; one more is refused with cap_exceeded.
  static constexpr size_t kMaxRoomsPerConnection = 1000;

  CrdtRooms(DocumentService& documents, size_t shards);

  // Adds the ops and the binary handler for targets under kTargetPrefix.
  void registerOps(api::OpRouter& router);

 private:
  using Rooms = std::unordered_map<std::string, std::shared_ptr<DocumentPeer>>;

  void open(api::Call&& call);
  void close(api::Call&& call);
  void receive(api::ClientSession& session, const api::BinaryFrame& frame);
  // The session's table of rooms on its shard, made (with its cleanup) on first use.
  Rooms& roomsOf(api::ClientSession& session);

  DocumentService& documents_;
  // Per shard: session → its open rooms.
  std::vector<std::unordered_map<const api::ClientSession*, Rooms>> shards_;
};

}  // namespace onair::collab
