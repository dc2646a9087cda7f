#pragma once
// Who calls a stream-room op: the token's user and, for client ops, the connection. An empty
// userId is the server API, which acts on every room of every context. A client's grants are
// on the surface `stream`, matched against the context id: `join` to read, list, join and
// subscribe, `manage` to create, update and delete (updates and deletes also need the user
// among the room's managers).
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/GrantSet.hpp"

namespace onair::api {
class ClientSession;
}

namespace onair::streams {

struct StreamActor {
  std::string userId;
  size_t shard = 0;
  std::weak_ptr<api::ClientSession> session;
  std::string sessionId;
  std::optional<auth::GrantSet> grants;  // nullopt: the server API

  bool isServer() const { return userId.empty(); }
  bool allows(std::string_view contextId, std::string_view action) const {
    return !grants || grants->allows("stream", contextId, action);
  }
};

}  // namespace onair::streams
