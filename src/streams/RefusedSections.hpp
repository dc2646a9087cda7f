#pragma once
// The sections of a subscriber's offer it may not receive (its authority said no), by mid, each
// with the reason reported in the subscribe's `rejected` list (e.g. "subscribe_type"); data tracks
// under dataRefusalKey().
#include <map>
#include <string>

namespace onair::streams {

using RefusedSections = std::map<std::string, std::string>;

// A data track has no section: its refusal is kept under this key.
inline std::string dataRefusalKey(const std::string& streamId, const std::string& trackId) {
  return "data:" + streamId + "/" + trackId;
}

}  // namespace onair::streams
