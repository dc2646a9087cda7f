#include "rtc/sdp/SdpWriter.hpp"

#include <string_view>

namespace onair::rtc::sdp {

namespace {

class Lines {
 public:
  // One "<type>=<value>" line from pieces.
  template <typename... Pieces>
  void add(char type, const Pieces&... pieces) {
    out_ += type;
    out_ += '=';
    (append(pieces), ...);
    out_ += "\r\n";
  }
  std::string take() { return std::move(out_); }

 private:
  void append(std::string_view piece) { out_ += piece; }
  void append(char c) { out_ += c; }
  void append(uint64_t n) { out_ += std::to_string(n); }
  void append(uint32_t n) { out_ += std::to_string(n); }
  void append(uint16_t n) { out_ += std::to_string(n); }
  void append(uint8_t n) { out_ += std::to_string(n); }
  std::string out_;
};

std::string joined(const std::vector<std::string>& items, char separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

void writeTransport(Lines& lines, const std::optional<std::string>& ufrag, const std::optional<std::string>& pwd,
                    const std::vector<std::string>& options, const std::vector<Fingerprint>& fingerprints,
                    const std::optional<DtlsSetup>& setup) {
  if (ufrag) lines.add('a', "ice-ufrag:", *ufrag);
  if (pwd) lines.add('a', "ice-pwd:", *pwd);
  if (!options.empty()) lines.add('a', "ice-options:", joined(options, ' '));
  for (const Fingerprint& f : fingerprints) lines.add('a', "fingerprint:", f.algorithm, ' ', f.value);
  if (setup) lines.add('a', "setup:", setupName(*setup));
}

void writeFormat(Lines& lines, const RtpFormat& f) {
  if (f.rtpmap) {
    if (f.rtpmap->channels) {
      lines.add('a', "rtpmap:", f.payloadType, ' ', f.rtpmap->encodingName, '/', f.rtpmap->clockRate, '/',
                *f.rtpmap->channels);
    } else {
      lines.add('a', "rtpmap:", f.payloadType, ' ', f.rtpmap->encodingName, '/', f.rtpmap->clockRate);
    }
  }
  for (const std::string& feedback : f.feedback) lines.add('a', "rtcp-fb:", f.payloadType, ' ', feedback);
  if (f.fmtp) lines.add('a', "fmtp:", f.payloadType, ' ', *f.fmtp);
}

void writeExtension(Lines& lines, const HeaderExtension& e) {
  std::string id = std::to_string(e.id);
  if (e.direction) id += '/' + std::string(directionName(*e.direction));
  if (e.attributes.empty()) lines.add('a', "extmap:", id, ' ', e.uri);
  else lines.add('a', "extmap:", id, ' ', e.uri, ' ', e.attributes);
}

void writeSimulcast(Lines& lines, const Simulcast& s) {
  std::string value;
  if (!s.send.empty()) value += "send " + joined(s.send, ';');
  if (!s.recv.empty()) value += (value.empty() ? "recv " : " recv ") + joined(s.recv, ';');
  lines.add('a', "simulcast:", value);
}

void writeSsrcs(Lines& lines, const MediaSection& m) {
  for (const SsrcGroup& g : m.ssrcGroups) {
    std::string ssrcs;
    for (uint32_t ssrc : g.ssrcs) ssrcs += ' ' + std::to_string(ssrc);
    lines.add('a', "ssrc-group:", g.semantics, ssrcs);
  }
  for (const SsrcAttribute& a : m.ssrcs) {
    if (a.value) lines.add('a', "ssrc:", a.ssrc, ' ', a.name, ':', *a.value);
    else lines.add('a', "ssrc:", a.ssrc, ' ', a.name);
  }
}

void writeMedia(Lines& lines, const MediaSection& m) {
  std::string port = std::to_string(m.port);
  if (m.portCount) port += '/' + std::to_string(*m.portCount);
  std::string formats;
  for (const std::string& f : m.formats) formats += ' ' + f;
  lines.add('m', m.kind, ' ', port, ' ', m.proto, formats);
  if (m.connection) lines.add('c', *m.connection);
  for (const std::string& b : m.bandwidths) lines.add('b', b);

  if (m.mid) lines.add('a', "mid:", *m.mid);
  writeTransport(lines, m.iceUfrag, m.icePwd, m.iceOptions, m.fingerprints, m.setup);
  if (m.direction) lines.add('a', directionName(*m.direction));
  if (m.rtcpMux) lines.add('a', "rtcp-mux");
  if (m.rtcpRsize) lines.add('a', "rtcp-rsize");
  for (const HeaderExtension& e : m.extensions) writeExtension(lines, e);
  for (const Msid& msid : m.msids) {
    if (msid.track) lines.add('a', "msid:", msid.stream, ' ', *msid.track);
    else lines.add('a', "msid:", msid.stream);
  }
  for (const RtpFormat& f : m.rtpFormats) writeFormat(lines, f);
  for (const std::string& feedback : m.wildcardFeedback) lines.add('a', "rtcp-fb:* ", feedback);
  for (const Rid& rid : m.rids) {
    const std::string_view direction = rid.send ? "send" : "recv";
    if (rid.restrictions.empty()) lines.add('a', "rid:", rid.id, ' ', direction);
    else lines.add('a', "rid:", rid.id, ' ', direction, ' ', rid.restrictions);
  }
  if (m.simulcast) writeSimulcast(lines, *m.simulcast);
  writeSsrcs(lines, m);
  if (m.sctpPort) lines.add('a', "sctp-port:", *m.sctpPort);
  if (m.maxMessageSize) lines.add('a', "max-message-size:", *m.maxMessageSize);
  for (const Candidate& c : m.candidates) lines.add('a', "candidate:", c.toText());
  if (m.endOfCandidates) lines.add('a', "end-of-candidates");
  for (const std::string& other : m.otherAttributes) lines.add('a', other);
}

}  // namespace

std::string SdpWriter::write(const SessionDescription& d) {
  Lines lines;
  const Origin& o = d.origin;
  lines.add('v', "0");
  lines.add('o', o.username, ' ', o.sessionId, ' ', o.sessionVersion, ' ', o.netType, ' ', o.addressType, ' ',
            o.address);
  lines.add('s', d.sessionName);
  if (d.connection) lines.add('c', *d.connection);
  for (const std::string& b : d.bandwidths) lines.add('b', b);
  lines.add('t', d.timing);

  for (const Group& g : d.groups) {
    std::string mids;
    for (const std::string& mid : g.mids) mids += ' ' + mid;
    lines.add('a', "group:", g.semantics, mids);
  }
  if (d.iceLite) lines.add('a', "ice-lite");
  writeTransport(lines, d.iceUfrag, d.icePwd, d.iceOptions, d.fingerprints, d.setup);
  if (d.msidSemantic) lines.add('a', "msid-semantic:", *d.msidSemantic);
  for (const std::string& other : d.otherAttributes) lines.add('a', other);

  for (const MediaSection& m : d.media) writeMedia(lines, m);
  return lines.take();
}

}  // namespace onair::rtc::sdp
