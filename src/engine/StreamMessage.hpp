#pragma once
// One stored message of a stream (a room's or a channel's history).
#include <cstdint>
#include <string>

namespace onair::engine {

struct StreamMessage {
  uint64_t offset = 0;      // 1, 2, 3, … within the stream's epoch
  int64_t timestampMs = 0;  // when it was stored
  std::string publisher;    // as appended (AppendRequest::publisher)
  std::string type;
  std::string dataJson;     // the message's `data`, serialized JSON
};

// Where a stream stands: its newest offset (0 when empty) and its epoch.
struct StreamPosition {
  uint64_t offset = 0;
  std::string epoch;
};

}  // namespace onair::engine
