#include "rtc/client/OfferWriter.hpp"

#include <string_view>

#include "rtc/sdp/SdpWriter.hpp"

namespace onair::rtc::client {

namespace {

constexpr std::string_view kMidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr std::string_view kAudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

sdp::Fingerprint sdpFingerprint(const dtls::DtlsFingerprint& fingerprint) {
  const std::string text = fingerprint.toString();  // "sha-256 AB:CD:…"
  const size_t space = text.find(' ');
  return {text.substr(0, space), text.substr(space + 1)};
}

sdp::RtpFormat opus() {
  return {OfferWriter::kOpusPayloadType, sdp::RtpMap{"opus", 48000, 2}, "minptime=10;useinbandfec=1", {}};
}

sdp::RtpFormat vp8() {
  return {OfferWriter::kVp8PayloadType, sdp::RtpMap{"VP8", 90000, std::nullopt}, std::nullopt,
          {"goog-remb", "ccm fir", "nack", "nack pli"}};
}

sdp::MediaSection section(const OfferWriter::Identity& identity, const ClientTrack& track) {
  const bool audio = track.kind == ClientTrack::Kind::Audio;
  sdp::MediaSection m;
  m.kind = audio ? "audio" : "video";
  m.port = 9;
  m.proto = "UDP/TLS/RTP/SAVPF";
  m.connection = "IN IP4 0.0.0.0";
  m.mid = track.mid;
  m.direction = track.direction == ClientTrack::Direction::Send ? sdp::Direction::SendOnly : sdp::Direction::RecvOnly;
  m.rtcpMux = true;
  m.rtcpRsize = true;
  m.iceUfrag = identity.iceUfrag;
  m.icePwd = identity.icePassword;
  m.fingerprints.push_back(sdpFingerprint(identity.fingerprint));
  m.setup = sdp::DtlsSetup::ActPass;
  if (audio) m.extensions.push_back({OfferWriter::kAudioLevelExtensionId, std::nullopt, std::string(kAudioLevelUri), ""});
  m.extensions.push_back({OfferWriter::kMidExtensionId, std::nullopt, std::string(kMidUri), ""});
  m.rtpFormats.push_back(audio ? opus() : vp8());
  m.formats.push_back(std::to_string(m.rtpFormats.front().payloadType));
  m.otherAttributes.push_back("rtcp:9 IN IP4 0.0.0.0");
  if (track.direction == ClientTrack::Direction::Send) {
    const std::string trackId = track.trackId.empty() ? track.mid : track.trackId;
    m.msids.push_back({identity.streamId, trackId});
    m.ssrcs.push_back({track.ssrc, "cname", identity.cname});
    m.ssrcs.push_back({track.ssrc, "msid", identity.streamId + " " + trackId});
  }
  return m;
}

}  // namespace

sdp::SessionDescription OfferWriter::offer(const Identity& identity, std::span<const ClientTrack> tracks) {
  sdp::SessionDescription offer;
  offer.origin.sessionId = "1";
  offer.origin.sessionVersion = "1";
  offer.origin.address = "127.0.0.1";
  offer.msidSemantic = " WMS *";
  sdp::Group bundle{"BUNDLE", {}};
  for (const ClientTrack& track : tracks) {
    bundle.mids.push_back(track.mid);
    offer.media.push_back(section(identity, track));
  }
  offer.groups.push_back(std::move(bundle));
  return offer;
}

std::string OfferWriter::write(const Identity& identity, std::span<const ClientTrack> tracks) {
  return sdp::SdpWriter::write(offer(identity, tracks));
}

}  // namespace onair::rtc::client
