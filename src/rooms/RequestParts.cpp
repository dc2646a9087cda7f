#include "rooms/RequestParts.hpp"

#include <boost/json.hpp>

#include "rooms/RoomName.hpp"

namespace onair::rooms {

std::string RequestParts::name(api::ArgReader& args, const char* field) {
  std::string n = args.string(field, 1, 255);
  if (!args.error() && !RoomName::isValid(n)) args.fail(std::string(field) + " must be " + RoomName::kRule);
  return n;
}

PublishRequest RequestParts::publish(api::ArgReader& args, Kind kind, std::string name, std::string publisher) {
  PublishRequest p;
  p.kind = kind;
  p.name = std::move(name);
  p.type = args.string("type", 1, 128);
  p.dataJson = boost::json::serialize(args.any("data"));
  p.idempotencyKey = args.optionalString("idempotencyKey", 128);
  p.publisher = std::move(publisher);
  return p;
}

HistoryRequest RequestParts::history(api::ArgReader& args, Kind kind, std::string name) {
  HistoryRequest h;
  h.kind = kind;
  h.name = std::move(name);
  h.limit = static_cast<uint32_t>(args.integer("limit", 1, 1000, 50));
  h.forward = args.choice("direction", {"backward", "forward"}, "backward") == "forward";
  if (auto text = args.optionalString("cursor", 128)) {
    h.cursor = Cursor::decode(*text);
    if (!h.cursor) args.fail("cursor is not a cursor this server gave out");
  }
  return h;
}

std::optional<engine::StreamPosition> RequestParts::since(api::ArgReader& args, const boost::json::object& raw) {
  const auto* obj = args.optionalObject("since");
  if (!obj) return std::nullopt;
  api::ArgReader inner(*obj);
  auto offset = inner.optionalInteger("offset", 0, INT64_MAX);
  auto epoch = inner.optionalString("epoch", 64);
  if (!offset || !epoch || inner.error()) {
    args.fail("since must be {offset: integer >= 0, epoch: string}");
    return std::nullopt;
  }
  return engine::StreamPosition{static_cast<uint64_t>(*offset), *epoch};
}

}  // namespace onair::rooms
