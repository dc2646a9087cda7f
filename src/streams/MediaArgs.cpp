#include "streams/MediaArgs.hpp"

#include <set>
#include <string>

#include "rtc/sdp/SdpParser.hpp"

namespace onair::streams {
namespace {

namespace json = boost::json;

constexpr size_t kMaxSections = 64;

// The array `field` of objects (absent: empty, unless required).
const json::array* objects(api::ArgReader& args, const json::object& raw, const char* field, bool required, const char* shape) {
  if (args.error()) return nullptr;
  const auto* v = raw.if_contains(field);
  if (!v && !required) return nullptr;
  if (!v || !v->is_array() || v->as_array().size() > kMaxSections) {
    args.fail(std::string(field) + " must be an array (at most 64) of " + shape);
    return nullptr;
  }
  for (const auto& item : v->as_array()) {
    if (!item.is_object()) {
      args.fail(std::string(field) + " entries must be objects " + shape);
      return nullptr;
    }
  }
  return &v->as_array();
}

// A string member of an entry, 1..max bytes.
std::string text(api::ArgReader& args, const json::object& entry, const char* field, const char* array, size_t max) {
  const auto* v = entry.if_contains(field);
  if (!v || !v->is_string() || v->as_string().empty() || v->as_string().size() > max) {
    if (!args.error()) args.fail(std::string(array) + "[]." + field + " must be a string of 1–" + std::to_string(max) + " bytes");
    return "";
  }
  return std::string(v->as_string());
}

void uniqueMid(api::ArgReader& args, std::set<std::string>& mids, const std::string& mid, const char* array) {
  if (!args.error() && !mids.insert(mid).second) args.fail(std::string(array) + " names a=mid:" + mid + " twice");
}

}  // namespace

std::optional<rtc::sdp::SessionDescription> MediaArgs::offer(api::ArgReader& args, const json::object&) {
  rtc::sdp::SdpLimits limits;
  std::string text = args.string("sdp", 1, limits.maxBytes);
  if (args.error()) return std::nullopt;
  rtc::sdp::SdpError error;
  auto offer = rtc::sdp::SdpParser::parse(text, error, limits);
  if (!offer) args.fail("sdp is not a session description onair can read: " + error.message());
  return offer;
}

std::vector<TrackOffer> MediaArgs::tracks(api::ArgReader& args, const json::object& raw) {
  std::vector<TrackOffer> out;
  const auto* list = objects(args, raw, "tracks", true, "{mid, trackId, kind}");
  if (!list) return out;
  std::set<std::string> mids, dataTrackIds;
  for (const auto& item : *list) {
    const auto& entry = item.as_object();
    TrackOffer t{"", text(args, entry, "trackId", "tracks", 128), text(args, entry, "kind", "tracks", 5)};
    if (!args.error() && t.kind != "audio" && t.kind != "video" && t.kind != "data") {
      args.fail("tracks[].kind must be \"audio\", \"video\" or \"data\"");
    }
    // A data track is a data channel (its label the track id), not a section: it has no mid.
    if (t.kind == "data") {
      if (!args.error() && !dataTrackIds.insert(t.trackId).second) args.fail("tracks names data track " + t.trackId + " twice");
    } else {
      t.mid = text(args, entry, "mid", "tracks", 32);
      uniqueMid(args, mids, t.mid, "tracks");
    }
    if (args.error()) return {};
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<TrackSubscription> MediaArgs::subscriptions(api::ArgReader& args, const json::object& raw) {
  std::vector<TrackSubscription> out;
  const auto* list = objects(args, raw, "subscriptions", false, "{mid, streamId, trackId}");
  if (!list) return out;
  std::set<std::string> mids;
  for (const auto& item : *list) {
    const auto& entry = item.as_object();
    // No mid: a data track (it arrives on a data channel onair opens, not on a section).
    TrackSubscription s{entry.contains("mid") ? text(args, entry, "mid", "subscriptions", 32) : "",
                        text(args, entry, "streamId", "subscriptions", 64), text(args, entry, "trackId", "subscriptions", 128)};
    if (!s.mid.empty()) uniqueMid(args, mids, s.mid, "subscriptions");
    if (args.error()) return {};
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace onair::streams
