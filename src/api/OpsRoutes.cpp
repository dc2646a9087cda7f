#include "api/OpsRoutes.hpp"

#include <boost/json.hpp>

#include "api/HttpReply.hpp"
#include "api/HttpRouter.hpp"
#include "api/MetricsText.hpp"
#include "engine/Engine.hpp"

namespace onair::api {

void registerOpsRoutes(HttpRouter& router, const engine::Engine& engine, std::vector<net::EventLoop*> loops,
                       const std::atomic<bool>& accepting, std::function<std::string()> moreMetrics) {
  using Access = HttpRouter::Access;
  router.add("GET", "/healthz", Access::Public, [](net::EventLoop&, const net::HttpRequest&, HttpRouter::Respond respond) {
    respond(jsonReply(200, boost::json::object{{"status", "ok"}}));
  });
  router.add("GET", "/readyz", Access::Public,
             [&engine, &accepting](net::EventLoop&, const net::HttpRequest&, HttpRouter::Respond respond) {
               bool engineReady = engine.ready();
               bool listening = accepting.load();
               boost::json::object body{{"status", engineReady && listening ? "ready" : "not_ready"},
                                        {"engine", boost::json::object{{"name", engine.name()}, {"ready", engineReady}}},
                                        {"listening", listening}};
               respond(jsonReply(engineReady && listening ? 200 : 503, body));
             });
  router.add("GET", "/metrics", Access::Public,
             [loops, moreMetrics](net::EventLoop&, const net::HttpRequest&, HttpRouter::Respond respond) {
               std::string text = renderMetrics(loops, ONAIR_VERSION);
               if (moreMetrics) text += moreMetrics();
               respond({200, "text/plain; version=0.0.4; charset=utf-8", std::move(text), {}});
             });
}

}  // namespace onair::api
