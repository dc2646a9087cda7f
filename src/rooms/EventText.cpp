#include "rooms/EventText.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <fmt/format.h>

namespace onair::rooms {
namespace {

std::string quoted(std::string_view s) { return boost::json::serialize(boost::json::string(s)); }

std::string publisherJson(std::string_view p) { return p.empty() ? "null" : quoted(p); }

std::string body(std::string_view type, std::string_view dataJson, std::string_view publisher, int64_t ts) {
  return fmt::format(R"({{"type":{},"data":{},"publisher":{},"timestamp":{})", quoted(type), dataJson,
                     publisherJson(publisher), ts);
}

}  // namespace

std::string EventText::message(const engine::StreamMessage& m, std::string_view epoch) {
  return body(m.type, m.dataJson, m.publisher, m.timestampMs) + fmt::format(R"(,"offset":{},"epoch":{}}})", m.offset, quoted(epoch));
}

std::string EventText::stored(std::string_view event, std::string_view target, const engine::StreamMessage& m,
                              std::string_view epoch) {
  return fmt::format(R"({{"event":{},"target":{},"data":{}}})", quoted(event), quoted(target), message(m, epoch));
}

std::string EventText::transient(std::string_view event, std::string_view target, std::string_view type,
                                 std::string_view dataJson, std::string_view publisher, int64_t timestampMs) {
  return fmt::format(R"({{"event":{},"target":{},"data":{}}}}})", quoted(event), quoted(target),
                     body(type, dataJson, publisher, timestampMs));
}

std::string EventText::direct(std::string_view room, std::string_view type, std::string_view dataJson,
                              std::string_view from, std::string_view fromSession, int64_t timestampMs) {
  return fmt::format(R"({{"event":"room.direct","target":{},"data":{{"type":{},"data":{},"from":{},"fromSession":{},"timestamp":{}}}}})",
                     quoted(room), quoted(type), dataJson, quoted(from), quoted(fromSession), timestampMs);
}

}  // namespace onair::rooms
