#include "rtc/sfu/Router.hpp"

#include "rtc/WebRtcServer.hpp"

namespace onair::rtc::sfu {
namespace {
std::atomic<uint64_t> nextId{1};
}

struct Router::Transport {
  TransportId id = 0;
  WebRtcTransport* transport = nullptr;
  std::vector<ProducerId> producers;
  std::vector<ConsumerId> consumers;
};
struct Router::Producer {
  ProducerId id = 0;
  TransportId transport = 0;
  ProducerParameters params;
  std::vector<ConsumerId> consumers;
  ProducerStats stats;
};
struct Router::Consumer {
  ConsumerId id = 0;
  TransportId transport = 0;
  ProducerId producer = 0;
  ConsumerParameters params;
  ConsumerStats stats;
};

Router::Router(boost::asio::io_context& io, WebRtcServer& server, Listener& listener)
    : io_(io), server_(server), listener_(listener), counters_(server.routerCounters()), timer_(io) {}

Router::~Router() {
  destroying_ = true;
  timer_.cancel();
  for (auto& [id, t] : transports_) t->transport->close();
}

TransportId Router::createTransport() {
  auto record = std::make_unique<Transport>();
  record->id = nextId++;
  record->transport = &server_.createTransport(*this);
  byTransport_[record->transport] = record->id;
  const auto id = record->id;
  transports_[id] = std::move(record);
  return id;
}

WebRtcTransport* Router::transport(TransportId id) {
  const auto it = transports_.find(id);
  return it == transports_.end() ? nullptr : it->second->transport;
}

void Router::closeTransport(TransportId id) {
  if (auto* t = transport(id)) t->close();
}

std::optional<ProducerId> Router::produce(TransportId transportId, const ProducerParameters& params, std::string& error) {
  const auto it = transports_.find(transportId);
  if (it == transports_.end()) {
    error = "unknown transport";
    return std::nullopt;
  }
  auto record = std::make_unique<Producer>();
  record->id = nextId++;
  record->transport = transportId;
  record->params = params;
  record->stats.kind = params.kind;
  it->second->producers.push_back(record->id);
  const auto id = record->id;
  producers_[id] = std::move(record);
  return id;
}

void Router::closeProducer(ProducerId id) { removeProducer(id, false); }

std::optional<ConsumerId> Router::consume(TransportId transportId, ProducerId producerId, const ConsumerParameters& params,
                                          std::string& error) {
  const auto t = transports_.find(transportId);
  const auto p = producers_.find(producerId);
  if (t == transports_.end() || p == producers_.end()) {
    error = "unknown transport or producer";
    return std::nullopt;
  }
  auto record = std::make_unique<Consumer>();
  record->id = nextId++;
  record->transport = transportId;
  record->producer = producerId;
  record->params = params;
  t->second->consumers.push_back(record->id);
  p->second->consumers.push_back(record->id);
  const auto id = record->id;
  consumers_[id] = std::move(record);
  return id;
}

void Router::closeConsumer(ConsumerId id) { removeConsumer(id, false); }
void Router::pauseConsumer(ConsumerId) {}
void Router::resumeConsumer(ConsumerId) {}

std::optional<Router::ProducerStats> Router::producerStats(ProducerId id) const {
  const auto it = producers_.find(id);
  if (it == producers_.end()) return std::nullopt;
  return it->second->stats;
}

std::optional<Router::ConsumerStats> Router::consumerStats(ConsumerId id) const {
  const auto it = consumers_.find(id);
  if (it == consumers_.end()) return std::nullopt;
  return it->second->stats;
}

size_t Router::transportCount() const { return transports_.size(); }
size_t Router::producerCount() const { return producers_.size(); }
size_t Router::consumerCount() const { return consumers_.size(); }

void Router::OnWebRtcTransportConnected(WebRtcTransport& transport) {
  const auto it = byTransport_.find(&transport);
  if (it != byTransport_.end() && !destroying_) listener_.OnRouterTransportConnected(it->second);
}

void Router::OnWebRtcTransportRtp(WebRtcTransport&, std::span<uint8_t>) {}
void Router::OnWebRtcTransportRtcp(WebRtcTransport&, std::span<uint8_t>) {}

void Router::OnWebRtcTransportClosed(WebRtcTransport& transport, std::string_view reason) {
  const auto it = byTransport_.find(&transport);
  if (it == byTransport_.end()) return;
  const TransportId id = it->second;
  byTransport_.erase(it);
  auto record = std::move(transports_.at(id));
  transports_.erase(id);
  const bool report = !destroying_;
  for (const auto producer : record->producers) removeProducer(producer, report);
  for (const auto consumer : record->consumers) removeConsumer(consumer, report);
  if (report) listener_.OnRouterTransportClosed(id, reason);
}

void Router::removeProducer(ProducerId id, bool report) {
  const auto it = producers_.find(id);
  if (it == producers_.end()) return;
  auto record = std::move(it->second);
  producers_.erase(it);
  if (const auto t = transports_.find(record->transport); t != transports_.end()) std::erase(t->second->producers, id);
  for (const auto consumer : record->consumers) removeConsumer(consumer, !destroying_);
  if (report) listener_.OnRouterProducerClosed(id);
}

void Router::removeConsumer(ConsumerId id, bool report) {
  const auto it = consumers_.find(id);
  if (it == consumers_.end()) return;
  auto record = std::move(it->second);
  consumers_.erase(it);
  if (const auto t = transports_.find(record->transport); t != transports_.end()) std::erase(t->second->consumers, id);
  if (const auto p = producers_.find(record->producer); p != producers_.end()) std::erase(p->second->consumers, id);
  if (report) listener_.OnRouterConsumerClosed(id);
}

}  // namespace onair::rtc::sfu
