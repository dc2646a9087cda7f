#pragma once
// One connection's subscribing peer connection in one stream room (on the room's owner shard): its
// router transport and, by the subscriber's mid, the track each section receives.
#include <cstdint>
#include <map>
#include <string>

#include "rtc/sfu/RouterIds.hpp"
#include "rtc/sfu/SdpRtpParameters.hpp"

namespace onair::streams {

struct SubscriberSession {
  struct Section {
    std::string streamId;
    std::string trackId;
    rtc::sfu::ProducerId producer = 0;  // for a simulcast track: the encoding received now
    rtc::sfu::ConsumerId consumer = 0;
    rtc::sfu::SdpRtpParameters::Announcement announcement;  // ssrcs and msid, stable across answers
    std::string quality = "high";  // a simulcast track's wanted encoding (streams.setQuality)
  };

  rtc::sfu::TransportId transport = 0;
  std::map<std::string, Section> sections;  // by mid
  // Data tracks received, by "<streamId>/<trackId>" (also the label of onair's channel).
  std::map<std::string, rtc::sfu::DataConsumerId> dataTracks;
  uint64_t answerVersion = 0;
};

}  // namespace onair::streams
