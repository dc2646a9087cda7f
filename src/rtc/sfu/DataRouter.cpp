#include "rtc/sfu/DataRouter.hpp"

#include <algorithm>

#include "rtc/WebRtcTransport.hpp"

namespace onair::rtc::sfu {

DataRouter::DataRouter(TransportLookup lookup, RouterCounters& counters) : lookup_(std::move(lookup)), counters_(counters) {}

std::optional<DataProducerId> DataRouter::produce(TransportId transport, const std::string& label, std::string& error) {
  for (const auto& [id, p] : producers_) {
    if (p.transport == transport && p.label == label) {
      error = "a data track named " + label + " is published on this connection already";
      return std::nullopt;
    }
  }
  const DataProducerId id = nextId_++;
  auto& producer = producers_[id] = Producer{.transport = transport, .label = label};
  for (auto it = unbound_.begin(); it != unbound_.end(); ++it) {
    if (it->first.first != transport || it->second.label != label) continue;
    const auto channel = it->second;
    const uint16_t streamId = it->first.second;
    unbound_.erase(it);
    bind(id, producer, streamId, channel);
    break;
  }
  return id;
}

void DataRouter::bind(DataProducerId id, Producer& producer, uint16_t streamId, const sctp::DataChannelParameters& channel) {
  producer.streamId = streamId;
  producer.channel = channel;
  producerByStream_[{producer.transport, streamId}] = id;
  for (const auto consumerId : producer.consumers) open(consumerId, consumers_.at(consumerId));
}

std::optional<DataConsumerId> DataRouter::consume(TransportId transport, DataProducerId producer, const std::string& label, std::string& error) {
  const auto p = producers_.find(producer);
  if (p == producers_.end()) {
    error = "no such data track";
    return std::nullopt;
  }
  const DataConsumerId id = nextId_++;
  p->second.consumers.push_back(id);
  auto& consumer = consumers_[id] = Consumer{.transport = transport, .producer = producer, .label = label};
  open(id, consumer);
  return id;
}

void DataRouter::open(DataConsumerId, Consumer& consumer) {
  if (consumer.streamId || !producers_.at(consumer.producer).streamId) return;
  auto* transport = lookup_(consumer.transport);
  if (!transport || !transport->dataReady()) return;  // onReady() comes back for it
  sctp::DataChannelParameters channel = producers_.at(consumer.producer).channel;
  channel.label = consumer.label;
  consumer.streamId = transport->openDataChannel(channel);
}

void DataRouter::closeProducer(DataProducerId id) {
  const auto it = producers_.find(id);
  if (it == producers_.end()) return;
  const auto consumers = it->second.consumers;
  if (it->second.streamId) producerByStream_.erase({it->second.transport, *it->second.streamId});
  producers_.erase(it);
  for (const auto consumer : consumers) removeConsumer(consumer, true);
}

void DataRouter::closeConsumer(DataConsumerId id) { removeConsumer(id, true); }

void DataRouter::removeConsumer(DataConsumerId id, bool resetChannel) {
  const auto it = consumers_.find(id);
  if (it == consumers_.end()) return;
  if (resetChannel && it->second.streamId) {
    if (auto* transport = lookup_(it->second.transport)) transport->closeDataChannel(*it->second.streamId);
  }
  if (const auto p = producers_.find(it->second.producer); p != producers_.end()) std::erase(p->second.consumers, id);
  consumers_.erase(it);
}

void DataRouter::closeTransport(TransportId transport) {
  std::vector<DataProducerId> producers;
  std::vector<DataConsumerId> consumers;
  for (const auto& [id, p] : producers_) {
    if (p.transport == transport) producers.push_back(id);
  }
  for (const auto& [id, c] : consumers_) {
    if (c.transport == transport) consumers.push_back(id);
  }
  for (const auto id : consumers) removeConsumer(id, false);
  for (const auto id : producers) closeProducer(id);
  std::erase_if(unbound_, [transport](const auto& entry) { return entry.first.first == transport; });
}

void DataRouter::onReady(TransportId transport) {
  for (auto& [id, consumer] : consumers_) {
    if (consumer.transport == transport) open(id, consumer);
  }
}

void DataRouter::onChannelOpened(TransportId transport, uint16_t streamId, const sctp::DataChannelParameters& channel) {
  for (auto& [id, producer] : producers_) {
    if (producer.transport != transport || producer.label != channel.label || producer.streamId) continue;
    bind(id, producer, streamId, channel);
    return;
  }
  unbound_[{transport, streamId}] = channel;
}

void DataRouter::onMessage(TransportId transport, uint16_t streamId, sctp::PayloadProtocol protocol, std::span<const uint8_t> message) {
  const auto found = producerByStream_.find({transport, streamId});
  if (found == producerByStream_.end()) {
    RouterCounters::add(counters_.dataMessagesDropped);
    return;
  }
  RouterCounters::add(counters_.dataMessagesReceived);
  for (const auto consumerId : producers_.at(found->second).consumers) {
    const auto& consumer = consumers_.at(consumerId);
    auto* target = consumer.streamId ? lookup_(consumer.transport) : nullptr;
    const bool sent = target && target->sendData(*consumer.streamId, protocol, message) == sctp::SctpAssociation::SendResult::Sent;
    RouterCounters::add(sent ? counters_.dataMessagesForwarded : counters_.dataMessagesDropped);
  }
}

void DataRouter::onChannelClosed(TransportId transport, uint16_t streamId) {
  unbound_.erase({transport, streamId});
  // The publisher closed its channel: the producer stays (it may open the label again), unbound.
  if (const auto found = producerByStream_.find({transport, streamId}); found != producerByStream_.end()) {
    producers_.at(found->second).streamId.reset();
    producerByStream_.erase(found);
  }
  // A subscriber closed one of onair's channels: it no longer wants that track.
  for (const auto& [id, consumer] : consumers_) {
    if (consumer.transport == transport && consumer.streamId == streamId) return removeConsumer(id, false);
  }
}

}  // namespace onair::rtc::sfu
