#include "collab/CrdtRooms.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "api/ArgReader.hpp"
#include "api/ClientSession.hpp"
#include "api/Envelope.hpp"
#include "api/OpRouter.hpp"
#include "collab/Framing.hpp"
#include "collab/RoomScope.hpp"
#include "collab/yjs/SyncMessage.hpp"
#include "rooms/RoomName.hpp"

namespace onair::collab {

namespace {

using api::ApiError;
using api::ErrorCode;

// The room argument: a valid room name short enough for a binary frame target ("yjs:" + room).
std::string roomArg(api::Call& call) {
  api::ArgReader args(call.args());
  std::string room = args.string("room", 1, api::BinaryFrame::kMaxTarget - CrdtRooms::kTargetPrefix.size());
  if (!args.error() && !rooms::RoomName::isValid(room)) args.fail(std::string("room must be ") + rooms::RoomName::kRule);
  if (auto e = args.error()) {
    call.fail(*e);
    return {};
  }
  return room;
}

}  // namespace

CrdtRooms::CrdtRooms(DocumentService& documents, size_t shards) : documents_(documents), shards_(shards) {}

void CrdtRooms::registerOps(api::OpRouter& router) {
  router.add("collab.open", [this](api::Call&& call) { open(std::move(call)); });
  router.add("collab.close", [this](api::Call&& call) { close(std::move(call)); });
  router.addBinaryHandler(std::string(kTargetPrefix), [this](api::ClientSession& session, const api::BinaryFrame& frame) { receive(session, frame); });
}

CrdtRooms::Rooms& CrdtRooms::roomsOf(api::ClientSession& session) {
  auto& table = shards_[session.loop().index()];
  auto [it, made] = table.try_emplace(&session);
  if (made) {
    session.onClosed([this, shard = session.loop().index(), key = &session] {
      auto& rooms = shards_[shard];
      auto found = rooms.find(key);
      if (found == rooms.end()) return;
      for (auto& [name, peer] : found->second) peer->close();
      rooms.erase(found);
    });
  }
  return it->second;
}

void CrdtRooms::open(api::Call&& call) {
  std::string room = roomArg(call);
  if (room.empty()) return;
  api::ClientSession& session = call.session();
  auto scope = RoomScope::of(session.claims()->grants, room);
  if (!scope) {
    return call.fail({ErrorCode::Permission,
                      "your token does not allow collab on room " + room + " (needs collab:<room>:read-write or :readonly)", std::nullopt});
  }
  auto connection = session.connection().lock();
  if (!connection || session.relayed()) return call.fail({ErrorCode::InvalidArgument, "crdt rooms need a direct connection", std::nullopt});
  Rooms& rooms = roomsOf(session);
  if (auto it = rooms.find(room); it != rooms.end()) {  // opened again (a resync): start over
    it->second->close();
    rooms.erase(it);
  }
  if (rooms.size() >= kMaxRoomsPerConnection) {
    return call.fail({ErrorCode::CapExceeded, "too many crdt rooms open on one connection", std::nullopt});
  }
  auto peer = std::make_shared<DocumentPeer>(documents_, *connection, room, Framing::Onair, *scope == RoomScope::kReadOnly);
  rooms[room] = peer;
  auto shared = std::make_shared<api::Call>(std::move(call));
  peer->open([shared, room, scope = std::string(*scope)](bool opened) {
    if (opened) return shared->reply(boost::json::object{{"room", room}, {"scope", scope}});
    // Closed before it opened (a later collab.open or collab.close of the room), or the document
    // could not be loaded.
    shared->fail({ErrorCode::ServiceUnavailable, "collab.open of " + room + " did not complete (closed or opened again meanwhile, or the document could not be loaded)", 1000});
  });
}

void CrdtRooms::close(api::Call&& call) {
  std::string room = roomArg(call);
  if (room.empty()) return;
  Rooms& rooms = roomsOf(call.session());
  if (auto it = rooms.find(room); it != rooms.end()) {
    it->second->close();
    rooms.erase(it);
  }
  call.reply(boost::json::object{});
}

void CrdtRooms::receive(api::ClientSession& session, const api::BinaryFrame& frame) {
  const std::string room(frame.target.substr(kTargetPrefix.size()));
  Rooms& rooms = roomsOf(session);
  auto it = rooms.find(room);
  if (it == rooms.end() || !it->second->opened()) {
    session.countBadRequest();
    return session.sendText(api::Envelope::error(nullptr, {ErrorCode::NotFound, "collab.open the room " + room + " first", std::nullopt}));
  }
  auto message = yjs::SyncMessage::decode(bytesOf(frame.payload), documents_.options().messages);
  if (!message) {
    session.countBadRequest();
    return session.sendText(api::Envelope::error(
        nullptr, {ErrorCode::InvalidArgument, "not a y-websocket message: " + std::string(yjs::describe(message.error())), std::nullopt}));
  }
  it->second->receive(*message);
}

}  // namespace onair::collab
