#pragma once
// Argument pieces shared by the client ops (streams.*) and the HTTP routes (/v1/streams/rooms)
// of stream rooms. Each reads its fields through the ArgReader, which then names the first bad one.
#include <boost/json/object.hpp>
#include <string>

#include "api/ArgReader.hpp"
#include "streams/StreamListQuery.hpp"
#include "streams/StreamRoomSpec.hpp"
#include "streams/StreamRoomUpdate.hpp"

namespace onair::streams {

struct StreamRoomArgs {
  // A context id (1–128 bytes) from `contextId`.
  static std::string contextId(api::ArgReader& args);
  // A stream room id (1–64 bytes) from `streamRoomId`.
  static std::string roomId(api::ArgReader& args);
  // {contextId (create only), users, managers, publicMeta?, privateMeta?, policy?}. Users and
  // managers are arrays of user ids (strings), repeated ids kept once; metas are base64 text
  // ("" when absent); policy an object ({} when absent).
  static StreamRoomSpec spec(api::ArgReader& args, const boost::json::object& raw, bool withContext);
  // spec (without contextId) + {version, force?, forceGenerateNewKey?}.
  static StreamRoomUpdate update(api::ArgReader& args, const boost::json::object& raw);
  // {contextId, skip? (0), limit? (1–1000, 10), sortOrder? ("desc" | "asc")}.
  static StreamListQuery listQuery(api::ArgReader& args);
};

}  // namespace onair::streams
