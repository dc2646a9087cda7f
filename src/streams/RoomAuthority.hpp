#pragma once
// A surface that lets connections into stream rooms on its own terms (docs/protocol.md "Media
// permissions"): a stage decides for its media room (which has no Registry record), a live
// broadcast for the room its webrtc transport names. StreamService asks its authorities, in the
// order they were added, when its own check (the room's record and the token's `stream` grants)
// refuses a join or finds no room; the first that admits the connection decides that
// connection's publishes and subscribes in the room from then on, and hears of what it publishes.
// When none admits it, the first refusal an authority gave is the answer (else the room's own).
//
// Threading: StreamService calls every method on the room's owner shard. An authority answers
// through `done`, at most once, from any thread (StreamService takes the answer back to the
// owner), and never calls into StreamService from inside these calls.
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

#include "api/ApiError.hpp"
#include "streams/StreamActor.hpp"

namespace onair::streams {

class RoomAuthority {
 public:
  // Admitted; refused with `error` (the room is this authority's, the connection may not join:
  // the answer unless a later authority admits it); or neither: the room is not this authority's.
  // `admitIfJoined`: admitted only while a connection of that user is a member of the room that
  // was let in by the room's own check or by another authority (a live viewer follows its
  // broadcast's producer into a room the producer may use, never further).
  struct Decision {
    bool admitted = false;
    std::optional<api::ApiError> error;
    std::optional<std::string> requiredMember;
    static Decision admit() { return {true, std::nullopt, std::nullopt}; }
    static Decision admitIfJoined(std::string userId) { return {true, std::nullopt, std::move(userId)}; }
    static Decision pass() { return {}; }
    static Decision refuse(api::ApiError e) { return {false, std::move(e), std::nullopt}; }
  };
  // One requested track: who publishes it and its kind ("audio" or "video").
  struct Track {
    std::string publisherUserId;
    std::string kind;
  };
  // Per requested track, in order: an empty string when it may be received, else the reason it
  // may not (reported in `rejected`); or an error that refuses the whole subscribe.
  using TrackVerdicts = std::variant<std::vector<std::string>, api::ApiError>;

  virtual ~RoomAuthority() = default;

  virtual void admit(const std::string& roomId, const StreamActor& actor, std::function<void(Decision)> done) = 0;
  // nullopt: the admitted connection may publish now.
  virtual void mayPublish(const std::string& roomId, const StreamActor& actor,
                          std::function<void(std::optional<api::ApiError>)> done) = 0;
  virtual void maySubscribe(const std::string& roomId, const StreamActor& actor, std::vector<Track> tracks,
                            std::function<void(TrackVerdicts)> done) = 0;

  // What an admitted connection publishes: `stream` is {streamId, tracks: [{trackId, kind}]};
  // `first` on its first publish, else a later offer changed the tracks. Called after the fact.
  virtual void published(const std::string& /*roomId*/, const std::string& /*userId*/, const boost::json::object& /*stream*/,
                         bool /*first*/) {}
  // Its stream ended (unpublish, stopPublishing, leave, close, transport failure).
  virtual void unpublished(const std::string& /*roomId*/, const std::string& /*userId*/, const std::string& /*streamId*/) {}
};

}  // namespace onair::streams
