#include "rtc/sfu/SdpRtpParameters.hpp"

#include <algorithm>
#include <string_view>

#include "rtc/sdp/FormatParameters.hpp"
#include "rtc/sdp/SdpTokens.hpp"

namespace onair::rtc::sfu {

namespace {

constexpr std::string_view kTransportCc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr std::string_view kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr std::string_view kRid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
constexpr std::string_view kRepairedRid = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
constexpr std::string_view kAbsSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
constexpr std::string_view kAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

using sdp::FormatParameters;

bool equalsIgnoringCase(std::string_view a, std::string_view b) { return FormatParameters::equalsIgnoringCase(a, b); }

std::optional<std::string_view> fmtpValue(const std::optional<std::string>& fmtp, std::string_view key) {
  return FormatParameters::value(fmtp, key);
}

bool isRtx(const sdp::RtpFormat& f) { return f.rtpmap && equalsIgnoringCase(f.rtpmap->encodingName, "rtx"); }

std::optional<uint8_t> aptOf(const sdp::RtpFormat& f) {
  const auto apt = fmtpValue(f.fmtp, "apt");
  return apt ? sdp::SdpTokens::number<uint8_t>(*apt, 0, 127) : std::nullopt;
}

bool isRtpSection(const sdp::MediaSection& m) {
  return !m.isRejected() && (m.kind == "audio" || m.kind == "video") && !m.rtpFormats.empty();
}

// The first codec of the section in m= line order (rtx is never one), or null.
const sdp::RtpFormat* firstCodec(const sdp::MediaSection& m) {
  for (const std::string& token : m.formats) {
    const auto pt = sdp::SdpTokens::number<uint8_t>(token, 0, 127);
    const sdp::RtpFormat* f = pt ? m.rtpFormat(*pt) : nullptr;
    if (f && f->rtpmap && !isRtx(*f)) return f;
  }
  return nullptr;
}

// The rtx format repairing `payloadType`, or null.
const sdp::RtpFormat* rtxFor(const sdp::MediaSection& m, uint8_t payloadType) {
  for (const sdp::RtpFormat& f : m.rtpFormats) {
    if (isRtx(f) && aptOf(f) == payloadType) return &f;
  }
  return nullptr;
}

bool negotiated(const sdp::MediaSection& m, const sdp::RtpFormat& f, std::string_view feedback) {
  const auto has = [&](const std::vector<std::string>& list) { return std::find(list.begin(), list.end(), feedback) != list.end(); };
  return has(f.feedback) || has(m.wildcardFeedback);
}

// Keeps `codec` and its rtx (in that order) and drops transport-cc feedback and the extension.
void keepOnly(sdp::MediaSection& m, const sdp::RtpFormat& codec, const sdp::RtpFormat* rtx) {
  std::vector<sdp::RtpFormat> kept{codec};
  if (rtx) kept.push_back(*rtx);
  m.formats.clear();
  for (sdp::RtpFormat& f : kept) {
    std::erase(f.feedback, "transport-cc");
    m.formats.push_back(std::to_string(f.payloadType));
  }
  m.rtpFormats = std::move(kept);
  std::erase(m.wildcardFeedback, "transport-cc");
  std::erase_if(m.extensions, [](const sdp::HeaderExtension& e) { return e.uri == kTransportCc; });
}

RtpCodec codecOf(const sdp::MediaSection& m, const sdp::RtpFormat& f) {
  RtpCodec codec;
  codec.name = f.rtpmap->encodingName;
  codec.payloadType = f.payloadType;
  codec.clockRate = f.rtpmap->clockRate;
  codec.channels = f.rtpmap->channels.value_or(0);
  if (const sdp::RtpFormat* rtx = rtxFor(m, f.payloadType)) codec.rtxPayloadType = rtx->payloadType;
  codec.fmtp = f.fmtp.value_or("");
  codec.nack = negotiated(m, f, "nack");
  codec.pli = negotiated(m, f, "nack pli");
  codec.fir = negotiated(m, f, "ccm fir");
  return codec;
}

HeaderExtensionIds extensionIdsOf(const sdp::MediaSection& m) {
  HeaderExtensionIds ids;
  for (const sdp::HeaderExtension& e : m.extensions) {
    if (e.uri == kMid) ids.mid = e.id;
    else if (e.uri == kRid) ids.rid = e.id;
    else if (e.uri == kRepairedRid) ids.repairedRid = e.id;
    else if (e.uri == kAbsSendTime) ids.absSendTime = e.id;
    else if (e.uri == kTransportCc) ids.transportCc = e.id;
    else if (e.uri == kAudioLevel) ids.audioLevel = e.id;
  }
  return ids;
}

// The bitstream parameters two peers must agree on for one codec (the SFU never transcodes).
bool sameBitstream(std::string_view name, const std::optional<std::string>& a, const std::optional<std::string>& b) {
  const auto same = [&](std::string_view key, std::string_view absent, size_t prefix) {
    const std::string_view x = fmtpValue(a, key).value_or(absent), y = fmtpValue(b, key).value_or(absent);
    return equalsIgnoringCase(x.substr(0, std::min(prefix, x.size())), y.substr(0, std::min(prefix, y.size())));
  };
  if (equalsIgnoringCase(name, "H264")) {
    // profile_idc and profile_iop (the first four hex digits); the level may differ.
    return same("packetization-mode", "0", std::string_view::npos) && same("profile-level-id", "42000a", 4);
  }
  if (equalsIgnoringCase(name, "VP9")) return same("profile-id", "0", std::string_view::npos);
  return true;
}

// The offer's payload type for the producer's codec, or null.
const sdp::RtpFormat* matchingFormat(const sdp::MediaSection& offer, const RtpCodec& codec) {
  for (const std::string& token : offer.formats) {
    const auto pt = sdp::SdpTokens::number<uint8_t>(token, 0, 127);
    const sdp::RtpFormat* f = pt ? offer.rtpFormat(*pt) : nullptr;
    if (!f || !f->rtpmap || isRtx(*f)) continue;
    if (!equalsIgnoringCase(f->rtpmap->encodingName, codec.name) || f->rtpmap->clockRate != codec.clockRate) continue;
    if (codec.channels != 0 && f->rtpmap->channels.value_or(1) != codec.channels) continue;
    if (sameBitstream(codec.name, f->fmtp, codec.fmtp.empty() ? std::nullopt : std::optional<std::string>(codec.fmtp))) return f;
  }
  return nullptr;
}

// The section's own ssrcs: the FID group's pair, else its first a=ssrc.
void ssrcsOf(const sdp::MediaSection& m, ProducerParameters& p) {
  for (const sdp::SsrcGroup& g : m.ssrcGroups) {
    if (g.semantics == "FID" && g.ssrcs.size() == 2) {
      p.ssrc = g.ssrcs[0];
      p.rtxSsrc = g.ssrcs[1];
      return;
    }
  }
  if (!m.ssrcs.empty()) p.ssrc = m.ssrcs.front().ssrc;
}

void announce(sdp::MediaSection& m, const SdpRtpParameters::Announcement& a, std::optional<uint32_t> rtxSsrc) {
  const std::string msid = a.streamId + " " + a.trackId;
  m.msids = {sdp::Msid{a.streamId, a.trackId}};
  m.ssrcGroups.clear();
  m.ssrcs.clear();
  if (rtxSsrc) m.ssrcGroups.push_back(sdp::SsrcGroup{"FID", {a.ssrc, *rtxSsrc}});
  for (std::optional<uint32_t> ssrc : {std::optional<uint32_t>(a.ssrc), rtxSsrc}) {
    if (!ssrc) continue;
    m.ssrcs.push_back(sdp::SsrcAttribute{*ssrc, "cname", a.cname});
    m.ssrcs.push_back(sdp::SsrcAttribute{*ssrc, "msid", msid});
  }
}

}  // namespace

void SdpRtpParameters::restrictToOneCodec(sdp::MediaSection& answer) {
  if (!isRtpSection(answer)) return;
  const sdp::RtpFormat* codec = firstCodec(answer);
  if (!codec) return;
  const sdp::RtpFormat chosen = *codec;
  const sdp::RtpFormat* rtx = rtxFor(answer, chosen.payloadType);
  const std::optional<sdp::RtpFormat> rtxCopy = rtx ? std::optional(*rtx) : std::nullopt;
  keepOnly(answer, chosen, rtxCopy ? &*rtxCopy : nullptr);
}

std::optional<ProducerParameters> SdpRtpParameters::producer(const sdp::MediaSection& offer, const sdp::MediaSection& answer,
                                                             std::string& error) {
  const std::string mid = offer.mid.value_or("?");
  if (!isRtpSection(answer)) {
    error = "section " + mid + " was not accepted (no codec onair forwards, or not in the BUNDLE group)";
    return std::nullopt;
  }
  const sdp::Direction direction = offer.direction.value_or(sdp::Direction::SendRecv);
  if (direction != sdp::Direction::SendOnly && direction != sdp::Direction::SendRecv) {
    error = "section " + mid + " does not send (a=" + std::string(sdp::directionName(direction)) + ")";
    return std::nullopt;
  }
  const sdp::RtpFormat* codec = firstCodec(answer);
  if (!codec) {
    error = "section " + mid + " has no codec onair forwards";
    return std::nullopt;
  }
  ProducerParameters p;
  p.kind = answer.kind;
  p.mid = mid;
  p.codec = codecOf(answer, *codec);
  ssrcsOf(offer, p);
  p.extensions = extensionIdsOf(answer);
  return p;
}

std::optional<ConsumerParameters> SdpRtpParameters::consumer(const sdp::MediaSection& offer, sdp::MediaSection& answer,
                                                             const ProducerParameters& producer,
                                                             const Announcement& announcement, std::string& error) {
  const std::string mid = offer.mid.value_or("?");
  if (offer.kind != producer.kind) {
    error = "section " + mid + " receives " + offer.kind + ", but the track is " + producer.kind;
    return std::nullopt;
  }
  if (answer.isRejected()) {
    error = "section " + mid + " was not accepted (stopped, or no codec onair forwards)";
    return std::nullopt;
  }
  const sdp::RtpFormat* format = matchingFormat(offer, producer.codec);
  if (!format) {
    error = "section " + mid + " cannot receive " + producer.codec.name + "/" + std::to_string(producer.codec.clockRate);
    return std::nullopt;
  }
  // The answer's copy of the offered format carries only the feedback onair handles.
  const sdp::RtpFormat* answered = answer.rtpFormat(format->payloadType);
  const sdp::RtpFormat codec = answered ? *answered : sdp::RtpFormat{format->payloadType, format->rtpmap, format->fmtp, {}};
  const sdp::RtpFormat* rtx = rtxFor(answer, codec.payloadType);
  const std::optional<sdp::RtpFormat> rtxCopy = rtx ? std::optional(*rtx) : std::nullopt;
  keepOnly(answer, codec, rtxCopy ? &*rtxCopy : nullptr);
  std::erase_if(answer.extensions, [](const sdp::HeaderExtension& e) { return e.uri == kRid || e.uri == kRepairedRid; });
  answer.rids.clear();
  answer.simulcast.reset();
  const std::optional<uint32_t> rtxSsrc = rtxCopy ? announcement.rtxSsrc : std::nullopt;
  announce(answer, announcement, rtxSsrc);

  ConsumerParameters c;
  c.mid = mid;
  c.ssrc = announcement.ssrc;
  c.rtxSsrc = rtxSsrc;
  c.codec = codecOf(answer, answer.rtpFormats.front());
  c.extensions = extensionIdsOf(answer);
  return c;
}

}  // namespace onair::rtc::sfu
