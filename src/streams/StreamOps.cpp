#include "streams/StreamOps.hpp"

#include <boost/json.hpp>

#include "api/ArgReader.hpp"
#include "api/ClientSession.hpp"
#include "api/OpRouter.hpp"
#include "api/Reply.hpp"
#include "rtc/sdp/SessionDescription.hpp"
#include "streams/MediaArgs.hpp"
#include "streams/StreamRoomArgs.hpp"
#include "streams/StreamService.hpp"

namespace onair::streams {
namespace {

using api::Call;
using api::replyTo;

StreamActor actorOf(Call& call) {
  auto& session = call.session();
  const auto* claims = session.claims();
  StreamActor a;
  a.userId = claims->userId;
  a.grants = claims->grants;
  a.shard = session.loop().index();
  a.session = session.shared_from_this();
  a.sessionId = session.sessionId();
  return a;
}

// Reads the room id, then runs `body(call, args, roomId)`; fails the call on a bad id.
template <class Body>
void withRoom(Call&& call, Body body) {
  api::ArgReader args(call.args());
  std::string roomId = StreamRoomArgs::roomId(args);
  if (args.error()) return call.fail(*args.error());
  body(std::move(call), args, roomId);
}

}  // namespace

void registerStreamOps(api::OpRouter& router, StreamService& service) {
  router.add("streams.createStreamRoom", [&service](Call&& call) {
    api::ArgReader args(call.args());
    auto spec = StreamRoomArgs::spec(args, call.args(), true);
    if (args.error()) return call.fail(*args.error());
    auto actor = actorOf(call);
    service.create(std::move(spec), std::move(actor), replyTo(std::move(call)));
  });
  router.add("streams.listStreamRooms", [&service](Call&& call) {
    api::ArgReader args(call.args());
    auto query = StreamRoomArgs::listQuery(args);
    if (args.error()) return call.fail(*args.error());
    auto actor = actorOf(call);
    service.list(std::move(query), std::move(actor), replyTo(std::move(call)));
  });
  router.add("streams.getStreamRoom", [&service](Call&& call) {
    withRoom(std::move(call), [&service](Call&& call, api::ArgReader&, const std::string& roomId) {
      auto actor = actorOf(call);
      service.get(roomId, std::move(actor), replyTo(std::move(call)));
    });
  });
  router.add("streams.updateStreamRoom", [&service](Call&& call) {
    withRoom(std::move(call), [&service](Call&& call, api::ArgReader& args, const std::string& roomId) {
      auto update = StreamRoomArgs::update(args, call.args());
      if (args.error()) return call.fail(*args.error());
      auto actor = actorOf(call);
      service.update(roomId, std::move(update), std::move(actor), replyTo(std::move(call)));
    });
  });
  router.add("streams.deleteStreamRoom", [&service](Call&& call) {
    withRoom(std::move(call), [&service](Call&& call, api::ArgReader&, const std::string& roomId) {
      auto actor = actorOf(call);
      service.remove(roomId, std::move(actor), replyTo(std::move(call)));
    });
  });
  router.add("streams.joinStreamRoom", [&service](Call&& call) {
    withRoom(std::move(call), [&service](Call&& call, api::ArgReader&, const std::string& roomId) {
      auto actor = actorOf(call);
      service.join(roomId, std::move(actor), replyTo(std::move(call)));
    });
  });
  router.add("streams.leaveStreamRoom", [&service](Call&& call) {
    withRoom(std::move(call), [&service](Call&& call, api::ArgReader&, const std::string& roomId) {
      auto actor = actorOf(call);
      service.leave(roomId, std::move(actor), replyTo(std::move(call)));
    });
  });
  router.add("streams.publish", [&service](Call&& call) {
    withRoom(std::move(call), [&service](Call&& call, api::ArgReader& args, const std::string& roomId) {
      auto offer = MediaArgs::offer(args, call.args());
      auto tracks = MediaArgs::tracks(args, call.args());
      if (args.error()) return call.fail(*args.error());
      auto actor = actorOf(call);
      service.publish(roomId, std::make_shared<const rtc::sdp::SessionDescription>(std::move(*offer)), std::move(tracks), std::move(actor),
                      replyTo(std::move(call)));
    });
  });
  router.add("streams.unpublish", [&service](Call&& call) {
    withRoom(std::move(call), [&service](Call&& call, api::ArgReader& args, const std::string& roomId) {
      std::string streamId = args.string("streamId", 1, 64);
      if (args.error()) return call.fail(*args.error());
      auto actor = actorOf(call);
      service.unpublish(roomId, streamId, std::move(actor), replyTo(std::move(call)));
    });
  });
  router.add("streams.listStreams", [&service](Call&& call) {
    withRoom(std::move(call), [&service](Call&& call, api::ArgReader&, const std::string& roomId) {
      auto actor = actorOf(call);
      service.listStreams(roomId, std::move(actor), replyTo(std::move(call)));
    });
  });
  router.add("streams.setQuality", [&service](Call&& call) {
    withRoom(std::move(call), [&service](Call&& call, api::ArgReader& args, const std::string& roomId) {
      std::string streamId = args.string("streamId", 1, 64);
      std::string trackId = args.optionalString("trackId", 128).value_or("");
      std::string quality = args.string("quality", 1, 16);
      if (!args.error() && quality != "low" && quality != "medium" && quality != "high") {
        args.fail("quality must be \"low\", \"medium\" or \"high\"");
      }
      if (args.error()) return call.fail(*args.error());
      auto actor = actorOf(call);
      service.setQuality(roomId, std::move(streamId), std::move(trackId), std::move(quality), std::move(actor), replyTo(std::move(call)));
    });
  });
  router.add("streams.subscribe", [&service](Call&& call) {
    withRoom(std::move(call), [&service](Call&& call, api::ArgReader& args, const std::string& roomId) {
      auto offer = MediaArgs::offer(args, call.args());
      auto subscriptions = MediaArgs::subscriptions(args, call.args());
      if (args.error()) return call.fail(*args.error());
      auto actor = actorOf(call);
      service.subscribe(roomId, std::make_shared<const rtc::sdp::SessionDescription>(std::move(*offer)), std::move(subscriptions),
                        std::move(actor), replyTo(std::move(call)));
    });
  });
  for (bool subscribe : {true, false}) {
    router.add(subscribe ? "streams.subscribeContext" : "streams.unsubscribeContext", [&service, subscribe](Call&& call) {
      api::ArgReader args(call.args());
      std::string contextId = StreamRoomArgs::contextId(args);
      if (args.error()) return call.fail(*args.error());
      auto actor = actorOf(call);
      if (subscribe) return service.subscribeContext(contextId, std::move(actor), replyTo(std::move(call)));
      service.unsubscribeContext(contextId, std::move(actor), replyTo(std::move(call)));
    });
  }
}

}  // namespace onair::streams
