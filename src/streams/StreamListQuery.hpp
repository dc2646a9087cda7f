#pragma once
// listStreamRooms paging: rooms of one context in creation order (sortOrder "asc") or newest
// first ("desc", the default), `skip` of them left out, at most `limit` returned.
#include <cstdint>
#include <string>

namespace onair::streams {

struct StreamListQuery {
  std::string contextId;
  uint32_t skip = 0;
  uint32_t limit = 10;
  bool ascending = false;
};

}  // namespace onair::streams
