#pragma once
// The media of one stream room, on the room's owner shard (docs/protocol.md "Media"): a
// rtc::sfu::Router with, per joined connection, at most one publishing peer connection (one
// stream of tracks) and one subscribing peer connection (any tracks of any streams).
//
// Offer/answer: the client always offers, onair answers. A publisher's offer has sendonly
// sections named by `tracks`; its answer keeps one codec per section and every listed section
// becomes a producer. A later offer on the same peer connection renegotiates: new listed
// sections are produced, sections no longer listed (or stopped, or not sending) are closed. A
// subscriber's offer has recvonly sections; `subscriptions` name the track a section is to
// receive; a section keeps its track across offers until it is stopped (port 0), made inactive or
// the track goes; sections with no track are answered a=inactive (never rejected: rejecting the
// BUNDLE group's first section would end the transport).
//
// Events (through `emit`, to the room's joined connections): streamPublished on a connection's
// first publish, streamUpdated when a later offer changes the tracks, streamUnpublished on
// unpublish, stopPublishing, leave, disconnect or the publisher's transport closing. Each names
// the publishing connection (its sessionId), so the owner can tell whoever admitted it.
//
// Threading: everything on the owner shard's thread. Router callbacks may arrive inside calls
// into the router (closeTransport) and are written to find the state already updated.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/Reply.hpp"
#include "rtc/WebRtcServer.hpp"
#include "rtc/sdp/AnswerParameters.hpp"
#include "rtc/sdp/SessionDescription.hpp"
#include "rtc/sfu/Router.hpp"
#include "streams/PublisherSession.hpp"
#include "streams/RefusedSections.hpp"
#include "streams/SubscriberSession.hpp"
#include "streams/TrackOffer.hpp"
#include "streams/TrackSubscription.hpp"

namespace onair::streams {

class MediaRoom final : private rtc::sfu::Router::Listener {
 public:
  // `emit(event, sessionId, data)` sends `streams.<event>` to the room's joined connections
  // (`sessionId`: the publishing connection); `empty()` is called (at most once per emptying,
  // from a later loop turn) when the room holds no media.
  using Emit = std::function<void(std::string_view event, const std::string& sessionId, boost::json::object data)>;
  // Who publishes a track, and its kind.
  struct TrackSource {
    std::string userId;
    std::string kind;
  };
  MediaRoom(boost::asio::io_context& io, rtc::WebRtcServer& server, std::string roomId, Emit emit,
            std::function<void()> empty);
  ~MediaRoom();  // closes every transport without events

  // → {sdp, streamId}. invalid_argument for an offer onair cannot answer or tracks that do not
  // match its sections.
  api::Result publish(const std::string& sessionId, const std::string& userId, const rtc::sdp::SessionDescription& offer,
                      const std::vector<TrackOffer>& tracks);
  // → {}; not_found unless `streamId` is this connection's stream.
  api::Result unpublish(const std::string& sessionId, const std::string& streamId);
  // → {sdp, rejected: [{mid, reason}]} (the sections answered inactive because they cannot carry
  // their track, have none, or are `refused`: those lose the track they had and carry the given
  // reason). not_found for a stream or track that is not published, invalid_argument as above.
  api::Result subscribe(const std::string& sessionId, const rtc::sdp::SessionDescription& offer,
                        const std::vector<TrackSubscription>& subscriptions, const RefusedSections& refused = {});
  // The publisher and kind of a published track; nullopt when it is not published here.
  std::optional<TrackSource> trackSource(const std::string& streamId, const std::string& trackId) const;
  // The connection stops publishing (its publishing transport closes, streamUnpublished); it
  // keeps what it receives. Nothing happens when it does not publish.
  void stopPublishing(const std::string& sessionId);
  // The connection stops receiving the tracks `userId` publishes whose kind is not allowed (their
  // consumers close at once; the sections stay in its peer connection, carrying nothing). Data
  // tracks follow `video`.
  void dropConsumers(const std::string& sessionId, const std::string& userId, bool audio, bool video);
  // → {streams: [{streamId, userId, tracks: [{trackId, kind}]}]}
  boost::json::object listStreams() const;
  // Simulcast: the connection's received tracks of `streamId` (all, or `trackId`) take the
  // encoding `quality` names ("low" | "medium" | "high", checked by the caller) or, while that
  // one is not arriving, the best lower one (LayerSelector). → {}; not_found when the connection
  // receives no such track. Tracks of one encoding are not affected.
  api::Result setQuality(const std::string& sessionId, const std::string& streamId, const std::string& trackId, const std::string& quality);

  // The connection left, was let go or closed: its transports close, its stream is unpublished.
  void removeSession(const std::string& sessionId);
  bool empty() const { return publishers_.empty() && subscribers_.empty(); }
  // Whether the connection has a published stream here.
  bool publishes(const std::string& sessionId) const {
    const auto it = publishers_.find(sessionId);
    return it != publishers_.end() && it->second.published;
  }

  size_t transportCount() const { return router_.transportCount(); }

 private:
  // Router::Listener
  void OnRouterTransportConnected(rtc::sfu::TransportId) override {}
  void OnRouterTransportClosed(rtc::sfu::TransportId transport, std::string_view reason) override;
  void OnRouterProducerClosed(rtc::sfu::ProducerId) override {}
  void OnRouterConsumerClosed(rtc::sfu::ConsumerId consumer) override;

  // The answer to `offer` on the peer connection's transport (`current`; null: a new one, opened
  // here and closed again when the offer cannot be answered). not_found when `current` has closed.
  struct Negotiation {
    rtc::sfu::TransportId transport = 0;
    bool fresh = false;
    uint64_t version = 0;  // o= version of this answer
    rtc::sdp::SessionDescription answer;
  };
  std::variant<Negotiation, api::ApiError> negotiate(const rtc::sdp::SessionDescription& offer, const rtc::sfu::TransportId* current,
                                                     uint64_t lastVersion, std::string_view op);
  // A new transport given the offer's ICE and DTLS parameters; 0 + error when the offer lacks them.
  rtc::sfu::TransportId openTransport(const rtc::sdp::SessionDescription& offer, std::string& error);
  // The SFU's side of an answer on `transport`.
  rtc::sdp::AnswerParameters answerParameters(rtc::sfu::TransportId transport, uint64_t version) const;
  // The data tracks of `subscriptions` (those without mid) that `subscriber` does not receive yet.
  void subscribeData(SubscriberSession& subscriber, const std::vector<TrackSubscription>& subscriptions, const RefusedSections& refused,
                     boost::json::array& rejected);
  // Simulcast: one producer per encoding of `track` (its `producer` becomes the highest's).
  void produceLayers(rtc::sfu::TransportId transport, MediaTrack& track);
  // The section's consumer moves to the encoding its quality and the arriving encodings call for.
  void selectLayer(SubscriberSession::Section& section);
  // Every kLayerCheckInterval while a simulcast track is published: selectLayer for every section.
  void armLayerTimer();
  static constexpr std::chrono::milliseconds kLayerCheckInterval{500};
  const MediaTrack* findTrack(const std::string& streamId, const std::string& trackId) const;
  boost::json::object streamData(const PublisherSession& publisher) const;
  void unpublished(const std::string& sessionId, const std::string& streamId, const std::string& userId);
  void checkEmpty();

  boost::asio::io_context& io_;
  std::string roomId_;
  Emit emit_;
  std::function<void()> onEmpty_;
  rtc::sfu::Router router_;
  std::map<std::string, PublisherSession> publishers_;    // by sessionId
  std::map<std::string, SubscriberSession> subscribers_;  // by sessionId
  boost::asio::steady_timer layerTimer_;
  bool layerTimerArmed_ = false;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  bool emptyPosted_ = false;
};

}  // namespace onair::streams
