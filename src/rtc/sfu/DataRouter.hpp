#pragma once
// The data channels of one Router (DESIGN.md §7): a publisher's channel with an agreed label is a
// data producer; each of its messages is sent, as it came (string or binary), on a channel onair
// opens to every subscriber consuming it (a data consumer).
//
//   publisher channel "label" ─ produce(transport, label) binds it, whenever it opens
//     └─ each consumer: a channel onair opens on the subscriber's transport once its SCTP is up,
//        with the producer's reliability and order
//
// Subscribers' own channels (the one an SDK opens only to get SCTP negotiated, or any other)
// carry nothing anywhere; a subscriber closing one of onair's channels ends that consumer. A
// consumer's channel opens once its producer is bound (so it gets the publisher's ordering and
// reliability) and its transport's SCTP is up. Threading: the Router's (the shard's) thread only; the transport
// callbacks arrive from the Router, which is every transport's listener.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "rtc/sctp/DataChannelParameters.hpp"
#include "rtc/sctp/PayloadProtocol.hpp"
#include "rtc/sfu/RouterCounters.hpp"
#include "rtc/sfu/RouterIds.hpp"

namespace onair::rtc {
class WebRtcTransport;
}

namespace onair::rtc::sfu {

class DataRouter {
 public:
  // The open transport with this id, or null.
  using TransportLookup = std::function<WebRtcTransport*(TransportId)>;
  DataRouter(TransportLookup lookup, RouterCounters& counters);

  // Binds the channel `label` of `transport` (open now or later). nullopt + error when the
  // transport already has a data producer with that label.
  std::optional<DataProducerId> produce(TransportId transport, const std::string& label, std::string& error);
  // Opens the channel `label` on `transport` now or once its SCTP association is up. nullopt +
  // error for an unknown producer.
  std::optional<DataConsumerId> consume(TransportId transport, DataProducerId producer, const std::string& label, std::string& error);
  void closeProducer(DataProducerId id);  // closes its consumers' channels too
  void closeConsumer(DataConsumerId id);
  // The transport closed: its producers (and their consumers) and consumers go, no channel reset.
  void closeTransport(TransportId transport);

  // From the transports (through the Router).
  void onReady(TransportId transport);
  void onChannelOpened(TransportId transport, uint16_t streamId, const sctp::DataChannelParameters& channel);
  void onMessage(TransportId transport, uint16_t streamId, sctp::PayloadProtocol protocol, std::span<const uint8_t> message);
  void onChannelClosed(TransportId transport, uint16_t streamId);

  bool hasConsumer(DataConsumerId id) const { return consumers_.contains(id); }
  size_t producerCount() const { return producers_.size(); }
  size_t consumerCount() const { return consumers_.size(); }

 private:
  struct Producer {
    TransportId transport = 0;
    std::string label;
    std::optional<uint16_t> streamId;  // once the publisher's channel is open
    sctp::DataChannelParameters channel;
    std::vector<DataConsumerId> consumers;
  };
  struct Consumer {
    TransportId transport = 0;
    DataProducerId producer = 0;
    std::string label;
    std::optional<uint16_t> streamId;  // once onair opened the channel
  };

  void open(DataConsumerId id, Consumer& consumer);
  void bind(DataProducerId id, Producer& producer, uint16_t streamId, const sctp::DataChannelParameters& channel);
  void removeConsumer(DataConsumerId id, bool resetChannel);

  TransportLookup lookup_;
  RouterCounters& counters_;
  std::unordered_map<DataProducerId, Producer> producers_;
  std::unordered_map<DataConsumerId, Consumer> consumers_;
  // (transport, stream id) → the producer receiving on it.
  std::map<std::pair<TransportId, uint16_t>, DataProducerId> producerByStream_;
  // Channels a publisher opened before its publish named them (a data track added by an update
  // opens at once, the offer follows): bound when produce() names their label. Per transport at
  // most one per stream id (SCTP's own limit), dropped with the channel or the transport.
  std::map<std::pair<TransportId, uint16_t>, sctp::DataChannelParameters> unbound_;
  DataProducerId nextId_ = 1;
};

}  // namespace onair::rtc::sfu
