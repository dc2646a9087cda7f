#pragma once
// Argument pieces of the media ops (streams.publish, streams.subscribe; docs/protocol.md "Media").
// Each reads its fields through the ArgReader, which then names the first bad one.
#include <boost/json/object.hpp>
#include <optional>
#include <vector>

#include "api/ArgReader.hpp"
#include "rtc/sdp/SessionDescription.hpp"
#include "streams/TrackOffer.hpp"
#include "streams/TrackSubscription.hpp"

namespace onair::streams {

struct MediaArgs {
  // `sdp`: an SDP offer, parsed (a parse failure is invalid_argument with the line and reason).
  static std::optional<rtc::sdp::SessionDescription> offer(api::ArgReader& args, const boost::json::object& raw);
  // `tracks`: [{mid, trackId, kind: "audio" | "video"} | {trackId, kind: "data"}], mids unique,
  // data track ids unique (a data track's mid is left empty).
  static std::vector<TrackOffer> tracks(api::ArgReader& args, const boost::json::object& raw);
  // `subscriptions`: [{mid?, streamId, trackId}], mids unique; absent: []. Without mid: a data
  // track (mid left empty).
  static std::vector<TrackSubscription> subscriptions(api::ArgReader& args, const boost::json::object& raw);
};

}  // namespace onair::streams
