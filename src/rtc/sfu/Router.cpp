#include "rtc/sfu/Router.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <strings.h>
#include <utility>

#include "rtc/WebRtcServer.hpp"
#include "rtc/rtp/BigEndian.hpp"
#include "rtc/rtp/ExtensionIdMap.hpp"
#include "rtc/rtp/KeyframeDetector.hpp"
#include "rtc/rtp/RtcpCompound.hpp"
#include "rtc/rtp/RtcpType.hpp"
#include "rtc/rtp/RtcpWriter.hpp"
#include "rtc/rtp/RtxPacket.hpp"
#include "rtc/rtp/SequenceNumberRewriter.hpp"
#include "rtc/rtp/SequenceNumberUnwrapper.hpp"
#include "rtc/sfu/KeyframeRequestLimiter.hpp"
#include "rtc/sfu/NackGenerator.hpp"
#include "rtc/sfu/RetransmissionBuffer.hpp"
#include "rtc/sfu/RttEstimator.hpp"
#include "rtc/sfu/SeqNum.hpp"

namespace onair::rtc::sfu {
namespace {

using Clock = std::chrono::steady_clock;
using Drop = RouterCounters::Drop;

// Ids are unique in the process, so a stale id never names another router's record.
std::atomic<uint64_t> nextId{1};

// The SSRC the router signs its RTCP with (receiver reports, feedback): it sends no media of its
// own under it.
constexpr uint32_t kRtcpSsrc = 1;
constexpr size_t kRtcpBytes = 1200;
constexpr uint64_t kNtpUnixOffset = 2208988800ULL;  // 1900 → 1970, in seconds

bool sameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<rtp::VideoCodec> videoCodecOf(std::string_view name) {
  if (sameName(name, "VP8")) return rtp::VideoCodec::Vp8;
  if (sameName(name, "VP9")) return rtp::VideoCodec::Vp9;
  if (sameName(name, "H264")) return rtp::VideoCodec::H264;
  return std::nullopt;
}

int64_t millis(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Now as a 64-bit NTP timestamp (RFC 3550 §4): seconds since 1900, then a 32-bit fraction.
uint64_t ntpNow() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const uint64_t seconds = uint64_t(us / 1000000) + kNtpUnixOffset;
  const uint64_t fraction = (uint64_t(us % 1000000) << 32) / 1000000;
  return (seconds << 32) | fraction;
}

uint64_t ntpAdd(uint64_t ntp, Clock::duration elapsed) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  return ntp + (uint64_t(us) << 32) / 1000000;
}

// REMB (draft-alvestrand-rmcat-remb-03 §2.2), appended after what `writer` wrote:
//  |V=2|P| FMT=15  |   PT=206      |             length            |
//  |                  SSRC of packet sender                        |
//  |                  SSRC of media source (0)                     |
//  |  'R' 'E' 'M' 'B'                                              |
//  |  Num SSRC     | BR Exp    |  BR Mantissa (18 bits)            |
//  |   SSRC feedback (Num SSRC times)                              |
size_t writeRemb(std::span<uint8_t> out, uint64_t bitrate, std::span<const uint32_t> ssrcs) {
  const size_t bytes = 20 + 4 * ssrcs.size();
  if (ssrcs.empty() || ssrcs.size() > 255 || out.size() < bytes) return 0;
  unsigned exponent = 0;
  while (bitrate > 0x3FFFF) {
    bitrate >>= 1;
    ++exponent;
  }
  uint8_t* p = out.data();
  p[0] = 0x80 | rtp::rtcptype::ApplicationLayer;
  p[1] = rtp::rtcptype::PayloadFeedback;
  rtp::write16(p + 2, uint16_t(bytes / 4 - 1));
  rtp::write32(p + 4, kRtcpSsrc);
  rtp::write32(p + 8, 0);
  std::memcpy(p + 12, "REMB", 4);
  p[16] = uint8_t(ssrcs.size());
  rtp::write24(p + 17, (uint32_t(exponent) << 18) | uint32_t(bitrate));
  for (size_t i = 0; i < ssrcs.size(); ++i) rtp::write32(p + 20 + 4 * i, ssrcs[i]);
  return bytes;
}

}  // namespace

struct Router::Transport {
  TransportId id = 0;
  WebRtcTransport* transport = nullptr;
  std::vector<ProducerId> producers;
  std::vector<ConsumerId> consumers;
  std::unordered_map<uint32_t, ProducerId> producerBySsrc;  // media and rtx ssrcs
  std::unordered_map<uint32_t, ConsumerId> consumerBySsrc;  // media ssrcs
  Clock::time_point nextReportAt{};
};

struct Router::Producer {
  ProducerId id = 0;
  TransportId transport = 0;
  ProducerParameters params;
  std::optional<rtp::VideoCodec> videoCodec;    // video only
  std::optional<uint32_t> ssrc, rtxSsrc;        // given or learned
  std::unique_ptr<RetransmissionBuffer> buffer;  // video only
  std::unique_ptr<NackGenerator> nack;           // when NACK was negotiated (video)
  RttEstimator rtt;                              // to the publisher, from NACK repairs
  KeyframeRequestLimiter keyframes;
  uint8_t firSequence = 0;
  std::vector<ConsumerId> consumers;
  // Reception, for receiver reports (RFC 3550 §6.4.1, A.3).
  rtp::SequenceNumberUnwrapper unwrapper;
  int64_t firstSeq = 0;
  // The newest extended seq when the last keyframe request went out: only a keyframe that starts
  // past it answers the request. (Sequence numbers cannot restart backwards here: SRTP's replay
  // check drops a packet more than its window behind before the router sees it.)
  std::optional<int64_t> newestAtRequest;
  uint64_t received = 0, expectedPrior = 0, receivedPrior = 0;
  std::optional<Clock::time_point> lastReceivedAt;
  // The publisher's last SR.
  std::optional<uint64_t> srNtp;
  uint32_t srRtp = 0;
  Clock::time_point srAt{};
  ProducerStats stats;

  uint64_t expected() const { return received == 0 ? 0 : uint64_t(unwrapper.highest() - firstSeq + 1); }
};

struct Router::Consumer {
  Consumer(const ConsumerParameters& p, uint32_t clockRate) : params(p), rewriter(clockRate) {}
  ConsumerId id = 0;
  TransportId transport = 0;
  ProducerId producer = 0;
  ProducerId pendingProducer = 0;  // a simulcast switch waiting for that producer's keyframe
  ConsumerParameters params;
  bool video = false;
  rtp::SequenceNumberRewriter rewriter;
  rtp::ExtensionIdMap extensions;
  bool paused = false;
  bool waitingKeyframe = false;
  // Output = producer's + offset, from the latest rewrite (maps a NACKed seq back to the producer's).
  uint16_t seqOffset = 0;
  uint32_t timestampOffset = 0;
  // The output seq where the current offsets start (set by the first packet after a switch): a
  // NACK for an older one cannot be mapped back and is not answered.
  bool newSource = true;
  uint16_t sourceStartSeq = 0;
  uint16_t rtxSeq = 0;
  bool sentAny = false;
  uint32_t lastTimestamp = 0;
  Clock::time_point lastSentAt{};
  Clock::time_point nextReportAt{};
  ConsumerStats stats;
};

Router::Router(boost::asio::io_context& io, WebRtcServer& server, Listener& listener)
    : io_(io),
      server_(server),
      listener_(listener),
      counters_(server.routerCounters()),
      data_([this](TransportId id) { return transport(id); }, counters_),
      timer_(io),
      nackTimer_(io) {}

Router::~Router() {
  destroying_ = true;
  timer_.cancel();
  nackTimer_.cancel();
  std::vector<WebRtcTransport*> open;
  for (const auto& [id, record] : transports_) open.push_back(record->transport);
  for (auto* transport : open) transport->close();
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
  Transport& transport = *it->second;
  const bool video = params.kind == "video";
  const auto videoCodec = videoCodecOf(params.codec.name);
  if (!(video && videoCodec) && !(params.kind == "audio" && sameName(params.codec.name, "opus"))) {
    error = "codec " + params.codec.name + " is not forwardable as " + params.kind;
    return std::nullopt;
  }
  const auto ssrcUsed = [&](std::optional<uint32_t> ssrc) { return ssrc && transport.producerBySsrc.contains(*ssrc); };
  if (ssrcUsed(params.ssrc) || ssrcUsed(params.rtxSsrc)) {
    error = "ssrc already used on the transport";
    return std::nullopt;
  }
  for (const auto other : transport.producers) {
    const auto& o = producers_.at(other)->params;
    if (!params.mid.empty() && o.mid == params.mid && (o.rid.empty() || params.rid.empty() || o.rid == params.rid)) {
      error = "mid " + params.mid + (params.rid.empty() ? "" : " rid " + params.rid) + " already used on the transport";
      return std::nullopt;
    }
  }
  auto record = std::make_unique<Producer>();
  record->id = nextId++;
  record->transport = transportId;
  record->params = params;
  record->ssrc = params.ssrc;
  record->rtxSsrc = params.rtxSsrc;
  record->stats.kind = params.kind;
  if (video) {
    record->videoCodec = videoCodec;
    record->buffer = std::make_unique<RetransmissionBuffer>(kRetransmissionPackets);
    if (params.codec.nack) record->nack = std::make_unique<NackGenerator>();
  }
  const auto id = record->id;
  if (record->ssrc) transport.producerBySsrc[*record->ssrc] = id;
  if (record->rtxSsrc) transport.producerBySsrc[*record->rtxSsrc] = id;
  transport.producers.push_back(id);
  producers_[id] = std::move(record);
  armTimer();
  return id;
}

void Router::closeProducer(ProducerId id) { removeProducer(id, false); }

std::optional<ConsumerId> Router::consume(TransportId transportId, ProducerId producerId, const ConsumerParameters& params,
                                          std::string& error) {
  const auto t = transports_.find(transportId);
  const auto p = producers_.find(producerId);
  if (t == transports_.end() || p == producers_.end()) {
    error = t == transports_.end() ? "unknown transport" : "unknown producer";
    return std::nullopt;
  }
  Transport& transport = *t->second;
  Producer& producer = *p->second;
  if (!sameName(params.codec.name, producer.params.codec.name) || params.codec.clockRate != producer.params.codec.clockRate) {
    error = "codec " + params.codec.name + " does not match the producer's " + producer.params.codec.name;
    return std::nullopt;
  }
  if (params.ssrc == 0 || transport.consumerBySsrc.contains(params.ssrc)) {
    error = "ssrc missing or already used on the transport";
    return std::nullopt;
  }
  auto record = std::make_unique<Consumer>(params, params.codec.clockRate);
  record->id = nextId++;
  record->transport = transportId;
  record->producer = producerId;
  record->video = producer.videoCodec.has_value();
  record->waitingKeyframe = record->video;
  record->rtxSeq = uint16_t(params.ssrc);
  // Subscribers demultiplex by ssrc: only audio level survives (under the consumer's id).
  if (params.extensions.audioLevel != 0) record->extensions.set(producer.params.extensions.audioLevel, params.extensions.audioLevel);
  const auto id = record->id;
  transport.consumerBySsrc[params.ssrc] = id;
  transport.consumers.push_back(id);
  producer.consumers.push_back(id);
  consumers_[id] = std::move(record);
  if (consumers_.at(id)->video) requestKeyframe(producer);
  armTimer();
  return id;
}

void Router::closeConsumer(ConsumerId id) { removeConsumer(id, false); }

bool Router::switchProducer(ConsumerId consumerId, ProducerId producerId, std::string& error) {
  const auto c = consumers_.find(consumerId);
  const auto p = producers_.find(producerId);
  if (c == consumers_.end() || p == producers_.end()) {
    error = c == consumers_.end() ? "unknown consumer" : "unknown producer";
    return false;
  }
  Consumer& consumer = *c->second;
  Producer& target = *p->second;
  if (!sameName(target.params.codec.name, consumer.params.codec.name) || target.params.codec.clockRate != consumer.params.codec.clockRate) {
    error = "codec " + target.params.codec.name + " does not match the consumer's " + consumer.params.codec.name;
    return false;
  }
  if (consumer.pendingProducer != 0) {
    if (const auto old = producers_.find(consumer.pendingProducer); old != producers_.end()) std::erase(old->second->consumers, consumerId);
    consumer.pendingProducer = 0;
  }
  if (producerId == consumer.producer) return true;
  target.consumers.push_back(consumerId);
  consumer.pendingProducer = producerId;
  // Nothing sent yet (it waits for its first keyframe anyway): move at once.
  if (!consumer.sentAny) completeSwitch(consumer);
  if (consumer.video) requestKeyframe(target);
  return true;
}

void Router::completeSwitch(Consumer& consumer) {
  if (const auto old = producers_.find(consumer.producer); old != producers_.end()) std::erase(old->second->consumers, consumer.id);
  consumer.producer = consumer.pendingProducer;
  consumer.pendingProducer = 0;
  consumer.rewriter.switchSource();
  consumer.newSource = true;
}

std::optional<std::chrono::steady_clock::time_point> Router::lastReceived(ProducerId id) const {
  const auto it = producers_.find(id);
  return it == producers_.end() ? std::nullopt : it->second->lastReceivedAt;
}

void Router::pauseConsumer(ConsumerId id) {
  const auto it = consumers_.find(id);
  if (it != consumers_.end()) it->second->paused = true;
}

void Router::resumeConsumer(ConsumerId id) {
  const auto it = consumers_.find(id);
  if (it == consumers_.end() || !it->second->paused) return;
  Consumer& consumer = *it->second;
  consumer.paused = false;
  consumer.rewriter.switchSource();
  consumer.newSource = true;
  if (!consumer.video) return;
  consumer.waitingKeyframe = true;
  requestKeyframe(*producers_.at(consumer.producer));
  // A switch begun before the pause may have missed its keyframe while paused: ask again.
  if (consumer.pendingProducer != 0) requestKeyframe(*producers_.at(consumer.pendingProducer));
}

std::optional<Router::ProducerStats> Router::producerStats(ProducerId id) const {
  const auto it = producers_.find(id);
  if (it == producers_.end()) return std::nullopt;
  ProducerStats stats = it->second->stats;
  const auto expected = it->second->expected();
  stats.lost = expected > it->second->received ? expected - it->second->received : 0;
  stats.rtt = it->second->rtt.current();
  stats.rttMeasured = it->second->rtt.measured();
  return stats;
}

std::optional<Router::ConsumerStats> Router::consumerStats(ConsumerId id) const {
  const auto it = consumers_.find(id);
  if (it == consumers_.end()) return std::nullopt;
  return it->second->stats;
}

size_t Router::transportCount() const { return transports_.size(); }
size_t Router::producerCount() const { return producers_.size(); }
size_t Router::consumerCount() const { return consumers_.size(); }

void Router::OnWebRtcTransportConnected(WebRtcTransport& webRtcTransport) {
  const auto it = byTransport_.find(&webRtcTransport);
  if (it == byTransport_.end() || destroying_) return;
  const TransportId id = it->second;
  // Consumers created before the transport connected could not start: ask for their keyframe now.
  for (const auto consumerId : transports_.at(id)->consumers) {
    const Consumer& consumer = *consumers_.at(consumerId);
    if (consumer.waitingKeyframe && !consumer.paused) requestKeyframe(*producers_.at(consumer.producer));
  }
  listener_.OnRouterTransportConnected(id);
}

void Router::OnWebRtcTransportRtp(WebRtcTransport& webRtcTransport, std::span<uint8_t> bytes) {
  const auto it = byTransport_.find(&webRtcTransport);
  if (it == byTransport_.end()) return;
  Transport& transport = *transports_.at(it->second);
  auto packet = rtp::RtpPacket::parse(bytes);
  if (!packet) {
    counters_.drop(Drop::MalformedRtp);
    return;
  }
  Producer* producer = matchProducer(transport, *packet);
  if (producer == nullptr) {
    counters_.drop(Drop::UnknownSsrc);
    return;
  }
  const auto& codec = producer->params.codec;
  const bool rtx = producer->rtxSsrc == packet->ssrc() && producer->ssrc != packet->ssrc();
  if (!rtx) {
    if (packet->payloadType() != codec.payloadType) {
      counters_.drop(Drop::UnknownPayloadType);
      return;
    }
    receiveMedia(*producer, *packet);
    return;
  }
  if (packet->payloadType() != codec.rtxPayloadType || !producer->ssrc) {
    counters_.drop(producer->ssrc ? Drop::UnknownPayloadType : Drop::UnknownSsrc);  // a repair before the media
    return;
  }
  auto original = rtp::RtxPacket::unwrap(bytes.first(packet->bytes().size()), {*producer->ssrc, codec.payloadType});
  if (!original || original->payload().empty()) {
    counters_.drop(Drop::EmptyRtx);
    return;
  }
  receiveMedia(*producer, *original);
}

Router::Producer* Router::matchProducer(Transport& transport, const rtp::RtpPacket& packet) {
  if (const auto it = transport.producerBySsrc.find(packet.ssrc()); it != transport.producerBySsrc.end()) {
    return producers_.at(it->second).get();
  }
  // An unknown ssrc binds to the producer whose mid the packet's mid extension names.
  for (const auto id : transport.producers) {
    Producer& producer = *producers_.at(id);
    const uint8_t midId = producer.params.extensions.mid;
    if (midId == 0) continue;
    const auto mid = packet.extension(midId);
    if (!mid || std::string_view(reinterpret_cast<const char*>(mid->data()), mid->size()) != producer.params.mid) continue;
    const auto& codec = producer.params.codec;
    if (!producer.params.rid.empty()) {
      // A simulcast encoding: its media names it in the rid extension, its RTX in repaired-rid.
      const uint8_t ridId = packet.payloadType() == codec.rtxPayloadType ? producer.params.extensions.repairedRid : producer.params.extensions.rid;
      const auto rid = ridId ? packet.extension(ridId) : std::nullopt;
      if (!rid || std::string_view(reinterpret_cast<const char*>(rid->data()), rid->size()) != producer.params.rid) continue;
    }
    auto& slot = packet.payloadType() == codec.rtxPayloadType ? producer.rtxSsrc : producer.ssrc;
    if (slot || (packet.payloadType() != codec.payloadType && packet.payloadType() != codec.rtxPayloadType)) return nullptr;
    slot = packet.ssrc();
    transport.producerBySsrc[packet.ssrc()] = id;
    // Keyframe requests made before the ssrc was known could not be sent: ask again.
    if (producer.ssrc == packet.ssrc() && std::any_of(producer.consumers.begin(), producer.consumers.end(), [&](ConsumerId c) {
          return consumers_.at(c)->waitingKeyframe;
        })) {
      requestKeyframe(producer);
    }
    return &producer;
  }
  return nullptr;
}

void Router::receiveMedia(Producer& producer, const rtp::RtpPacket& packet) {
  const auto now = Clock::now();
  const uint16_t seq = packet.sequenceNumber();
  producer.stats.packets++;
  producer.stats.bytes += packet.bytes().size();
  producer.lastReceivedAt = now;
  RouterCounters::add(counters_.rtpReceived);
  RouterCounters::add(counters_.rtpReceivedBytes, packet.bytes().size());
  const int64_t extended = producer.unwrapper.unwrap(seq);
  if (producer.received++ == 0) producer.firstSeq = extended;

  const bool startsKeyframe = producer.videoCodec && rtp::KeyframeDetector::isKeyframe(*producer.videoCodec, packet.payload());
  // Only a keyframe sent after the last request answers it and starts waiting consumers: a repair
  // (RTX) of an older keyframe's first packet would start them at stale data and end the requests.
  // The answer's own first packet counts even when repaired after later frames arrived.
  const bool keyframe = startsKeyframe && (!producer.newestAtRequest || extended > *producer.newestAtRequest);
  if (keyframe) {
    producer.stats.keyframes++;
    producer.keyframes.keyframeReceived();
  }
  if (producer.nack) {
    const size_t missingBefore = producer.nack->missingCount();
    const auto outcome = producer.nack->received(seq, startsKeyframe, now);
    if (outcome.roundTrip) producer.rtt.sample(*outcome.roundTrip);
    if (outcome.keyframeNeeded) requestKeyframe(producer);
    if (producer.nack->missingCount() > missingBefore) sendNacks(producer, now);
  }
  if (producer.buffer) producer.buffer->store(seq, packet.bytes(), now);
  // A consumer completing a simulcast switch here leaves another producer's list, not this one.
  for (const auto id : producer.consumers) forward(*consumers_.at(id), producer, packet, keyframe);
}

void Router::forward(Consumer& consumer, const Producer& from, const rtp::RtpPacket& packet, bool keyframe) {
  if (consumer.pendingProducer != 0) {
    // Mid-switch: the current encoding flows until the new one's keyframe, then only the new one.
    if (from.id == consumer.pendingProducer) {
      if (!keyframe || consumer.paused) return;
      completeSwitch(consumer);
    } else if (from.id != consumer.producer) {
      return;
    }
  }
  if (consumer.paused) return;
  WebRtcTransport* out = transports_.at(consumer.transport)->transport;
  if (!out->connected()) return;
  if (consumer.waitingKeyframe) {
    if (!keyframe) return;
    consumer.waitingKeyframe = false;
  }
  const auto now = Clock::now();
  const auto rewritten = consumer.rewriter.rewrite(packet.sequenceNumber(), packet.timestamp(), millis(now));
  if (!rewritten) {
    counters_.drop(Drop::Stale);
    return;
  }
  if (consumer.newSource) {
    consumer.newSource = false;
    consumer.sourceStartSeq = rewritten->seq;
  }
  consumer.seqOffset = uint16_t(rewritten->seq - packet.sequenceNumber());
  consumer.timestampOffset = rewritten->timestamp - packet.timestamp();
  const size_t length = rewriteInto(consumer, packet.bytes(), rewritten->seq, rewritten->timestamp, scratch_);
  if (length == 0 || !out->sendRtp(std::span(scratch_).first(length))) {
    counters_.drop(Drop::SendFailed);
    return;
  }
  consumer.sentAny = true;
  consumer.lastTimestamp = rewritten->timestamp;
  consumer.lastSentAt = now;
  consumer.stats.packets++;
  consumer.stats.bytes += length;
  RouterCounters::add(counters_.rtpForwarded);
  RouterCounters::add(counters_.rtpForwardedBytes, length);
}

size_t Router::rewriteInto(const Consumer& consumer, std::span<const uint8_t> original, uint16_t seq, uint32_t timestamp,
                           std::span<uint8_t> out) {
  if (original.size() > out.size()) return 0;
  std::memcpy(out.data(), original.data(), original.size());
  auto packet = rtp::RtpPacket::parse(out.first(original.size()));
  if (!packet) return 0;
  packet->setSsrc(consumer.params.ssrc);
  packet->setPayloadType(consumer.params.codec.payloadType);
  packet->setSequenceNumber(seq);
  packet->setTimestamp(timestamp);
  packet->remapExtensionIds(consumer.extensions);
  return original.size();
}

void Router::OnWebRtcTransportRtcp(WebRtcTransport& webRtcTransport, std::span<uint8_t> bytes) {
  const auto it = byTransport_.find(&webRtcTransport);
  if (it == byTransport_.end()) return;
  handleFeedback(*transports_.at(it->second), bytes);
}

void Router::handleFeedback(Transport& transport, std::span<const uint8_t> compound) {
  namespace type = rtp::rtcptype;
  const auto consumerOf = [&](uint32_t ssrc) -> Consumer* {
    const auto it = transport.consumerBySsrc.find(ssrc);
    return it == transport.consumerBySsrc.end() ? nullptr : consumers_.at(it->second).get();
  };
  const auto keyframeRequested = [&](Consumer* consumer) {
    if (consumer == nullptr) return;
    consumer->stats.keyframeRequestsReceived++;
    RouterCounters::add(counters_.keyframeRequestsReceived);
    requestKeyframe(*producers_.at(consumer->producer));
  };
  rtp::RtcpCompound packets(compound);
  while (const auto view = packets.next()) {
    if (view->type == type::SenderReport) {
      const auto sr = rtp::SenderReport::parse(*view);
      const auto it = sr ? transport.producerBySsrc.find(sr->ssrc) : transport.producerBySsrc.end();
      if (it == transport.producerBySsrc.end()) continue;
      Producer& producer = *producers_.at(it->second);
      producer.srNtp = sr->ntpTimestamp;
      producer.srRtp = sr->rtpTimestamp;
      producer.srAt = Clock::now();
    } else if (view->type == type::TransportFeedback && view->count == type::GenericNack) {
      const auto nack = rtp::NackPacket::parse(*view);
      Consumer* consumer = nack ? consumerOf(nack->mediaSsrc) : nullptr;
      if (consumer == nullptr) continue;
      consumer->stats.nacksReceived++;
      RouterCounters::add(counters_.nacksReceived);
      retransmit(*consumer, nack->lost);
    } else if (view->type == type::PayloadFeedback && view->count == type::PictureLossIndication) {
      if (const auto pli = rtp::PliPacket::parse(*view)) keyframeRequested(consumerOf(pli->mediaSsrc));
    } else if (view->type == type::PayloadFeedback && view->count == type::FullIntraRequest) {
      if (const auto fir = rtp::FirPacket::parse(*view)) {
        for (const auto& entry : fir->entries) keyframeRequested(consumerOf(entry.ssrc));
      }
    }
  }
  if (packets.error() != rtp::RtcpCompound::Error::None) counters_.drop(Drop::MalformedRtcp);
}

void Router::retransmit(Consumer& consumer, std::span<const uint16_t> seqs) {
  const Producer& producer = *producers_.at(consumer.producer);
  WebRtcTransport* out = transports_.at(consumer.transport)->transport;
  const auto now = Clock::now();
  const auto& codec = consumer.params.codec;
  const bool asRtx = consumer.params.rtxSsrc && codec.rtxPayloadType;
  for (const uint16_t seq : seqs) {
    // After a change of source (simulcast switch, resume) the offsets are the old source's until
    // its first packet goes out: nothing can be mapped back meanwhile.
    const bool mapped = consumer.sentAny && !consumer.newSource && SeqNum::distance(seq, consumer.sourceStartSeq) >= 0;
    const auto stored = producer.buffer && mapped ? producer.buffer->find(uint16_t(seq - consumer.seqOffset), now)
                                                  : std::span<const uint8_t>{};
    if (stored.size() < rtp::RtpPacket::kHeaderBytes) {
      RouterCounters::add(counters_.retransmissionMisses);
      continue;
    }
    const uint32_t timestamp = rtp::read32(stored.data() + 4) + consumer.timestampOffset;
    size_t length = rewriteInto(consumer, stored, seq, timestamp, scratch_);
    std::span<const uint8_t> packet = std::span(scratch_).first(length);
    if (length != 0 && asRtx) {
      const auto rewritten = rtp::RtpPacket::parse(std::span(scratch_).first(length));
      length = rewritten ? rtp::RtxPacket::wrap(*rewritten, {*consumer.params.rtxSsrc, *codec.rtxPayloadType}, consumer.rtxSeq, rtxScratch_) : 0;
      packet = std::span(rtxScratch_).first(length);
      consumer.rtxSeq++;
    }
    if (length == 0 || !out->sendRtp(packet)) {
      counters_.drop(Drop::SendFailed);
      continue;
    }
    consumer.stats.retransmitted++;
    RouterCounters::add(counters_.retransmissions);
  }
}

void Router::requestKeyframe(Producer& producer) {
  if (producer.keyframes.request(Clock::now())) sendKeyframeRequest(producer);
}

bool Router::awaitsKeyframe(const Producer& producer) const {
  return std::any_of(producer.consumers.begin(), producer.consumers.end(), [&](ConsumerId id) {
    const Consumer& consumer = *consumers_.at(id);
    if (consumer.paused) return false;
    if (consumer.pendingProducer == producer.id) return true;  // a switch to this producer
    return consumer.producer == producer.id && consumer.waitingKeyframe && transports_.at(consumer.transport)->transport->connected();
  });
}

void Router::sendKeyframeRequest(Producer& producer) {
  if (!producer.ssrc) return;
  std::array<uint8_t, 64> buffer{};
  rtp::RtcpWriter writer(buffer);
  const auto& codec = producer.params.codec;
  if (codec.fir && !codec.pli) {
    writer.fir({kRtcpSsrc, {{*producer.ssrc, producer.firSequence++}}});
  } else {
    writer.pli({kRtcpSsrc, *producer.ssrc});
  }
  if (producer.received != 0) producer.newestAtRequest = producer.unwrapper.highest();
  producer.stats.keyframeRequestsSent++;
  RouterCounters::add(counters_.keyframeRequestsSent);
  sendRtcp(producer.transport, writer.written());
}

void Router::sendNacks(Producer& producer, Clock::time_point now) {
  const auto due = producer.nack->due(now, producer.rtt.current());
  armNackTimer(producer.nack->nextDue(producer.rtt.current()));
  if (due.empty() || !producer.ssrc) return;
  std::array<uint8_t, kRtcpBytes> buffer{};
  rtp::RtcpWriter writer(buffer);
  if (writer.nack({kRtcpSsrc, *producer.ssrc, std::vector<uint16_t>(due.begin(), due.end())}) == 0) return;
  producer.stats.nacksSent++;
  RouterCounters::add(counters_.nacksSent);
  sendRtcp(producer.transport, writer.written());
}

void Router::sendRtcp(TransportId id, std::span<const uint8_t> packet) {
  const auto it = transports_.find(id);
  if (it == transports_.end() || packet.empty()) return;
  it->second->transport->sendRtcp(packet);
}

void Router::armTimer() {
  if (timerArmed_ || destroying_ || (producers_.empty() && consumers_.empty())) return;
  timerArmed_ = true;
  timer_.expires_after(kTickInterval);
  timer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code error) {
    if (alive.expired()) return;
    timerArmed_ = false;
    if (error || destroying_) return;
    onTick();
    armTimer();
  });
}

void Router::armNackTimer(std::optional<Clock::time_point> due) {
  if (!due || destroying_ || (nackTimerAt_ && *nackTimerAt_ <= *due)) return;
  nackTimerAt_ = due;
  nackTimer_.expires_at(*due);  // cancels a later wait, whose handler then does nothing
  nackTimer_.async_wait([this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code error) {
    if (alive.expired() || error || destroying_) return;
    nackTimerAt_.reset();
    onNackTimer();
  });
}

void Router::onNackTimer() {
  const auto now = Clock::now();
  for (auto& [id, producer] : producers_) {
    if (producer->nack) sendNacks(*producer, now);  // re-arms for what stays missing
  }
}

void Router::onTick() {
  const auto now = Clock::now();
  for (auto& [id, producer] : producers_) {
    if (producer->nack) sendNacks(*producer, now);
    auto& keyframes = producer->keyframes;
    if (keyframes.due(now) || (keyframes.unanswered() && awaitsKeyframe(*producer) && keyframes.retry(now))) {
      sendKeyframeRequest(*producer);
    }
  }
  for (auto& [id, transport] : transports_) {
    if (transport->producers.empty() || now < transport->nextReportAt || !transport->transport->connected()) continue;
    transport->nextReportAt = now + kVideoReportInterval;
    sendReceiverReports(*transport, now);
  }
  for (auto& [id, consumer] : consumers_) {
    if (!consumer->sentAny || now < consumer->nextReportAt) continue;
    consumer->nextReportAt = now + (consumer->video ? kVideoReportInterval : kAudioReportInterval);
    sendSenderReport(*consumer, now);
  }
}

void Router::sendReceiverReports(Transport& transport, Clock::time_point now) {
  rtp::ReceiverReport rr;
  rr.ssrc = kRtcpSsrc;
  std::vector<uint32_t> video;
  for (const auto id : transport.producers) {
    Producer& producer = *producers_.at(id);
    if (!producer.ssrc || producer.received == 0 || rr.reports.size() == rtp::ReceiverReport::kMaxBlocks) continue;
    if (producer.videoCodec) video.push_back(*producer.ssrc);
    const uint64_t expected = producer.expected();
    const uint64_t expectedInterval = expected - producer.expectedPrior;
    const uint64_t receivedInterval = producer.received - producer.receivedPrior;
    producer.expectedPrior = expected;
    producer.receivedPrior = producer.received;
    rtp::ReportBlock block;
    block.ssrc = *producer.ssrc;
    if (expectedInterval > receivedInterval) block.fractionLost = uint8_t(((expectedInterval - receivedInterval) << 8) / expectedInterval);
    block.cumulativeLost = int32_t(std::clamp<int64_t>(int64_t(expected) - int64_t(producer.received), rtp::ReportBlock::kMinLost,
                                                       rtp::ReportBlock::kMaxLost));
    block.highestSequence = uint32_t(producer.unwrapper.highest());
    if (producer.srNtp) {
      block.lastSr = uint32_t(*producer.srNtp >> 16);
      const auto since = std::chrono::duration_cast<std::chrono::microseconds>(now - producer.srAt).count();
      block.delaySinceLastSr = uint32_t((uint64_t(since) << 16) / 1000000);
    }
    rr.reports.push_back(block);
  }
  if (rr.reports.empty()) return;
  std::array<uint8_t, kRtcpBytes> buffer{};
  rtp::RtcpWriter writer(buffer);
  writer.receiverReport(rr);
  // A fixed ceiling: Chromium ramps its video up to it without transport-cc feedback.
  const size_t remb = writeRemb(std::span(buffer).subspan(writer.size()), kRembBitrate, video);
  sendRtcp(transport.id, std::span(buffer).first(writer.size() + remb));
}

void Router::sendSenderReport(Consumer& consumer, Clock::time_point now) {
  const Producer& producer = *producers_.at(consumer.producer);
  const uint32_t clockRate = consumer.params.codec.clockRate;
  rtp::SenderReport sr;
  sr.ssrc = consumer.params.ssrc;
  // From the publisher's SR when there is one (keeps audio and video in sync), else wall clock.
  if (producer.srNtp) {
    const auto elapsed = now - producer.srAt;
    sr.ntpTimestamp = ntpAdd(*producer.srNtp, elapsed);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    sr.rtpTimestamp = producer.srRtp + uint32_t(uint64_t(ms) * clockRate / 1000) + consumer.timestampOffset;
  } else {
    sr.ntpTimestamp = ntpNow();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - consumer.lastSentAt).count();
    sr.rtpTimestamp = consumer.lastTimestamp + uint32_t(uint64_t(ms) * clockRate / 1000);
  }
  sr.packetCount = uint32_t(consumer.stats.packets);
  sr.octetCount = uint32_t(consumer.stats.bytes);
  std::array<uint8_t, 64> buffer{};
  rtp::RtcpWriter writer(buffer);
  writer.senderReport(sr);
  sendRtcp(consumer.transport, writer.written());
}

void Router::OnWebRtcTransportClosed(WebRtcTransport& webRtcTransport, std::string_view reason) {
  const auto it = byTransport_.find(&webRtcTransport);
  if (it == byTransport_.end()) return;
  const TransportId id = it->second;
  byTransport_.erase(it);
  const bool report = !destroying_;
  // Copies: removing records edits the transport's lists.
  const auto producers = transports_.at(id)->producers;
  const auto consumers = transports_.at(id)->consumers;
  for (const auto producer : producers) removeProducer(producer, report);
  for (const auto consumer : consumers) removeConsumer(consumer, report);
  data_.closeTransport(id);
  transports_.erase(id);
  if (report) listener_.OnRouterTransportClosed(id, reason);
}

void Router::removeProducer(ProducerId id, bool report) {
  const auto it = producers_.find(id);
  if (it == producers_.end()) return;
  auto record = std::move(it->second);
  producers_.erase(it);
  if (const auto t = transports_.find(record->transport); t != transports_.end()) {
    std::erase(t->second->producers, id);
    if (record->ssrc) t->second->producerBySsrc.erase(*record->ssrc);
    if (record->rtxSsrc) t->second->producerBySsrc.erase(*record->rtxSsrc);
  }
  for (const auto consumerId : record->consumers) {
    const auto c = consumers_.find(consumerId);
    if (c == consumers_.end()) continue;
    Consumer& consumer = *c->second;
    // A simulcast consumer loses only one of its two encodings: it keeps (or moves to) the other.
    if (consumer.pendingProducer == id) {
      consumer.pendingProducer = 0;
    } else if (consumer.pendingProducer != 0) {
      consumer.producer = std::exchange(consumer.pendingProducer, 0);
      consumer.rewriter.switchSource();
      consumer.newSource = true;
      consumer.waitingKeyframe = consumer.video;
    } else {
      removeConsumer(consumerId, !destroying_);
    }
  }
  if (report) listener_.OnRouterProducerClosed(id);
}

void Router::removeConsumer(ConsumerId id, bool report) {
  const auto it = consumers_.find(id);
  if (it == consumers_.end()) return;
  auto record = std::move(it->second);
  consumers_.erase(it);
  if (const auto t = transports_.find(record->transport); t != transports_.end()) {
    std::erase(t->second->consumers, id);
    t->second->consumerBySsrc.erase(record->params.ssrc);
  }
  if (const auto p = producers_.find(record->producer); p != producers_.end()) std::erase(p->second->consumers, id);
  if (const auto p = producers_.find(record->pendingProducer); p != producers_.end()) std::erase(p->second->consumers, id);
  if (report) listener_.OnRouterConsumerClosed(id);
}

// ---- data channels -----------------------------------------------------------------------------

std::optional<DataProducerId> Router::produceData(TransportId transport, const std::string& label, std::string& error) {
  if (!transports_.contains(transport)) {
    error = "unknown transport";
    return std::nullopt;
  }
  return data_.produce(transport, label, error);
}

std::optional<DataConsumerId> Router::consumeData(TransportId transport, DataProducerId producer, const std::string& label, std::string& error) {
  if (!transports_.contains(transport)) {
    error = "unknown transport";
    return std::nullopt;
  }
  return data_.consume(transport, producer, label, error);
}

std::optional<TransportId> Router::idOf(const WebRtcTransport& transport) const {
  const auto it = byTransport_.find(&transport);
  return it == byTransport_.end() ? std::nullopt : std::optional(it->second);
}

void Router::OnWebRtcTransportDataReady(WebRtcTransport& transport) {
  if (const auto id = idOf(transport)) data_.onReady(*id);
}

void Router::OnWebRtcTransportDataChannelOpened(WebRtcTransport& transport, uint16_t streamId, const sctp::DataChannelParameters& channel) {
  if (const auto id = idOf(transport)) data_.onChannelOpened(*id, streamId, channel);
}

void Router::OnWebRtcTransportDataMessage(WebRtcTransport& transport, uint16_t streamId, sctp::PayloadProtocol protocol,
                                          std::span<const uint8_t> message) {
  if (const auto id = idOf(transport)) data_.onMessage(*id, streamId, protocol, message);
}

void Router::OnWebRtcTransportDataChannelClosed(WebRtcTransport& transport, uint16_t streamId) {
  if (const auto id = idOf(transport)) data_.onChannelClosed(*id, streamId);
}

}  // namespace onair::rtc::sfu
