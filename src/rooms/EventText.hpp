#pragma once
// The JSON text of stream events, built once per message at the owner and shared by every
// subscriber. `dataJson` is embedded as is: it was serialized by onair and is valid JSON.
#include <string>
#include <string_view>

#include "engine/StreamMessage.hpp"

namespace onair::rooms {

struct EventText {
  // {"event":"<event>","target":"<target>","data":{"type","data","publisher","timestamp","offset","epoch"}}
  static std::string stored(std::string_view event, std::string_view target, const engine::StreamMessage& m,
                            std::string_view epoch);
  // Same without offset and epoch (broadcast).
  static std::string transient(std::string_view event, std::string_view target, std::string_view type,
                               std::string_view dataJson, std::string_view publisher, int64_t timestampMs);
  // {"event":"room.direct","target":<room>,"data":{"type","data","from","fromSession","timestamp"}}
  static std::string direct(std::string_view room, std::string_view type, std::string_view dataJson,
                            std::string_view from, std::string_view fromSession, int64_t timestampMs);
  // The message object alone, as history and snapshots return it.
  static std::string message(const engine::StreamMessage& m, std::string_view epoch);
};

}  // namespace onair::rooms
