#include "engine/memory/MemoryRegistry.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

namespace onair::engine::memory {
namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

void MemoryRegistry::get(std::string key, std::function<void(Outcome<std::optional<Record>>)> done) {
  std::optional<Record> found;
  {
    std::lock_guard lock(mutex_);
    if (auto it = records_.find(key); it != records_.end()) found = it->second;
  }
  done(std::move(found));
}

void MemoryRegistry::put(std::string key, std::string value, std::optional<uint64_t> expectedVersion,
                         std::function<void(Outcome<PutResult>)> done) {
  PutResult result;
  {
    std::lock_guard lock(mutex_);
    auto it = records_.find(key);
    const uint64_t version = it == records_.end() ? 0 : it->second.version;
    if (expectedVersion && *expectedVersion != version) {
      result.conflict = true;
      if (it != records_.end()) result.record = it->second;
    } else {
      result.record = Record{std::move(value), version + 1, nowMs()};
      records_[key] = result.record;
    }
  }
  done(std::move(result));
}

void MemoryRegistry::remove(std::string key, std::function<void(Outcome<Done>)> done) {
  {
    std::lock_guard lock(mutex_);
    records_.erase(key);
  }
  done(Done{});
}

void MemoryRegistry::removeIf(std::string key, uint64_t expectedVersion, std::function<void(Outcome<bool>)> done) {
  bool removed = false;
  {
    std::lock_guard lock(mutex_);
    auto it = records_.find(key);
    removed = it != records_.end() && it->second.version == expectedVersion;
    if (removed) records_.erase(it);
  }
  done(removed);
}

Outcome<bool> MemoryRegistry::changeSet(const std::string& key, const std::string& member, bool add) {
  auto it = records_.find(key);
  boost::json::array members;
  if (it != records_.end()) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(it->second.value, ec);
    const bool strings = !ec && parsed.is_array() &&
                         std::all_of(parsed.as_array().begin(), parsed.as_array().end(), [](const auto& v) { return v.is_string(); });
    if (!strings) return EngineError{"the record at " + key + " is not a set (an array of strings)", 0};
    members = std::move(parsed.as_array());
  }
  auto found = std::find_if(members.begin(), members.end(), [&](const auto& v) { return v.as_string() == member; });
  if (add == (found != members.end())) return false;
  if (!add && it == records_.end()) return false;
  if (add) members.emplace_back(member);
  else members.erase(found);
  const uint64_t version = it == records_.end() ? 0 : it->second.version;
  records_[key] = Record{boost::json::serialize(members), version + 1, nowMs()};
  return true;
}

void MemoryRegistry::addMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) {
  Outcome<bool> result;
  {
    std::lock_guard lock(mutex_);
    result = changeSet(key, member, true);
  }
  done(std::move(result));
}

void MemoryRegistry::removeMember(std::string key, std::string member, std::function<void(Outcome<bool>)> done) {
  Outcome<bool> result;
  {
    std::lock_guard lock(mutex_);
    result = changeSet(key, member, false);
  }
  done(std::move(result));
}

}  // namespace onair::engine::memory
