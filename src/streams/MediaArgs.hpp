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
  // `tracks`: [{mid, trackId, kind: "audio" | "video"}], mids unique.
  static std::vector<TrackOffer> tracks(api::ArgReader& args, const boost::json::object& raw);
  // `subscriptions`: [{mid, streamId, trackId}], mids unique; absent: [].
  static std::vector<TrackSubscription> subscriptions(api::ArgReader& args, const boost::json::object& raw);
};

}  // namespace onair::streams
