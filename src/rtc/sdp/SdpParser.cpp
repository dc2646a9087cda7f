#include "rtc/sdp/SdpParser.hpp"

#include <limits>
#include <string>

#include "rtc/sdp/SdpTokens.hpp"

namespace onair::rtc::sdp {

namespace {

constexpr uint64_t kMaxU32 = std::numeric_limits<uint32_t>::max();
constexpr uint64_t kMaxU64 = std::numeric_limits<uint64_t>::max();

// The transport attributes that may sit at session level or in a media section.
struct TransportFields {
  std::optional<std::string>& iceUfrag;
  std::optional<std::string>& icePwd;
  std::vector<std::string>& iceOptions;
  std::vector<Fingerprint>& fingerprints;
  std::optional<DtlsSetup>& setup;
};

// One pass over the lines. Each handler returns false after fail() has set the error.
class Reader {
 public:
  Reader(const SdpLimits& limits, SdpError& error) : limits_(limits), error_(error) {}

  std::optional<SessionDescription> read(std::string_view text) {
    if (text.size() > limits_.maxBytes) {
      fail("the description is " + std::to_string(text.size()) + " bytes, over the limit of " +
           std::to_string(limits_.maxBytes));
      return std::nullopt;
    }
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      if (!readLine(line)) return std::nullopt;
    }
    // The lines every description has (RFC 8866 §5), reported for the whole text (line 0).
    line_ = 0;
    const char* missing = !sawVersion_ ? "empty: no v=0 line"
                          : !sawOrigin_ ? "no o= line"
                          : !sawName_   ? "no s= line"
                          : !sawTiming_ ? "no t= line"
                                        : nullptr;
    if (missing) {
      fail(missing);
      return std::nullopt;
    }
    return std::move(description_);
  }

 private:
  bool fail(std::string reason) {
    error_.line = line_;
    error_.reason = std::move(reason);
    return false;
  }

  bool readLine(std::string_view line) {
    // "<type>=<value>", printable: a control character has no business in SDP.
    if (line.size() > limits_.maxLineBytes) {
      return fail("the line is " + std::to_string(line.size()) + " bytes, over the limit of " +
                  std::to_string(limits_.maxLineBytes));
    }
    for (char c : line) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return fail("a control character in the line");
    }
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      return fail("not a '<letter>=<value>' line");
    }
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (!sawVersion_) {
      if (type != 'v' || value != "0") return fail("the first line is not v=0");
      sawVersion_ = true;
      return true;
    }
    switch (type) {
      case 'v': return fail("a second v= line");
      case 'o': return readOrigin(value);
      case 's': return readSessionOnce(sawName_, description_.sessionName, value, "s=");
      case 't': return readSessionOnce(sawTiming_, description_.timing, value, "t=");
      case 'c': return readConnection(value);
      case 'b':
        (section_ ? section_->bandwidths : description_.bandwidths).emplace_back(value);
        return true;
      case 'm': return readMediaLine(value);
      case 'a': return readAttribute(value);
      default: return true;  // i u e p z k r and unknown types: ignored
    }
  }

  bool readOrigin(std::string_view value) {
    if (section_) return fail("o= after the first m= line");
    if (sawOrigin_) return fail("a second o= line");
    sawOrigin_ = true;
    SdpTokens tokens(value);
    Origin& o = description_.origin;
    for (std::string* field : {&o.username, &o.sessionId, &o.sessionVersion, &o.netType, &o.addressType, &o.address}) {
      *field = tokens.next();
      if (field->empty()) return fail("o= does not have six fields");
    }
    if (!tokens.done()) return fail("o= has more than six fields");
    return true;
  }

  bool readSessionOnce(bool& seen, std::string& field, std::string_view value, std::string_view what) {
    if (section_) return fail(std::string(what) + " after the first m= line");
    if (seen) return fail("a second " + std::string(what) + " line");
    seen = true;
    field = value;
    return true;
  }

  bool readConnection(std::string_view value) {
    auto& field = section_ ? section_->connection : description_.connection;
    if (field) return fail("a second c= line");
    if (value.empty()) return fail("c= is empty");
    field = std::string(value);
    return true;
  }

  // m=<media> <port>[/<number of ports>] <proto> <fmt> …
  bool readMediaLine(std::string_view value) {
    if (description_.media.size() == limits_.maxMediaSections) {
      return fail("more than " + std::to_string(limits_.maxMediaSections) + " media sections");
    }
    SdpTokens tokens(value);
    MediaSection m;
    m.kind = tokens.next();
    const std::string_view port = tokens.next();
    m.proto = tokens.next();
    if (m.kind.empty() || port.empty() || m.proto.empty()) return fail("m= is not '<media> <port> <proto> <fmt>…'");
    const size_t slash = port.find('/');
    const auto number = SdpTokens::number<uint16_t>(port.substr(0, slash), 0, 65535);
    if (!number) return fail("m= port is not 0..65535");
    m.port = *number;
    if (slash != std::string_view::npos) {
      m.portCount = SdpTokens::number<uint16_t>(port.substr(slash + 1), 1, 65535);
      if (!m.portCount) return fail("m= number of ports is not 1..65535");
    }
    while (!tokens.done()) m.formats.emplace_back(tokens.next());
    description_.media.push_back(std::move(m));
    section_ = &description_.media.back();
    attributes_ = 0;
    return true;
  }

  bool readAttribute(std::string_view text) {
    if (++attributes_ > limits_.maxAttributesPerSection) {
      return fail("more than " + std::to_string(limits_.maxAttributesPerSection) + " attributes in one section");
    }
    const size_t colon = text.find(':');
    const std::string_view name = text.substr(0, colon);
    const std::string_view value = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
    if (name.empty()) return fail("a= without an attribute name");
    if (section_) {
      TransportFields t{section_->iceUfrag, section_->icePwd, section_->iceOptions, section_->fingerprints,
                        section_->setup};
      if (const auto handled = readTransportAttribute(t, name, value)) return *handled;
      return readMediaAttribute(*section_, text, name, value);
    }
    TransportFields t{description_.iceUfrag, description_.icePwd, description_.iceOptions,
                      description_.fingerprints, description_.setup};
    if (const auto handled = readTransportAttribute(t, name, value)) return *handled;
    return readSessionAttribute(text, name, value);
  }

  bool readSessionAttribute(std::string_view text, std::string_view name, std::string_view value) {
    SessionDescription& d = description_;
    if (name == "group") {
      SdpTokens tokens(value);
      Group g;
      g.semantics = tokens.next();
      if (g.semantics.empty()) return fail("a=group without semantics");
      while (!tokens.done()) g.mids.emplace_back(tokens.next());
      d.groups.push_back(std::move(g));
    } else if (name == "ice-lite") {
      d.iceLite = true;
    } else if (name == "msid-semantic") {
      if (d.msidSemantic) return fail("a second a=msid-semantic");
      d.msidSemantic = std::string(value);
    } else {
      d.otherAttributes.emplace_back(text);
    }
    return true;
  }

  // ice-ufrag, ice-pwd, ice-options, fingerprint, setup; nullopt when the name is none of them.
  std::optional<bool> readTransportAttribute(TransportFields t, std::string_view name, std::string_view value) {
    if (name == "ice-ufrag") return readOnce(t.iceUfrag, value, "a=ice-ufrag");
    if (name == "ice-pwd") return readOnce(t.icePwd, value, "a=ice-pwd");
    if (name == "ice-options") {
      // Once per level, so the writer's one line is never longer than the line it came from.
      if (!t.iceOptions.empty()) return fail("a second a=ice-options");
      SdpTokens tokens(value);
      while (!tokens.done()) t.iceOptions.emplace_back(tokens.next());
      return true;
    }
    if (name == "fingerprint") {
      SdpTokens tokens(value);
      Fingerprint f{std::string(tokens.next()), std::string(tokens.next())};
      if (f.value.empty() || !tokens.done()) return fail("a=fingerprint is not '<hash function> <fingerprint>'");
      t.fingerprints.push_back(std::move(f));
      return true;
    }
    if (name == "setup") {
      if (t.setup) return fail("a second a=setup");
      t.setup = parseSetup(value);
      if (!t.setup) return fail("a=setup is not actpass, active, passive or holdconn");
      return true;
    }
    return std::nullopt;
  }

  bool readOnce(std::optional<std::string>& field, std::string_view value, std::string_view what) {
    if (field) return fail("a second " + std::string(what));
    if (value.empty()) return fail(std::string(what) + " is empty");
    field = std::string(value);
    return true;
  }

  bool readMediaAttribute(MediaSection& m, std::string_view text, std::string_view name, std::string_view value) {
    if (const auto direction = parseDirection(name)) {
      if (m.direction) return fail("a second direction attribute in one section");
      m.direction = direction;
      return true;
    }
    if (name == "mid") return readOnce(m.mid, value, "a=mid");
    // Flags: a value after them, which none has, is ignored.
    if (name == "rtcp-mux") return (m.rtcpMux = true);
    if (name == "rtcp-rsize") return (m.rtcpRsize = true);
    if (name == "end-of-candidates") return (m.endOfCandidates = true);
    if (name == "rtpmap") return readRtpMap(m, value);
    if (name == "fmtp") return readFmtp(m, value);
    if (name == "rtcp-fb") return readFeedback(m, value);
    if (name == "extmap") return readExtmap(m, value);
    if (name == "ssrc") return readSsrc(m, value);
    if (name == "ssrc-group") return readSsrcGroup(m, value);
    if (name == "msid") return readMsid(m, value);
    if (name == "rid") return readRid(m, value);
    if (name == "simulcast") return readSimulcast(m, value);
    if (name == "candidate") {
      std::string reason;
      auto candidate = Candidate::parse(value, reason);
      if (!candidate) return fail(reason);
      m.candidates.push_back(std::move(*candidate));
      return true;
    }
    if (name == "sctp-port") {
      if (m.sctpPort) return fail("a second a=sctp-port");
      m.sctpPort = SdpTokens::number<uint16_t>(value, 0, 65535);
      return m.sctpPort ? true : fail("a=sctp-port is not 0..65535");
    }
    if (name == "max-message-size") {
      if (m.maxMessageSize) return fail("a second a=max-message-size");
      m.maxMessageSize = SdpTokens::number<uint64_t>(value, 0, kMaxU64);
      return m.maxMessageSize ? true : fail("a=max-message-size is not a number");
    }
    m.otherAttributes.emplace_back(text);
    return true;
  }

  // The payload type an rtpmap, fmtp or rtcp-fb line is about, created on first mention.
  RtpFormat* formatFor(MediaSection& m, std::string_view token, std::string_view what) {
    const auto pt = SdpTokens::number<uint8_t>(token, 0, 127);
    if (!pt) {
      fail(std::string(what) + " payload type '" + std::string(token) + "' is not 0..127");
      return nullptr;
    }
    for (RtpFormat& f : m.rtpFormats) {
      if (f.payloadType == *pt) return &f;
    }
    m.rtpFormats.push_back(RtpFormat{*pt, std::nullopt, std::nullopt, {}});
    return &m.rtpFormats.back();
  }

  // a=rtpmap:<pt> <encoding name>/<clock rate>[/<channels>]
  bool readRtpMap(MediaSection& m, std::string_view value) {
    SdpTokens tokens(value);
    RtpFormat* format = formatFor(m, tokens.next(), "a=rtpmap");
    if (!format) return false;
    if (format->rtpmap) return fail("a second a=rtpmap for payload type " + std::to_string(format->payloadType));
    const std::string_view encoding = tokens.next();
    if (!tokens.done()) return fail("a=rtpmap has more than '<pt> <name>/<clock rate>[/<channels>]'");
    const size_t slash1 = encoding.find('/');
    const size_t slash2 = slash1 == std::string_view::npos ? slash1 : encoding.find('/', slash1 + 1);
    RtpMap map;
    map.encodingName = encoding.substr(0, slash1);
    const auto clock = slash1 == std::string_view::npos
                           ? std::nullopt
                           : SdpTokens::number<uint32_t>(encoding.substr(slash1 + 1, slash2 - slash1 - 1), 1, kMaxU32);
    if (map.encodingName.empty() || !clock) return fail("a=rtpmap is not '<pt> <name>/<clock rate>[/<channels>]'");
    map.clockRate = *clock;
    if (slash2 != std::string_view::npos) {
      map.channels = SdpTokens::number<uint16_t>(encoding.substr(slash2 + 1), 1, 255);
      if (!map.channels) return fail("a=rtpmap channels are not 1..255");
    }
    format->rtpmap = std::move(map);
    return true;
  }

  // a=fmtp:<pt> <format parameters>
  bool readFmtp(MediaSection& m, std::string_view value) {
    SdpTokens tokens(value);
    RtpFormat* format = formatFor(m, tokens.next(), "a=fmtp");
    if (!format) return false;
    if (format->fmtp) return fail("a second a=fmtp for payload type " + std::to_string(format->payloadType));
    const std::string_view parameters = tokens.rest();
    if (parameters.empty()) return fail("a=fmtp without parameters");
    format->fmtp = std::string(parameters);
    return true;
  }

  // a=rtcp-fb:<pt|*> <type> [<parameters>]
  bool readFeedback(MediaSection& m, std::string_view value) {
    SdpTokens tokens(value);
    const std::string_view pt = tokens.next();
    const std::string_view feedback = tokens.rest();
    if (feedback.empty()) return fail("a=rtcp-fb without a feedback type");
    if (pt == "*") {
      m.wildcardFeedback.emplace_back(feedback);
      return true;
    }
    RtpFormat* format = formatFor(m, pt, "a=rtcp-fb");
    if (!format) return false;
    format->feedback.emplace_back(feedback);
    return true;
  }

  // a=extmap:<id>[/<direction>] <uri> [<extension attributes>]
  bool readExtmap(MediaSection& m, std::string_view value) {
    SdpTokens tokens(value);
    const std::string_view idToken = tokens.next();
    const size_t slash = idToken.find('/');
    HeaderExtension e;
    const auto id = SdpTokens::number<uint8_t>(idToken.substr(0, slash), 1, 255);
    if (!id) return fail("a=extmap id is not 1..255");
    e.id = *id;
    if (slash != std::string_view::npos) {
      e.direction = parseDirection(idToken.substr(slash + 1));
      if (!e.direction) return fail("a=extmap direction is not sendrecv, sendonly, recvonly or inactive");
    }
    e.uri = tokens.next();
    if (e.uri.empty()) return fail("a=extmap without a URI");
    e.attributes = tokens.rest();
    m.extensions.push_back(std::move(e));
    return true;
  }

  // a=ssrc:<ssrc> <attribute>[:<value>]
  bool readSsrc(MediaSection& m, std::string_view value) {
    SdpTokens tokens(value);
    const auto ssrc = SdpTokens::number<uint32_t>(tokens.next(), 0, kMaxU32);
    const std::string_view attribute = tokens.rest();
    const size_t colon = attribute.find(':');
    if (!ssrc || attribute.empty() || colon == 0) return fail("a=ssrc is not '<ssrc> <attribute>[:<value>]'");
    SsrcAttribute a{*ssrc, std::string(attribute.substr(0, colon)), std::nullopt};
    if (colon != std::string_view::npos) a.value = std::string(attribute.substr(colon + 1));
    m.ssrcs.push_back(std::move(a));
    return true;
  }

  // a=ssrc-group:<semantics> <ssrc>…
  bool readSsrcGroup(MediaSection& m, std::string_view value) {
    SdpTokens tokens(value);
    SsrcGroup g;
    g.semantics = tokens.next();
    while (!tokens.done()) {
      const auto ssrc = SdpTokens::number<uint32_t>(tokens.next(), 0, kMaxU32);
      if (!ssrc) return fail("a=ssrc-group lists something that is not an SSRC");
      g.ssrcs.push_back(*ssrc);
    }
    if (g.semantics.empty() || g.ssrcs.empty()) return fail("a=ssrc-group is not '<semantics> <ssrc>…'");
    m.ssrcGroups.push_back(std::move(g));
    return true;
  }

  // a=msid:<stream id> [<track id>]
  bool readMsid(MediaSection& m, std::string_view value) {
    SdpTokens tokens(value);
    Msid msid{std::string(tokens.next()), std::nullopt};
    if (const std::string_view track = tokens.next(); !track.empty()) msid.track = std::string(track);
    if (msid.stream.empty() || !tokens.done()) return fail("a=msid is not '<stream id> [<track id>]'");
    m.msids.push_back(std::move(msid));
    return true;
  }

  // a=rid:<id> <send|recv> [<restrictions>]
  bool readRid(MediaSection& m, std::string_view value) {
    SdpTokens tokens(value);
    Rid rid;
    rid.id = tokens.next();
    const std::string_view direction = tokens.next();
    if (rid.id.empty() || (direction != "send" && direction != "recv")) {
      return fail("a=rid is not '<id> send|recv [<restrictions>]'");
    }
    rid.send = direction == "send";
    rid.restrictions = tokens.rest();
    m.rids.push_back(std::move(rid));
    return true;
  }

  // a=simulcast:[send <stream>;<stream>…] [recv <stream>;…], each direction at most once.
  bool readSimulcast(MediaSection& m, std::string_view value) {
    if (m.simulcast) return fail("a second a=simulcast");
    SdpTokens tokens(value);
    Simulcast s;
    while (!tokens.done()) {
      const std::string_view direction = tokens.next();
      const std::string_view list = tokens.next();
      if ((direction != "send" && direction != "recv") || list.empty()) {
        return fail("a=simulcast is not 'send <streams> recv <streams>'");
      }
      auto& streams = direction == "send" ? s.send : s.recv;
      if (!streams.empty()) return fail("a=simulcast names a direction twice");
      for (size_t start = 0; start <= list.size();) {
        const size_t end = std::min(list.find(';', start), list.size());
        if (end == start) return fail("a=simulcast has an empty stream in its list");
        streams.emplace_back(list.substr(start, end - start));
        start = end + 1;
      }
    }
    if (s.send.empty() && s.recv.empty()) return fail("a=simulcast names no streams");
    m.simulcast = std::move(s);
    return true;
  }

  const SdpLimits& limits_;
  SdpError& error_;
  SessionDescription description_;
  MediaSection* section_ = nullptr;  // the current m= section, null at session level
  size_t line_ = 0;
  size_t attributes_ = 0;  // a= lines in the current section
  bool sawVersion_ = false;
  bool sawOrigin_ = false;
  bool sawName_ = false;
  bool sawTiming_ = false;
};

}  // namespace

std::optional<SessionDescription> SdpParser::parse(std::string_view text, SdpError& error, const SdpLimits& limits) {
  error = SdpError{};
  return Reader(limits, error).read(text);
}

}  // namespace onair::rtc::sdp
