#include "relay/Ownership.hpp"

#include <boost/json.hpp>

namespace onair::relay {
namespace {

std::string recordKey(const std::string& key) { return "owner:" + key; }

// A record's value is the owner's id as a JSON string; "" when it holds anything else.
std::string ownerIn(const engine::Record& record) {
  boost::system::error_code ec;
  auto v = boost::json::parse(record.value, ec);
  return !ec && v.is_string() ? std::string(v.as_string()) : std::string();
}

}  // namespace

void Ownership::liveNodes(std::function<void(engine::Outcome<LiveNodes>)> done) {
  {
    std::lock_guard lock(mutex_);
    if (live_ && std::chrono::steady_clock::now() - readAt_ < kFreshFor) return done(live_);
  }
  engine_.nodes().list([this, done = std::move(done)](engine::Outcome<std::vector<engine::NodeRecord>> listed) {
    if (auto* error = std::get_if<engine::EngineError>(&listed)) return done(*error);
    auto ids = std::make_shared<std::set<std::string>>();
    for (const auto& node : std::get<std::vector<engine::NodeRecord>>(listed)) ids->insert(node.id);
    ids->insert(engine_.nodes().selfId());  // this node serves, whatever its record says
    LiveNodes live = std::move(ids);
    {
      std::lock_guard lock(mutex_);
      live_ = live;
      readAt_ = std::chrono::steady_clock::now();
    }
    done(live);
  });
}

void Ownership::resolve(const OwnedObject& object, std::function<void(Resolved)> done) {
  liveNodes([this, object, done = std::move(done)](engine::Outcome<LiveNodes> live) mutable {
    if (auto* error = std::get_if<engine::EngineError>(&live)) return done(*error);
    engine_.registry().get(recordKey(object.key), [this, object, nodes = std::get<LiveNodes>(live), done = std::move(done)](
                                                      engine::Outcome<std::optional<engine::Record>> got) mutable {
      if (auto* error = std::get_if<engine::EngineError>(&got)) return done(*error);
      auto current = std::get<std::optional<engine::Record>>(got).value_or(engine::Record{});
      if (current.version > 0 && nodes->count(ownerIn(current))) return done(ownerIn(current));
      // No live owner: only an object that exists gets one.
      exists(object.records, 0, [this, key = object.key, current, nodes, done = std::move(done)](engine::Outcome<bool> found) mutable {
        if (auto* error = std::get_if<engine::EngineError>(&found)) return done(*error);
        if (!std::get<bool>(found)) return done(std::optional<std::string>());
        settle(key, current, nodes, 2, std::move(done));
      });
    });
  });
}

void Ownership::recorded(const std::string& key, std::function<void(engine::Outcome<std::string>)> done) {
  engine_.registry().get(recordKey(key), [done = std::move(done)](engine::Outcome<std::optional<engine::Record>> got) {
    if (auto* error = std::get_if<engine::EngineError>(&got)) return done(*error);
    const auto& record = std::get<std::optional<engine::Record>>(got);
    done(record ? ownerIn(*record) : std::string());
  });
}

void Ownership::exists(std::vector<std::string> records, size_t next, std::function<void(engine::Outcome<bool>)> done) {
  if (next >= records.size()) return done(false);
  const std::string key = records[next];
  engine_.registry().get(key, [this, records = std::move(records), next, done = std::move(done)](
                                  engine::Outcome<std::optional<engine::Record>> got) mutable {
    if (auto* error = std::get_if<engine::EngineError>(&got)) return done(*error);
    if (std::get<std::optional<engine::Record>>(got)) return done(true);
    exists(std::move(records), next + 1, std::move(done));
  });
}

void Ownership::settle(const std::string& key, const engine::Record& current, const LiveNodes& live, int attempts,
                       std::function<void(Resolved)> done) {
  if (current.version > 0 && live->count(ownerIn(current))) return done(ownerIn(current));
  if (attempts == 0) return done(engine::EngineError{"the owner of " + key + " keeps changing; try again", 500});
  const std::string self = engine_.nodes().selfId();
  engine_.registry().put(recordKey(key), boost::json::serialize(boost::json::string(self)), current.version,
                         [this, key, live, attempts, done = std::move(done)](engine::Outcome<engine::PutResult> put) mutable {
                           if (auto* error = std::get_if<engine::EngineError>(&put)) return done(*error);
                           auto& result = std::get<engine::PutResult>(put);
                           if (!result.conflict) return done(ownerIn(result.record));
                           // Another node wrote first: its record stands if it names a live node.
                           settle(key, result.record, live, attempts - 1, std::move(done));
                         });
}

}  // namespace onair::relay
