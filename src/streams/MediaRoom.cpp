#include "streams/MediaRoom.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "rtc/dtls/DtlsFingerprint.hpp"
#include "rtc/sdp/AnswerBuilder.hpp"
#include "rtc/sdp/SdpWriter.hpp"
#include "rtc/sfu/SdpRtpParameters.hpp"
#include "streams/LayerSelector.hpp"
#include "util/Random.hpp"

namespace onair::streams {

using api::ApiError;
using api::ErrorCode;
using rtc::sfu::SdpRtpParameters;
namespace json = boost::json;
namespace sdp = rtc::sdp;

namespace {

bool isMedia(const sdp::MediaSection& m) { return m.kind == "audio" || m.kind == "video"; }

// The answer's data channel section (accepted), as its index; nullopt when there is none.
std::optional<size_t> dataSection(const sdp::SessionDescription& answer) {
  for (size_t i = 0; i < answer.media.size(); ++i) {
    if (answer.media[i].kind == "application" && !answer.media[i].isRejected()) return i;
  }
  return std::nullopt;
}

std::string dataLabel(const std::string& streamId, const std::string& trackId) { return streamId + "/" + trackId; }

// Encodings of one simulcast section onair receives: browsers send three; each costs a producer
// with its own retransmission buffer, so a hostile offer cannot ask for more.
constexpr size_t kMaxSimulcastLayers = 4;

// An RFC 8851 rid-id (letters, digits, '-' and '_'), at most 16 characters here.
bool validRid(std::string_view rid) {
  return !rid.empty() && rid.size() <= 16 &&
         std::all_of(rid.begin(), rid.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

// The encodings a video section sends, lowest first (a=simulcast:send, RFC 8853: each entry is
// one encoding, alternatives after a comma, "~" for one that starts paused), each declared by an
// a=rid:<id> send line. Empty: no simulcast (fewer than two such encodings); nullopt: more than
// kMaxSimulcastLayers.
std::optional<std::vector<std::string>> simulcastRids(const sdp::MediaSection& offered) {
  std::vector<std::string> rids;
  if (!offered.simulcast || offered.simulcast->send.size() < 2) return rids;
  for (std::string entry : offered.simulcast->send) {
    entry = entry.substr(0, entry.find(','));
    if (!entry.empty() && entry.front() == '~') entry.erase(0, 1);
    const bool declared = std::any_of(offered.rids.begin(), offered.rids.end(), [&](const sdp::Rid& r) { return r.id == entry && r.send; });
    if (!validRid(entry) || !declared || std::find(rids.begin(), rids.end(), entry) != rids.end()) continue;
    rids.push_back(entry);
  }
  if (rids.size() > kMaxSimulcastLayers) return std::nullopt;
  return rids.size() < 2 ? std::vector<std::string>{} : rids;
}

// The offer's transport: the first section (or the session) with ICE credentials and a fingerprint.
std::optional<rtc::WebRtcTransport::RemoteParameters> remoteOf(const sdp::SessionDescription& offer) {
  std::optional<std::string> ufrag = offer.iceUfrag;
  std::vector<sdp::Fingerprint> fingerprints = offer.fingerprints;
  for (const sdp::MediaSection& m : offer.media) {
    if (m.isRejected()) continue;
    if (m.iceUfrag) ufrag = m.iceUfrag;
    if (!m.fingerprints.empty()) fingerprints = m.fingerprints;
    break;
  }
  if (!ufrag || fingerprints.empty()) return std::nullopt;
  auto fingerprint = rtc::dtls::DtlsFingerprint::parse(fingerprints.front().algorithm + " " + fingerprints.front().value);
  if (!fingerprint) return std::nullopt;
  return rtc::WebRtcTransport::RemoteParameters{*ufrag, *fingerprint, rtc::dtls::DtlsTransport::Role::Server};
}

// An accepted answer section that carries nothing (a=inactive, one codec). Sections are never
// rejected for carrying nothing: rejecting the BUNDLE group's first section would end the peer
// connection's transport.
void idle(sdp::MediaSection& m) {
  rtc::sfu::SdpRtpParameters::restrictToOneCodec(m);
  m.direction = sdp::Direction::Inactive;
  m.msids.clear();
  m.ssrcGroups.clear();
  m.ssrcs.clear();
}

bool receives(const sdp::MediaSection& m) {
  const sdp::Direction d = m.direction.value_or(sdp::Direction::SendRecv);
  return d == sdp::Direction::RecvOnly || d == sdp::Direction::SendRecv;
}

ApiError invalid(std::string message) { return ApiError::invalidArgument(std::move(message)); }
ApiError notFound(std::string message) { return {ErrorCode::NotFound, std::move(message), std::nullopt}; }

uint32_t randomSsrc(const std::set<uint32_t>& used) {
  for (;;) {
    const std::string bytes = util::randomBytes(4);
    uint32_t ssrc = 0;
    for (unsigned char b : bytes) ssrc = (ssrc << 8) | b;
    if (ssrc != 0 && !used.count(ssrc)) return ssrc;
  }
}

}  // namespace

MediaRoom::MediaRoom(boost::asio::io_context& io, rtc::WebRtcServer& server, std::string roomId, Emit emit,
                     std::function<void()> empty)
    : io_(io),
      roomId_(std::move(roomId)),
      emit_(std::move(emit)),
      onEmpty_(std::move(empty)),
      router_(io, server, *this),
      layerTimer_(io) {}

MediaRoom::~MediaRoom() = default;

// ---- transports --------------------------------------------------------------------------------

rtc::sfu::TransportId MediaRoom::openTransport(const sdp::SessionDescription& offer, std::string& error) {
  auto remote = remoteOf(offer);
  if (!remote) {
    error = "the offer has no a=ice-ufrag or no usable a=fingerprint (sha-1 … sha-512)";
    return 0;
  }
  const rtc::sfu::TransportId id = router_.createTransport();
  if (auto* transport = router_.transport(id)) transport->setRemoteParameters(std::move(*remote));
  return id;
}

sdp::AnswerParameters MediaRoom::answerParameters(rtc::sfu::TransportId id, uint64_t version) const {
  sdp::AnswerParameters p;
  auto* transport = const_cast<rtc::sfu::Router&>(router_).transport(id);
  p.sessionId = std::to_string(id);
  p.sessionVersion = version;
  p.iceUfrag = transport->localUfrag();
  p.icePwd = transport->localPassword();
  const std::string fingerprint = transport->fingerprint().toString();
  const size_t space = fingerprint.find(' ');
  p.fingerprint = {fingerprint.substr(0, space), fingerprint.substr(space + 1)};
  p.candidates = {transport->candidate()};
  return p;
}

std::variant<MediaRoom::Negotiation, ApiError> MediaRoom::negotiate(const sdp::SessionDescription& offer,
                                                                    const rtc::sfu::TransportId* current, uint64_t lastVersion,
                                                                    std::string_view op) {
  Negotiation n;
  std::string error;
  n.fresh = current == nullptr;
  n.transport = n.fresh ? openTransport(offer, error) : *current;
  if (!n.transport) return invalid(error);
  if (!router_.transport(n.transport)) {
    return notFound(fmt::format("this peer connection's transport closed: {} again with a new peer connection", op));
  }
  n.version = lastVersion + 1;
  auto answer = sdp::AnswerBuilder::build(offer, answerParameters(n.transport, n.version), error);
  if (!answer) {
    if (n.fresh) router_.closeTransport(n.transport);
    return invalid(error);
  }
  n.answer = std::move(*answer);
  // Data channels ride on the SCTP association of the accepted data section (RFC 8841).
  if (const auto data = dataSection(n.answer)) {
    router_.transport(n.transport)->enableDataChannels(offer.media[*data].sctpPort.value_or(5000));
  }
  return n;
}

// ---- publishing --------------------------------------------------------------------------------

api::Result MediaRoom::publish(const std::string& sessionId, const std::string& userId, const sdp::SessionDescription& offer,
                               const std::vector<TrackOffer>& tracks) {
  // Every listed track names an offered section of its kind.
  std::map<std::string, size_t> sectionOf;  // mid → index in the offer
  for (size_t i = 0; i < offer.media.size(); ++i) {
    if (offer.media[i].mid) sectionOf[*offer.media[i].mid] = i;
  }
  for (const TrackOffer& t : tracks) {
    if (t.kind == "data") continue;
    auto it = sectionOf.find(t.mid);
    if (it == sectionOf.end() || offer.media[it->second].kind != t.kind) {
      return invalid("track " + t.trackId + ": the offer has no " + t.kind + " section with a=mid:" + t.mid);
    }
  }

  auto existing = publishers_.find(sessionId);
  auto negotiated = negotiate(offer, existing == publishers_.end() ? nullptr : &existing->second.transport,
                              existing == publishers_.end() ? 0 : existing->second.answerVersion, "publish");
  if (auto* e = std::get_if<ApiError>(&negotiated)) {
    if (e->code == ErrorCode::NotFound) publishers_.erase(sessionId);  // closed meanwhile: its close unpublished
    return *e;
  }
  auto& [transport, fresh, version, answer] = std::get<Negotiation>(negotiated);
  std::string error;
  for (sdp::MediaSection& m : answer.media) SdpRtpParameters::restrictToOneCodec(m);

  // The producers the listed tracks need, checked before anything changes.
  std::vector<MediaTrack> next;
  for (size_t i = 0; i < offer.media.size() && error.empty(); ++i) {
    const sdp::MediaSection& offered = offer.media[i];
    auto listed = std::find_if(tracks.begin(), tracks.end(), [&](const TrackOffer& t) { return offered.mid && t.mid == *offered.mid; });
    if (listed == tracks.end() || !isMedia(offered)) continue;
    auto params = SdpRtpParameters::producer(offered, answer.media[i], error);
    if (!params) {
      error = "track " + listed->trackId + ": " + error;
      break;
    }
    MediaTrack track{listed->trackId, listed->kind, listed->mid, 0, 0, std::move(*params), {}};
    if (offered.kind == "video") {
      const auto rids = simulcastRids(offered);
      if (!rids) {
        error = "track " + listed->trackId + ": more than " + std::to_string(kMaxSimulcastLayers) + " simulcast encodings";
        break;
      }
      for (const std::string& rid : *rids) track.layers.push_back(SimulcastLayer{rid, 0});
    }
    next.push_back(std::move(track));
  }
  for (const TrackOffer& t : tracks) {
    if (t.kind != "data") continue;
    if (!dataSection(answer)) {
      error = "data track " + t.trackId + ": the offer has no data channel section (create its data channel before the offer)";
      break;
    }
    next.push_back(MediaTrack{t.trackId, t.kind, "", 0, 0, {}});
  }
  if (!error.empty()) {
    if (fresh) router_.closeTransport(transport);
    return invalid(error);
  }

  auto& publisher = publishers_[sessionId];
  if (fresh) {
    publisher.userId = userId;
    publisher.transport = transport;
    publisher.streamId = util::randomId("st_", 12);
  }
  publisher.answerVersion = version;
  // Kept: the same track on the same section. Closed: the rest of the old ones.
  bool changed = fresh || publisher.tracks.size() != next.size();
  for (MediaTrack& track : next) {
    auto old = std::find_if(publisher.tracks.begin(), publisher.tracks.end(),
                            [&](const MediaTrack& t) { return t.mid == track.mid && t.trackId == track.trackId; });
    // The same encodings (or the same single one): the producers carry on.
    const auto rids = [](const MediaTrack& t) {
      std::vector<std::string> out;
      for (const auto& layer : t.layers) out.push_back(layer.rid);
      return out;
    };
    if (old != publisher.tracks.end() && rids(*old) == rids(track)) {
      track.producer = std::exchange(old->producer, 0);
      track.dataProducer = std::exchange(old->dataProducer, 0);
      track.layers = std::exchange(old->layers, {});
    }
  }
  for (const MediaTrack& old : publisher.tracks) {
    for (const SimulcastLayer& layer : old.layers) router_.closeProducer(layer.producer);
    if (old.producer) router_.closeProducer(old.producer);
    if (old.dataProducer) router_.closeDataProducer(old.dataProducer);
    changed |= old.producer || old.dataProducer;
  }
  for (MediaTrack& track : next) {
    if (track.producer || track.dataProducer) continue;
    changed = true;
    if (track.kind == "data") {
      // The publisher's channel labelled with the track id, open already or soon.
      if (auto producer = router_.produceData(transport, track.trackId, error)) track.dataProducer = *producer;
      continue;
    }
    if (!track.layers.empty()) {
      produceLayers(transport, track);
      continue;
    }
    auto producer = router_.produce(transport, track.parameters, error);
    if (!producer) {
      spdlog::warn("streams: room {}: cannot forward track {} ({}): {}", roomId_, track.trackId, track.kind, error);
      continue;
    }
    track.producer = *producer;
  }
  std::erase_if(next, [](const MediaTrack& t) { return t.producer == 0 && t.dataProducer == 0; });
  publisher.tracks = std::move(next);

  json::object result{{"sdp", sdp::SdpWriter::write(answer)}, {"streamId", publisher.streamId}};
  if (!publisher.published) {
    publisher.published = true;
    emit_("streamPublished", sessionId, streamData(publisher));
  } else if (changed) {
    emit_("streamUpdated", sessionId, streamData(publisher));
  }
  return json::value(std::move(result));
}

api::Result MediaRoom::unpublish(const std::string& sessionId, const std::string& streamId) {
  auto it = publishers_.find(sessionId);
  if (it == publishers_.end() || it->second.streamId != streamId) return notFound("you publish no stream " + streamId + " in this room");
  // Only the publishing peer connection closes: what this connection receives goes on.
  stopPublishing(sessionId);
  return json::value(json::object());
}

boost::json::object MediaRoom::streamData(const PublisherSession& publisher) const {
  json::array tracks;
  for (const MediaTrack& t : publisher.tracks) tracks.push_back(json::object{{"trackId", t.trackId}, {"kind", t.kind}});
  return json::object{{"streamRoomId", roomId_}, {"streamId", publisher.streamId}, {"userId", publisher.userId}, {"tracks", std::move(tracks)}};
}

boost::json::object MediaRoom::listStreams() const {
  json::array streams;
  for (const auto& [sessionId, publisher] : publishers_) {
    if (publisher.published) streams.push_back(streamData(publisher));
  }
  return json::object{{"streamRoomId", roomId_}, {"streams", std::move(streams)}};
}

const MediaTrack* MediaRoom::findTrack(const std::string& streamId, const std::string& trackId) const {
  for (const auto& [sessionId, publisher] : publishers_) {
    if (publisher.streamId != streamId) continue;
    for (const MediaTrack& t : publisher.tracks) {
      if (t.trackId == trackId) return &t;
    }
  }
  return nullptr;
}

// ---- subscribing -------------------------------------------------------------------------------

api::Result MediaRoom::subscribe(const std::string& sessionId, const sdp::SessionDescription& offer,
                                 const std::vector<TrackSubscription>& subscriptions, const RefusedSections& refused) {
  std::map<std::string, const sdp::MediaSection*> offered;
  for (const sdp::MediaSection& m : offer.media) {
    if (m.mid) offered[*m.mid] = &m;
  }
  for (const TrackSubscription& s : subscriptions) {
    if (s.mid.empty()) {
      const MediaTrack* track = findTrack(s.streamId, s.trackId);
      if (!track) return notFound("stream " + s.streamId + " publishes no track " + s.trackId + " in this room");
      if (track->kind != "data") return invalid("track " + s.trackId + " is " + track->kind + ": name the a=mid of the section to receive it on");
      if (std::none_of(offer.media.begin(), offer.media.end(), [](const sdp::MediaSection& m) { return m.kind == "application" && !m.isRejected(); })) {
        return invalid("data track " + s.trackId + ": the offer has no data channel section (open one data channel on the receiving connection)");
      }
      continue;
    }
    auto it = offered.find(s.mid);
    if (it == offered.end() || !isMedia(*it->second) || it->second->isRejected()) {
      return invalid("subscription of track " + s.trackId + ": the offer has no open audio or video section with a=mid:" + s.mid);
    }
    const MediaTrack* track = findTrack(s.streamId, s.trackId);
    if (!track) return notFound("stream " + s.streamId + " publishes no track " + s.trackId + " in this room");
    if (track->kind != it->second->kind) {
      return invalid("track " + s.trackId + " is " + track->kind + ", but section " + s.mid + " receives " + it->second->kind);
    }
  }

  auto current = subscribers_.find(sessionId);
  auto negotiated = negotiate(offer, current == subscribers_.end() ? nullptr : &current->second.transport,
                              current == subscribers_.end() ? 0 : current->second.answerVersion, "subscribe");
  if (auto* e = std::get_if<ApiError>(&negotiated)) {
    if (e->code == ErrorCode::NotFound) subscribers_.erase(sessionId);
    return *e;
  }
  auto& [transport, fresh, version, answer] = std::get<Negotiation>(negotiated);

  auto& subscriber = subscribers_[sessionId];
  subscriber.transport = transport;
  subscriber.answerVersion = version;
  // Sections gone from the offer release their tracks.
  for (auto it = subscriber.sections.begin(); it != subscriber.sections.end();) {
    if (offered.count(it->first)) {
      ++it;
      continue;
    }
    router_.closeConsumer(it->second.consumer);
    it = subscriber.sections.erase(it);
  }
  std::set<uint32_t> ssrcs;
  for (const auto& [mid, section] : subscriber.sections) {
    ssrcs.insert(section.announcement.ssrc);
    if (section.announcement.rtxSsrc) ssrcs.insert(*section.announcement.rtxSsrc);
  }

  json::array rejected;
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const sdp::MediaSection& m = offer.media[i];
    if (!m.mid || !isMedia(m)) continue;
    const std::string& mid = *m.mid;
    auto existing = subscriber.sections.find(mid);
    auto wanted = std::find_if(subscriptions.begin(), subscriptions.end(), [&](const TrackSubscription& s) { return s.mid == mid; });
    const bool replaced = existing != subscriber.sections.end() && wanted != subscriptions.end() &&
                          (existing->second.streamId != wanted->streamId || existing->second.trackId != wanted->trackId);
    if (existing != subscriber.sections.end() && (answer.media[i].isRejected() || !receives(m) || replaced)) {
      router_.closeConsumer(existing->second.consumer);
      subscriber.sections.erase(existing);
      existing = subscriber.sections.end();
    }
    if (answer.media[i].isRejected()) continue;
    if (!receives(m)) {
      idle(answer.media[i]);  // the client released it (a=inactive)
      continue;
    }

    std::string reason;
    if (auto no = refused.find(mid); no != refused.end()) {
      // Not for this subscriber: whatever the section carried ends.
      if (existing != subscriber.sections.end()) {
        router_.closeConsumer(existing->second.consumer);
        subscriber.sections.erase(existing);
      }
      reason = no->second;
    } else if (existing != subscriber.sections.end()) {
      // An open section keeps its track: the answer announces it again.
      const MediaTrack* track = findTrack(existing->second.streamId, existing->second.trackId);
      if (track && SdpRtpParameters::consumer(m, answer.media[i], track->parameters, existing->second.announcement, reason)) continue;
      router_.closeConsumer(existing->second.consumer);
      subscriber.sections.erase(existing);
    } else if (wanted != subscriptions.end()) {
      const MediaTrack* track = findTrack(wanted->streamId, wanted->trackId);
      SdpRtpParameters::Announcement announcement{randomSsrc(ssrcs), std::nullopt, "onair", wanted->streamId, wanted->trackId};
      ssrcs.insert(announcement.ssrc);
      announcement.rtxSsrc = randomSsrc(ssrcs);
      ssrcs.insert(*announcement.rtxSsrc);
      auto params = SdpRtpParameters::consumer(m, answer.media[i], track->parameters, announcement, reason);
      auto consumer = params ? router_.consume(transport, track->producer, *params, reason) : std::nullopt;
      if (consumer) {
        auto& section = subscriber.sections[mid] = SubscriberSession::Section{wanted->streamId, wanted->trackId, track->producer, *consumer, announcement};
        selectLayer(section);
        continue;
      }
    } else {
      reason = "no track subscribed on this section";
    }
    idle(answer.media[i]);
    rejected.push_back(json::object{{"mid", mid}, {"reason", reason}});
  }
  subscribeData(subscriber, subscriptions, refused, rejected);
  return json::value(json::object{{"sdp", sdp::SdpWriter::write(answer)}, {"rejected", std::move(rejected)}});
}

void MediaRoom::subscribeData(SubscriberSession& subscriber, const std::vector<TrackSubscription>& subscriptions, const RefusedSections& refused,
                              json::array& rejected) {
  // A data consumer lasts until its track goes or the subscriber closes onair's channel for it.
  std::erase_if(subscriber.dataTracks, [this](const auto& entry) { return !router_.hasDataConsumer(entry.second); });
  for (const TrackSubscription& s : subscriptions) {
    if (!s.mid.empty()) continue;
    const std::string label = dataLabel(s.streamId, s.trackId);
    if (const auto no = refused.find(dataRefusalKey(s.streamId, s.trackId)); no != refused.end()) {
      if (const auto had = subscriber.dataTracks.find(label); had != subscriber.dataTracks.end()) {
        router_.closeDataConsumer(had->second);
        subscriber.dataTracks.erase(had);
      }
      rejected.push_back(json::object{{"trackId", s.trackId}, {"streamId", s.streamId}, {"reason", no->second}});
      continue;
    }
    if (subscriber.dataTracks.contains(label)) continue;
    const MediaTrack* track = findTrack(s.streamId, s.trackId);
    std::string reason;
    auto consumer = track ? router_.consumeData(subscriber.transport, track->dataProducer, label, reason) : std::nullopt;
    if (consumer) {
      subscriber.dataTracks[label] = *consumer;
    } else {
      rejected.push_back(json::object{{"trackId", s.trackId}, {"streamId", s.streamId}, {"reason", reason}});
    }
  }
}

// ---- simulcast -------------------------------------------------------------------------------

void MediaRoom::produceLayers(rtc::sfu::TransportId transport, MediaTrack& track) {
  for (SimulcastLayer& layer : track.layers) {
    rtc::sfu::ProducerParameters params = track.parameters;
    params.rid = layer.rid;
    params.ssrc.reset();  // learned from the rid extension
    params.rtxSsrc.reset();
    std::string error;
    auto producer = router_.produce(transport, params, error);
    if (!producer) {
      spdlog::warn("streams: room {}: cannot forward encoding {} of track {}: {}", roomId_, layer.rid, track.trackId, error);
      continue;
    }
    layer.producer = *producer;
  }
  std::erase_if(track.layers, [](const SimulcastLayer& l) { return l.producer == 0; });
  track.producer = track.layers.empty() ? 0 : track.layers.back().producer;
  armLayerTimer();
}

api::Result MediaRoom::setQuality(const std::string& sessionId, const std::string& streamId, const std::string& trackId,
                                  const std::string& quality) {
  auto it = subscribers_.find(sessionId);
  bool found = false;
  if (it != subscribers_.end()) {
    for (auto& [mid, section] : it->second.sections) {
      if (section.streamId != streamId || (!trackId.empty() && section.trackId != trackId)) continue;
      found = true;
      section.quality = quality;
      selectLayer(section);
    }
  }
  if (!found) return notFound("you receive no track of stream " + streamId + (trackId.empty() ? "" : " named " + trackId) + " in this room");
  return json::value(json::object());
}

void MediaRoom::selectLayer(SubscriberSession::Section& section) {
  const MediaTrack* track = findTrack(section.streamId, section.trackId);
  if (!track || track->layers.size() < 2) return;
  std::vector<std::optional<LayerSelector::TimePoint>> lastPackets;
  for (const SimulcastLayer& layer : track->layers) lastPackets.push_back(router_.lastReceived(layer.producer));
  const size_t target = LayerSelector::target(section.quality, track->layers.size()).value_or(track->layers.size() - 1);
  const rtc::sfu::ProducerId chosen = track->layers[LayerSelector::choose(lastPackets, target, std::chrono::steady_clock::now())].producer;
  if (chosen == section.producer) return;
  std::string error;
  if (router_.switchProducer(section.consumer, chosen, error)) {
    section.producer = chosen;
  } else {
    spdlog::debug("streams: room {}: no switch to another encoding of {}: {}", roomId_, section.trackId, error);
  }
}

void MediaRoom::armLayerTimer() {
  if (layerTimerArmed_) return;
  layerTimerArmed_ = true;
  layerTimer_.expires_after(kLayerCheckInterval);
  layerTimer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code error) {
    if (alive.expired()) return;
    layerTimerArmed_ = false;
    if (error) return;
    // Encodings start and stop as the publisher's bandwidth changes: follow them while any
    // simulcast track is published.
    bool simulcast = false;
    for (const auto& [id, publisher] : publishers_) {
      for (const MediaTrack& t : publisher.tracks) simulcast |= t.layers.size() > 1;
    }
    if (!simulcast) return;
    for (auto& [sessionId, subscriber] : subscribers_) {
      for (auto& [mid, section] : subscriber.sections) selectLayer(section);
    }
    armLayerTimer();
  });
}

// ---- leaving and closing -----------------------------------------------------------------------

void MediaRoom::removeSession(const std::string& sessionId) {
  stopPublishing(sessionId);
  if (auto it = subscribers_.find(sessionId); it != subscribers_.end()) {
    const rtc::sfu::TransportId transport = it->second.transport;
    subscribers_.erase(it);
    router_.closeTransport(transport);
  }
  checkEmpty();
}

void MediaRoom::OnRouterTransportClosed(rtc::sfu::TransportId transport, std::string_view reason) {
  for (auto it = publishers_.begin(); it != publishers_.end(); ++it) {
    if (it->second.transport != transport) continue;
    spdlog::debug("streams: room {}: publisher transport closed ({})", roomId_, reason);
    const std::string sessionId = it->first;
    PublisherSession publisher = std::move(it->second);
    publishers_.erase(it);
    if (publisher.published) unpublished(sessionId, publisher.streamId, publisher.userId);
    break;
  }
  for (auto it = subscribers_.begin(); it != subscribers_.end(); ++it) {
    if (it->second.transport != transport) continue;
    subscribers_.erase(it);
    break;
  }
  checkEmpty();
}

void MediaRoom::OnRouterConsumerClosed(rtc::sfu::ConsumerId consumer) {
  for (auto& [sessionId, subscriber] : subscribers_) {
    std::erase_if(subscriber.sections, [consumer](const auto& entry) { return entry.second.consumer == consumer; });
  }
}

void MediaRoom::stopPublishing(const std::string& sessionId) {
  auto it = publishers_.find(sessionId);
  if (it == publishers_.end()) return;
  // The state goes first: the router's close callbacks then find nothing of it.
  PublisherSession publisher = std::move(it->second);
  publishers_.erase(it);
  router_.closeTransport(publisher.transport);
  if (publisher.published) unpublished(sessionId, publisher.streamId, publisher.userId);
  checkEmpty();
}

void MediaRoom::dropConsumers(const std::string& sessionId, const std::string& userId, bool audio, bool video) {
  auto it = subscribers_.find(sessionId);
  if (it == subscribers_.end()) return;
  std::vector<rtc::sfu::ConsumerId> closing;
  for (auto section = it->second.sections.begin(); section != it->second.sections.end();) {
    auto source = trackSource(section->second.streamId, section->second.trackId);
    const bool allowed = !source || source->userId != userId || (source->kind == "audio" ? audio : video);
    if (allowed) {
      ++section;
      continue;
    }
    closing.push_back(section->second.consumer);
    section = it->second.sections.erase(section);
  }
  // After the state changed: a close callback then finds no section of these consumers.
  for (auto consumer : closing) router_.closeConsumer(consumer);
  if (video) return;
  for (auto data = it->second.dataTracks.begin(); data != it->second.dataTracks.end();) {
    const std::string& label = data->first;
    const size_t slash = label.find('/');
    auto source = trackSource(label.substr(0, slash), label.substr(slash + 1));
    if (!source || source->userId != userId) {
      ++data;
      continue;
    }
    router_.closeDataConsumer(data->second);
    data = it->second.dataTracks.erase(data);
  }
}

std::optional<MediaRoom::TrackSource> MediaRoom::trackSource(const std::string& streamId, const std::string& trackId) const {
  for (const auto& [sessionId, publisher] : publishers_) {
    if (publisher.streamId != streamId) continue;
    for (const MediaTrack& t : publisher.tracks) {
      if (t.trackId == trackId) return TrackSource{publisher.userId, t.kind};
    }
  }
  return std::nullopt;
}

void MediaRoom::unpublished(const std::string& sessionId, const std::string& streamId, const std::string& userId) {
  emit_("streamUnpublished", sessionId, json::object{{"streamRoomId", roomId_}, {"streamId", streamId}, {"userId", userId}});
}

void MediaRoom::checkEmpty() {
  if (!empty() || emptyPosted_) return;
  emptyPosted_ = true;
  // Later: the router may be up the stack (a close callback), and the owner destroys this room.
  boost::asio::post(io_, [this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired()) return;
    emptyPosted_ = false;
    if (empty()) onEmpty_();
  });
}

}  // namespace onair::streams
