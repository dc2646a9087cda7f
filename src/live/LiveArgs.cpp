#include "live/LiveArgs.hpp"

#include <boost/json.hpp>
#include <chrono>

#include "api/ArgReader.hpp"
#include "util/Time.hpp"

namespace onair::live {

using api::ApiError;
using api::ErrorCode;

std::variant<PublishRequest, ApiError> LiveArgs::publish(const LiveService& service, const boost::json::object& args) {
  api::ArgReader reader(args);
  PublishRequest r;
  r.liveId = reader.string("liveId", 1, 255);
  r.widgetId = reader.optionalString("widgetId", 128);
  auto expiresAt = reader.optionalString("expiresAt", 40);
  const auto* meta = reader.optionalObject("meta");
  if (reader.error()) return *reader.error();
  if (auto e = service.checkLiveId(r.liveId)) return *e;
  auto it = args.find("transports");
  if (auto e = service.checkTransports(r.liveId, it == args.end() ? boost::json::value() : it->value(), r.transports)) return *e;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (expiresAt) {
    auto at = util::parseIsoTimeMs(*expiresAt);
    if (!at) return ApiError::invalidArgument("expiresAt must be an ISO-8601 time such as 2026-11-22T10:00:00Z");
    if (*at <= now) return ApiError::invalidArgument("expiresAt is in the past");
    if (*at > now + service.options().maxExpiresSeconds * 1000) {
      return ApiError::invalidArgument("expiresAt is more than live.max_expires_seconds ahead");
    }
    r.expiresAtMs = *at;
  }
  if (meta) {
    r.metaJson = boost::json::serialize(*meta);
    if (static_cast<int64_t>(r.metaJson.size()) > service.options().maxMetaBytes) {
      return ApiError{ErrorCode::PayloadTooLarge, "meta is larger than live.max_meta_bytes", std::nullopt};
    }
  }
  return r;
}

std::variant<std::vector<std::string>, ApiError> LiveArgs::preferences(const boost::json::object& args) {
  std::vector<std::string> out;
  auto it = args.find("transports");
  if (it == args.end() || it->value().is_null()) return out;
  if (!it->value().is_array()) return ApiError::invalidArgument("transports must be an array of transport kinds");
  for (const auto& t : it->value().as_array()) {
    if (!t.is_string() || (t.as_string() != "iframe-url" && t.as_string() != "portal-relay" && t.as_string() != "webrtc")) {
      return ApiError::invalidArgument("transports entries must be iframe-url, portal-relay or webrtc");
    }
    out.emplace_back(t.as_string());
  }
  return out;
}

}  // namespace onair::live
