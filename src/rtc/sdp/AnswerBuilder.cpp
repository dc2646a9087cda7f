#include "rtc/sdp/AnswerBuilder.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "rtc/sdp/FormatParameters.hpp"
#include "rtc/sdp/SdpTokens.hpp"

namespace onair::rtc::sdp {

namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) { return FormatParameters::equalsIgnoringCase(a, b); }

std::optional<std::string_view> fmtpValue(const std::optional<std::string>& fmtp, std::string_view key) {
  return FormatParameters::value(fmtp, key);
}

bool matches(const CodecCapability& codec, std::string_view kind, const RtpFormat& format) {
  const RtpMap& map = *format.rtpmap;
  if (codec.kind != kind || !equalsIgnoringCase(codec.encodingName, map.encodingName) ||
      codec.clockRate != map.clockRate || (codec.channels != 0 && map.channels.value_or(1) != codec.channels)) {
    return false;
  }
  return std::all_of(codec.required.begin(), codec.required.end(), [&](const CodecCapability::Parameter& p) {
    const std::string_view value = fmtpValue(format.fmtp, p.name).value_or(p.valueWhenAbsent);
    return std::any_of(p.allowed.begin(), p.allowed.end(),
                       [&](const std::string& allowed) { return equalsIgnoringCase(allowed, value); });
  });
}

// The offered formats the SFU forwards, in the offer's order: matching codecs, then the rtx
// payload types whose apt is one of them.
std::vector<const RtpFormat*> acceptedFormats(const MediaSection& offer, const AnswerParameters& local) {
  std::set<uint8_t> codecs;
  for (const RtpFormat& f : offer.rtpFormats) {
    if (!f.rtpmap || equalsIgnoringCase(f.rtpmap->encodingName, "rtx")) continue;
    if (std::any_of(local.codecs.begin(), local.codecs.end(),
                    [&](const CodecCapability& c) { return matches(c, offer.kind, f); })) {
      codecs.insert(f.payloadType);
    }
  }
  std::vector<const RtpFormat*> accepted;
  for (const std::string& token : offer.formats) {
    const auto pt = SdpTokens::number<uint8_t>(token, 0, 127);
    const RtpFormat* f = pt ? offer.rtpFormat(*pt) : nullptr;
    if (!f || !f->rtpmap || std::find(accepted.begin(), accepted.end(), f) != accepted.end()) continue;
    bool keep = codecs.count(f->payloadType) > 0;
    if (equalsIgnoringCase(f->rtpmap->encodingName, "rtx")) {
      const auto apt = fmtpValue(f->fmtp, "apt");
      const auto repaired = apt ? SdpTokens::number<uint8_t>(*apt, 0, 127) : std::nullopt;
      keep = repaired && codecs.count(*repaired) > 0;
    }
    if (keep) accepted.push_back(f);
  }
  return accepted;
}

bool isRtp(const MediaSection& m) {
  return (m.kind == "audio" || m.kind == "video") && m.proto.find("RTP/SAVPF") != std::string::npos;
}

bool hasDtlsSctpProto(const MediaSection& m) {
  const std::string_view proto = m.proto;
  return m.kind == "application" && proto.size() >= 9 && proto.substr(proto.size() - 9) == "DTLS/SCTP";
}

// "UDP/DTLS/SCTP webrtc-datachannel" with a=sctp-port (RFC 8841).
bool isDataChannel(const MediaSection& m) {
  return hasDtlsSctpProto(m) && std::find(m.formats.begin(), m.formats.end(), "webrtc-datachannel") != m.formats.end();
}

// The pre-RFC form aiortc 1.4 still offers: "DTLS/SCTP <port>" with
// a=sctpmap:<port> webrtc-datachannel <streams>; it gets an answer in the same form.
bool isLegacyDataChannel(const MediaSection& m) {
  return hasDtlsSctpProto(m) && std::any_of(m.otherAttributes.begin(), m.otherAttributes.end(), [](const auto& a) {
           return a.rfind("sctpmap:", 0) == 0 && a.find(" webrtc-datachannel") != std::string::npos;
         });
}

// Header extension ids the offer gives to more than one URI across its sections. Within one
// BUNDLE transport an id names one extension (RFC 8843 §9.2); aiortc 1.4 breaks that (abs-send-time
// in video and ssrc-audio-level in audio both get id 2) and then reads every packet's extensions
// through one map per transport, so it misreads the other section's element (and stops receiving
// altogether). Such an id is negotiated in no section.
std::set<uint8_t> ambiguousExtensionIds(const SessionDescription& offer) {
  std::map<uint8_t, std::string_view> uriOf;
  std::set<uint8_t> ambiguous;
  for (const MediaSection& m : offer.media) {
    for (const HeaderExtension& e : m.extensions) {
      const auto [it, inserted] = uriOf.emplace(e.id, e.uri);
      if (!inserted && it->second != e.uri) ambiguous.insert(e.id);
    }
  }
  return ambiguous;
}

bool bundleOnly(const MediaSection& m) {
  return std::find(m.otherAttributes.begin(), m.otherAttributes.end(), "bundle-only") != m.otherAttributes.end();
}

class Answerer {
 public:
  Answerer(const SessionDescription& offer, const AnswerParameters& local)
      : offer_(offer), local_(local), ambiguousExtensionIds_(ambiguousExtensionIds(offer)) {
    if (!local.candidates.empty()) {
      const Candidate& first = local.candidates.front();
      port_ = first.port;
      connection_ = (first.address.find(':') != std::string::npos ? "IN IP6 " : "IN IP4 ") + first.address;
    }
  }

  std::optional<SessionDescription> build(std::string& error) {
    if (!uniqueMids(error)) return std::nullopt;
    SessionDescription answer;
    answer.origin = Origin{"onair", local_.sessionId, std::to_string(local_.sessionVersion), "IN", "IP4", "0.0.0.0"};
    answer.iceLite = true;
    Group bundle{"BUNDLE", {}};
    const MediaSection* transport = nullptr;  // the first accepted offer section: its transport is the one
    for (const MediaSection& offered : offer_.media) {
      std::optional<MediaSection> accepted = accept(offered, bundle.mids.empty());
      if (!accepted) {
        answer.media.push_back(rejected(offered));
        continue;
      }
      if (!transport) transport = &offered;
      bundle.mids.push_back(*offered.mid);
      answer.media.push_back(std::move(*accepted));
    }
    if (transport && !checkTransport(*transport, error)) return std::nullopt;
    if (offer_.group("BUNDLE") && !bundle.mids.empty()) answer.groups.push_back(std::move(bundle));
    return answer;
  }

 private:
  bool uniqueMids(std::string& error) const {
    std::set<std::string_view> mids;
    for (const MediaSection& m : offer_.media) {
      if (m.mid && !mids.insert(*m.mid).second) {
        error = "two media sections of the offer share a=mid:" + *m.mid;
        return false;
      }
    }
    return true;
  }

  // The offer's transport must be one onair can answer: ICE credentials, a fingerprint to check
  // the peer's certificate against, and a setup that leaves the DTLS server role to onair.
  bool checkTransport(const MediaSection& m, std::string& error) const {
    const auto& ufrag = m.iceUfrag ? m.iceUfrag : offer_.iceUfrag;
    const auto& pwd = m.icePwd ? m.icePwd : offer_.icePwd;
    const auto& fingerprints = m.fingerprints.empty() ? offer_.fingerprints : m.fingerprints;
    const auto& setup = m.setup ? m.setup : offer_.setup;
    if (!ufrag || !pwd) error = "the offer has no a=ice-ufrag and a=ice-pwd";
    else if (fingerprints.empty()) error = "the offer has no a=fingerprint";
    else if (setup == DtlsSetup::Passive || setup == DtlsSetup::HoldConn) {
      error = "the offer's a=setup:" + std::string(setupName(*setup)) +
              " leaves onair the DTLS client role; onair answers only as the DTLS server (passive)";
    }
    return error.empty();
  }

  // The section the SFU answers for `offered`, or nullopt to reject it.
  std::optional<MediaSection> accept(const MediaSection& offered, bool first) {
    const Group* offeredBundle = offer_.group("BUNDLE");
    if (!offered.mid || (offered.isRejected() && !bundleOnly(offered))) return std::nullopt;
    if (offeredBundle) {
      const auto& mids = offeredBundle->mids;
      if (std::find(mids.begin(), mids.end(), *offered.mid) == mids.end()) return std::nullopt;
    } else if (!first) {
      return std::nullopt;
    }
    if (isRtp(offered) && offered.rtcpMux) return acceptRtp(offered);
    if ((isDataChannel(offered) || isLegacyDataChannel(offered)) && !dataChannelAccepted_) {
      dataChannelAccepted_ = true;
      return acceptDataChannel(offered);
    }
    return std::nullopt;
  }

  MediaSection acceptDataChannel(const MediaSection& offered) const {
    MediaSection m = transportSection(offered);
    const std::string port = std::to_string(local_.sctpPort);
    if (isDataChannel(offered)) {
      m.formats = {"webrtc-datachannel"};
      m.sctpPort = local_.sctpPort;
    } else {
      m.formats = {port};
      m.otherAttributes = {"sctpmap:" + port + " webrtc-datachannel 65535"};
    }
    m.maxMessageSize = local_.maxMessageSize;
    return m;
  }

  std::optional<MediaSection> acceptRtp(const MediaSection& offered) const {
    const auto formats = acceptedFormats(offered, local_);
    if (formats.empty()) return std::nullopt;
    MediaSection m = transportSection(offered);
    m.direction = mirrored(offered.direction.value_or(Direction::SendRecv));
    m.rtcpMux = true;
    m.rtcpRsize = offered.rtcpRsize;
    for (const RtpFormat* f : formats) {
      m.formats.push_back(std::to_string(f->payloadType));
      RtpFormat answered{f->payloadType, f->rtpmap, f->fmtp, {}};
      for (const std::string& fb : f->feedback) {
        if (handlesFeedback(fb)) answered.feedback.push_back(fb);
      }
      m.rtpFormats.push_back(std::move(answered));
    }
    for (const std::string& fb : offered.wildcardFeedback) {
      if (handlesFeedback(fb)) m.wildcardFeedback.push_back(fb);
    }
    for (const HeaderExtension& e : offered.extensions) {
      if (ambiguousExtensionIds_.count(e.id)) continue;
      if (std::find(local_.extensions.begin(), local_.extensions.end(), e.uri) != local_.extensions.end()) {
        m.extensions.push_back(HeaderExtension{e.id, std::nullopt, e.uri, {}});
      }
    }
    receiveSimulcast(offered, m);
    return m;
  }

  // An offered send simulcast is received: the send rids become recv rids, the list is kept.
  static void receiveSimulcast(const MediaSection& offered, MediaSection& m) {
    if (!offered.simulcast || offered.simulcast->send.empty()) return;
    std::set<std::string_view> listed;
    for (std::string_view stream : offered.simulcast->send) {
      // "a,b" are alternatives, "~a" a paused stream.
      while (!stream.empty()) {
        const size_t comma = std::min(stream.find(','), stream.size());
        std::string_view id = stream.substr(0, comma);
        if (!id.empty() && id.front() == '~') id.remove_prefix(1);
        listed.insert(id);
        stream.remove_prefix(std::min(comma + 1, stream.size()));
      }
    }
    for (const Rid& rid : offered.rids) {
      if (rid.send && listed.count(rid.id)) m.rids.push_back(Rid{rid.id, false, {}});
    }
    m.simulcast = Simulcast{{}, offered.simulcast->send};
  }

  bool handlesFeedback(const std::string& feedback) const {
    return std::find(local_.feedback.begin(), local_.feedback.end(), feedback) != local_.feedback.end();
  }

  // The section's m= line and the SFU's transport attributes, shared by all accepted sections.
  MediaSection transportSection(const MediaSection& offered) const {
    MediaSection m;
    m.kind = offered.kind;
    m.port = port_;
    m.proto = offered.proto;
    m.connection = connection_;
    m.mid = offered.mid;
    m.iceUfrag = local_.iceUfrag;
    m.icePwd = local_.icePwd;
    m.fingerprints = {local_.fingerprint};
    m.setup = DtlsSetup::Passive;
    m.candidates = local_.candidates;
    m.endOfCandidates = true;
    return m;
  }

  static MediaSection rejected(const MediaSection& offered) { return AnswerBuilder::rejected(offered); }

  const SessionDescription& offer_;
  const AnswerParameters& local_;
  const std::set<uint8_t> ambiguousExtensionIds_;
  uint16_t port_ = 9;
  std::string connection_ = "IN IP4 0.0.0.0";
  bool dataChannelAccepted_ = false;
};

}  // namespace

MediaSection AnswerBuilder::rejected(const MediaSection& offered) {
  MediaSection m;
  m.kind = offered.kind;
  m.port = 0;
  m.proto = offered.proto;
  m.formats = offered.formats;
  m.connection = "IN IP4 0.0.0.0";
  m.mid = offered.mid;
  return m;
}

std::optional<SessionDescription> AnswerBuilder::build(const SessionDescription& offer, const AnswerParameters& local,
                                                       std::string& error) {
  error.clear();
  return Answerer(offer, local).build(error);
}

}  // namespace onair::rtc::sdp
