#pragma once
// What a stream room's creator or manager writes (createStreamRoom, updateStreamRoom): the whole
// definition, as PrivMX's StreamApi overwrites it on every update.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

namespace onair::streams {

struct StreamRoomSpec {
  std::string contextId;              // create only; an update keeps the room's context
  std::vector<std::string> users;     // user ids (token `sub`), distinct
  std::vector<std::string> managers;  // user ids, distinct; they alone update and delete
  std::string publicMeta;             // opaque bytes as standard base64 text
  std::string privateMeta;            // opaque bytes as standard base64 text
  boost::json::object policy;         // opaque to the server
};

}  // namespace onair::streams
