#include "hub/Hub.hpp"

namespace onair::hub {

bool Hub::subscribe(const std::string& topic, net::FrameSink* sink) {
  auto& subs = topics_[topic];
  if (subs.indexOf.count(sink)) return false;
  subs.indexOf.emplace(sink, subs.list.size());
  subs.list.push_back(sink);
  return true;
}

bool Hub::unsubscribe(const std::string& topic, net::FrameSink* sink) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return false;
  auto& subs = it->second;
  auto pos = subs.indexOf.find(sink);
  if (pos == subs.indexOf.end()) return false;
  size_t i = pos->second;
  subs.indexOf.erase(pos);
  if (i + 1 != subs.list.size()) {
    subs.list[i] = subs.list.back();
    subs.indexOf[subs.list[i]] = i;
  }
  subs.list.pop_back();
  if (subs.list.empty()) topics_.erase(it);
  return true;
}

size_t Hub::drop(const std::string& topic) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return 0;
  size_t n = it->second.list.size();
  topics_.erase(it);
  return n;
}

size_t Hub::deliver(const std::string& topic, const net::SharedFrame& frame, uint8_t flags) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return 0;
  // One loop-local frame for all local subscribers; our own hold keeps it alive through the
  // walk. No copy of the list: FrameSink::send never (un)subscribes synchronously.
  net::OutFrame* out = net::OutFrame::make(frame, flags);
  out->retain();
  const auto& sinks = it->second.list;
  for (auto* sink : sinks) sink->send(*out);
  out->release();
  return sinks.size();
}

size_t Hub::subscriberCount(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? 0 : it->second.list.size();
}

}  // namespace onair::hub
