#pragma once
// A session description (RFC 8866) as WebRTC uses it (RFC 8829 JSEP): the session-level lines and
// attributes, then the media sections in order. SdpParser builds it from text, SdpWriter turns it
// back into text, AnswerBuilder derives an SFU's answer from an offer. Lines other than
// v o s c b t m a (i u e p z k r) are ignored, as WebRTC stacks do.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtc/sdp/DtlsSetup.hpp"
#include "rtc/sdp/Fingerprint.hpp"
#include "rtc/sdp/Group.hpp"
#include "rtc/sdp/MediaSection.hpp"
#include "rtc/sdp/Origin.hpp"

namespace onair::rtc::sdp {

struct SessionDescription {
  Origin origin;
  std::string sessionName = "-";          // s=
  std::optional<std::string> connection;  // c= at session level
  std::vector<std::string> bandwidths;    // b= at session level
  std::string timing = "0 0";             // t=

  std::vector<Group> groups;
  bool iceLite = false;
  std::optional<std::string> iceUfrag;
  std::optional<std::string> icePwd;
  std::vector<std::string> iceOptions;  // "trickle", "ice2"
  std::vector<Fingerprint> fingerprints;
  std::optional<DtlsSetup> setup;
  std::optional<std::string> msidSemantic;  // verbatim: " WMS *"
  std::vector<std::string> otherAttributes;

  std::vector<MediaSection> media;

  // The first group with these semantics, or null.
  const Group* group(std::string_view semantics) const {
    for (const Group& g : groups) {
      if (g.semantics == semantics) return &g;
    }
    return nullptr;
  }

  bool operator==(const SessionDescription&) const = default;
};

}  // namespace onair::rtc::sdp
