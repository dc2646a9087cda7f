#include "collab/YjsEndpoints.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <variant>

#include "api/QueryArgs.hpp"
#include "collab/Framing.hpp"
#include "collab/HocuspocusSession.hpp"
#include "collab/RoomScope.hpp"
#include "collab/YWebsocketSession.hpp"
#include "collab/yjs/SyncMessage.hpp"
#include "util/Time.hpp"

namespace onair::collab {

namespace {

constexpr std::string_view kYWebsocketPath = "/v1/yjs/";

// A connection that only tells the client why it may not in, then closes.
class Refusal final : public net::WsConnection::Listener {
 public:
  void onWsMessage(net::WsConnection&, net::WsOpcode, std::string_view) override {}
  void onWsClosed(net::WsConnection&, uint16_t) override {}
};

// The room is the rest of the path, percent-decoded (y-websocket appends it unencoded).
std::string roomOf(const std::string& path) {
  std::string room;
  for (const auto& segment : api::QueryArgs::segments(path, 2)) room += (room.empty() ? "" : "/") + segment;
  return room;
}

// The upgrade query's token parameter ("" when absent: refused by the verifier), or why the query
// cannot be read.
std::variant<std::string, auth::TokenError> tokenOf(const std::string& query) {
  auto args = api::QueryArgs::parse(query, {});
  if (!args) return auth::TokenError{"the query string is malformed (a '%' that starts no escape)"};
  const auto* token = args->if_contains("token");
  return token && token->is_string() ? std::string(token->get_string()) : std::string();
}

// Whether the upgrade may open `room`: the name fits and the query's token grants it.
std::variant<RoomTokenClaims, auth::TokenError> verifyUpgrade(const DocumentService& documents, const RoomTokenVerifier& verifier,
                                                              const std::string& room, const std::string& query) {
  if (room.size() > documents.options().messages.maxDocumentNameBytes) return auth::TokenError{"the room name is too long"};
  auto token = tokenOf(query);
  if (auto* error = std::get_if<auth::TokenError>(&token)) return *error;
  return verifier.verify(std::get<std::string>(token), room, util::epochSeconds());
}

void refuse(net::WsConnection& connection, std::string_view reason) {
  connection.send(binaryFrame(yjs::SyncMessage::permissionDenied(reason).encode()));
  connection.close(net::wsclose::Unauthenticated, reason);
}

}  // namespace

void registerYjsEndpoints(api::Gateway& gateway, DocumentService& documents, const RoomTokenVerifier& verifier) {
  gateway.addWebSocketEndpoint(std::string(kYWebsocketPath), [&documents, &verifier](
                                   net::EventLoop& loop, boost::asio::ip::tcp::socket socket, const net::HttpRequest& request,
                                   net::AddressLimiter::Place place) {
    auto connection = std::make_shared<net::WsConnection>(loop, std::move(socket));
    connection->holdPlace(std::move(place));
    const std::string room = roomOf(request.path);
    auto verified = verifyUpgrade(documents, verifier, room, request.query);
    if (auto* error = std::get_if<auth::TokenError>(&verified)) {
      connection->start(std::make_shared<Refusal>());
      return refuse(*connection, error->reason);
    }
    const auto& claims = std::get<RoomTokenClaims>(verified);
    connection->markEstablished(documents.socketLimits(loop.wsSettings().limits));
    connection->setExpiry(verifier.closesAt(claims, util::epochSeconds()));
    auto session = std::make_shared<YWebsocketSession>(documents, *connection, room, claims.scope == RoomScope::kReadOnly);
    connection->start(session);
    session->start();
  });
  gateway.addWebSocketEndpoint("/v1/hocuspocus", [&documents, &verifier](
                                                      net::EventLoop& loop, boost::asio::ip::tcp::socket socket,
                                                      const net::HttpRequest&, net::AddressLimiter::Place place) {
    auto connection = std::make_shared<net::WsConnection>(loop, std::move(socket));
    connection->holdPlace(std::move(place));
    connection->start(std::make_shared<HocuspocusSession>(documents, *connection, verifier));
  });
}

}  // namespace onair::collab
