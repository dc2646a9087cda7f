#include "api/SystemOps.hpp"

#include <boost/json.hpp>

#include "api/ClientSession.hpp"
#include "api/OpRouter.hpp"
#include "util/Time.hpp"

namespace onair::api {

void registerSystemOps(OpRouter& router) {
  router.add("sys.ping", [](Call&& call) {
    call.reply(boost::json::object{{"serverTime", util::isoTime(std::chrono::system_clock::now())}});
  });
  // Returns its args: lets clients and tests measure round trips and exercise backpressure.
  router.add("sys.echo", [](Call&& call) {
    boost::json::object args = call.args();
    call.reply(std::move(args));
  });
  router.add("sys.whoami", [](Call&& call) {
    const auto* c = call.session().claims();
    boost::json::array grants;
    for (const auto& g : c->grants.toStrings()) grants.emplace_back(g);
    boost::json::object attributes;
    for (const auto& [k, v] : c->attributes) attributes[k] = v;
    call.reply(boost::json::object{
        {"userId", c->userId},
        {"name", c->name},
        {"scope", c->scope ? boost::json::value(*c->scope) : boost::json::value(nullptr)},
        {"grants", std::move(grants)},
        {"attributes", std::move(attributes)},
        {"expiresAt", util::isoTimeFromSeconds(c->expiresAt)},
    });
  });
}

}  // namespace onair::api
