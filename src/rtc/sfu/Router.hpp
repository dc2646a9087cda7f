#pragma once
// The media of ONE stream room (DESIGN.md §7), on the room's owner shard: the room's WebRTC
// transports (the Router is their WebRtcTransport::Listener), its producers (a track a publisher
// sends) and consumers (a producer forwarded to one subscriber's transport).
//
//   publisher ─ transport ─ RtpPacket::parse ─ producer (by ssrc, or bound by the mid extension;
//     RTX unwrapped; NACK state, retransmission buffer, keyframe detection)
//       └─ each consumer: copy into one scratch buffer, rewrite ssrc / payload type / seq /
//          timestamp (SequenceNumberRewriter) / extension ids, sendRtp (protected once per consumer)
//
//   subscriber RTCP: NACK ─ resent from the producer's buffer (as RTX when negotiated);
//                    PLI/FIR ─ upstream through the producer's KeyframeRequestLimiter
//   publisher RTCP:  SR kept, for the consumers' SRs
//   generated (one timer per router): NACK upstream as due, RR + REMB (3 Mbit/s ceiling for
//   video) to publishers every ~1 s, SR per consumer every ~1 s (video) / ~5 s (audio)
//
// Video consumers start at a keyframe: nothing is forwarded to a new or resumed one (nor to one
// whose transport is not connected yet) before a keyframe, and one is requested upstream — again
// every second while such a consumer still waits and no keyframe came (the request was lost).
//
// Threading: everything on the shard's thread (the io_context of `server`). Listener callbacks run
// inside the call or packet that caused them; a listener may call back into the Router. No
// allocation per forwarded packet.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rtc/WebRtcTransport.hpp"
#include "rtc/rtp/RtpPacket.hpp"
#include "rtc/sfu/ConsumerParameters.hpp"
#include "rtc/sfu/DataRouter.hpp"
#include "rtc/sfu/ProducerParameters.hpp"
#include "rtc/sfu/RouterCounters.hpp"
#include "rtc/sfu/RouterIds.hpp"

namespace onair::rtc {
class WebRtcServer;
}

namespace onair::rtc::sfu {

class Router final : private WebRtcTransport::Listener {
 public:
  class Listener {  // all on the shard's thread
   public:
    virtual void OnRouterTransportConnected(TransportId) = 0;
    // A transport closed (closeTransport, peer gone, consent timeout, DTLS failure). Its producers
    // and consumers were closed first (each reported below).
    virtual void OnRouterTransportClosed(TransportId, std::string_view reason) = 0;
    // A producer closed because its transport closed (not reported for closeProducer calls).
    virtual void OnRouterProducerClosed(ProducerId) = 0;
    // A consumer closed because its producer or its transport closed (not for closeConsumer calls).
    virtual void OnRouterConsumerClosed(ConsumerId) = 0;

   protected:
    ~Listener() = default;
  };

  // Generated RTCP.
  static constexpr std::chrono::milliseconds kTickInterval{100};
  static constexpr std::chrono::milliseconds kVideoReportInterval{1000};
  static constexpr std::chrono::milliseconds kAudioReportInterval{5000};
  static constexpr uint64_t kRembBitrate = 3'000'000;
  // Video packets kept per producer for retransmission.
  static constexpr size_t kRetransmissionPackets = 512;

  Router(boost::asio::io_context& io, WebRtcServer& server, Listener& listener);
  ~Router() override;  // closes every transport WITHOUT calling the listener
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // A new transport on the server; its local ICE/DTLS parameters and candidate are read from
  // transport(id) to write the answer; then setRemoteParameters(...) with the offer's.
  TransportId createTransport();
  WebRtcTransport* transport(TransportId);  // null once closed
  void closeTransport(TransportId);

  // nullopt + error text when the transport is unknown, the ssrc or mid is already used on it,
  // or the kind/codec is not forwardable.
  std::optional<ProducerId> produce(TransportId, const ProducerParameters&, std::string& error);
  void closeProducer(ProducerId);  // closes its consumers (reported: OnRouterConsumerClosed)
  // Forward producer → transport. Video starts at a keyframe: a PLI/FIR is requested upstream
  // (rate-limited) and nothing is forwarded to this consumer before a keyframe.
  std::optional<ConsumerId> consume(TransportId, ProducerId, const ConsumerParameters&, std::string& error);
  void closeConsumer(ConsumerId);
  // Simulcast: the consumer moves to `producer` (another encoding of the same track, same codec)
  // at its next keyframe, which is requested; until then it keeps receiving the current one.
  // Sequence numbers and timestamps stay continuous across the switch. False + error for an
  // unknown consumer or producer or another codec.
  bool switchProducer(ConsumerId, ProducerId, std::string& error);
  // When the producer's last RTP packet arrived (nullopt: none yet, or unknown producer).
  std::optional<std::chrono::steady_clock::time_point> lastReceived(ProducerId) const;
  void pauseConsumer(ConsumerId);   // stops forwarding; seq/timestamps stay continuous
  void resumeConsumer(ConsumerId);  // resumes at the next keyframe (requests one)

  // Data channels (DataRouter): the publisher's channel `label` on `transport` is forwarded to a
  // channel `label` onair opens on each consuming transport.
  std::optional<DataProducerId> produceData(TransportId transport, const std::string& label, std::string& error);
  std::optional<DataConsumerId> consumeData(TransportId transport, DataProducerId producer, const std::string& label, std::string& error);
  void closeDataProducer(DataProducerId id) { data_.closeProducer(id); }
  void closeDataConsumer(DataConsumerId id) { data_.closeConsumer(id); }
  bool hasDataConsumer(DataConsumerId id) const { return data_.hasConsumer(id); }
  size_t dataProducerCount() const { return data_.producerCount(); }
  size_t dataConsumerCount() const { return data_.consumerCount(); }

  struct ProducerStats {
    std::string kind;
    uint64_t packets = 0, bytes = 0, nacksSent = 0, keyframeRequestsSent = 0, keyframes = 0, lost = 0;
    std::chrono::milliseconds rtt{0};  // the RTT NACK retries assume (RttEstimator)
    bool rttMeasured = false;          // from repairs, rather than RttEstimator::kInitial
  };
  struct ConsumerStats {
    uint64_t packets = 0, bytes = 0, retransmitted = 0, nacksReceived = 0, keyframeRequestsReceived = 0;
  };
  std::optional<ProducerStats> producerStats(ProducerId) const;
  std::optional<ConsumerStats> consumerStats(ConsumerId) const;
  size_t transportCount() const;
  size_t producerCount() const;
  size_t consumerCount() const;

 private:
  struct Transport;
  struct Producer;
  struct Consumer;

  // WebRtcTransport::Listener
  void OnWebRtcTransportConnected(WebRtcTransport& transport) override;
  void OnWebRtcTransportRtp(WebRtcTransport& transport, std::span<uint8_t> packet) override;
  void OnWebRtcTransportRtcp(WebRtcTransport& transport, std::span<uint8_t> packet) override;
  void OnWebRtcTransportClosed(WebRtcTransport& transport, std::string_view reason) override;
  void OnWebRtcTransportDataReady(WebRtcTransport& transport) override;
  void OnWebRtcTransportDataChannelOpened(WebRtcTransport& transport, uint16_t streamId, const sctp::DataChannelParameters& channel) override;
  void OnWebRtcTransportDataMessage(WebRtcTransport& transport, uint16_t streamId, sctp::PayloadProtocol protocol,
                                    std::span<const uint8_t> message) override;
  void OnWebRtcTransportDataChannelClosed(WebRtcTransport& transport, uint16_t streamId) override;
  std::optional<TransportId> idOf(const WebRtcTransport& transport) const;

  // Media in.
  Producer* matchProducer(Transport& transport, const rtp::RtpPacket& packet);
  void receiveMedia(Producer& producer, const rtp::RtpPacket& packet);
  void forward(Consumer& consumer, const Producer& from, const rtp::RtpPacket& packet, bool keyframe);
  // The consumer's pending switch takes effect: it leaves its current producer for the pending one.
  void completeSwitch(Consumer& consumer);
  // Copies `original` into `out` with the consumer's ssrc, payload type, extension ids and the
  // given seq/timestamp; its length, 0 when it does not parse or fit.
  static size_t rewriteInto(const Consumer& consumer, std::span<const uint8_t> original, uint16_t seq, uint32_t timestamp,
                            std::span<uint8_t> out);

  // Feedback.
  void handleFeedback(Transport& transport, std::span<const uint8_t> compound);
  void retransmit(Consumer& consumer, std::span<const uint16_t> seqs);
  void requestKeyframe(Producer& producer);
  // Whether a consumer that could take it now waits for this producer's next keyframe (a new or
  // resumed one, or a simulcast switch to it): its unanswered request is then retried.
  bool awaitsKeyframe(const Producer& producer) const;
  void sendKeyframeRequest(Producer& producer);
  void sendNacks(Producer& producer, std::chrono::steady_clock::time_point now);
  void sendRtcp(TransportId transport, std::span<const uint8_t> packet);

  // The router's timer: NACK retries, pending and unanswered keyframe requests, RR/REMB/SR.
  void armTimer();
  void onTick();
  // NACK retries wait max(rtt, NackGenerator::kMinRetryInterval), far less than a tick on a short
  // path: their own timer fires when the earliest one is due.
  void armNackTimer(std::optional<std::chrono::steady_clock::time_point> due);
  void onNackTimer();
  void sendReceiverReports(Transport& transport, std::chrono::steady_clock::time_point now);
  void sendSenderReport(Consumer& consumer, std::chrono::steady_clock::time_point now);

  // Closing: the record leaves the maps first, the listener hears about it after.
  void removeProducer(ProducerId id, bool report);
  void removeConsumer(ConsumerId id, bool report);

  boost::asio::io_context& io_;
  WebRtcServer& server_;
  Listener& listener_;
  RouterCounters& counters_;
  std::unordered_map<TransportId, std::unique_ptr<Transport>> transports_;
  std::unordered_map<const WebRtcTransport*, TransportId> byTransport_;
  std::unordered_map<ProducerId, std::unique_ptr<Producer>> producers_;
  std::unordered_map<ConsumerId, std::unique_ptr<Consumer>> consumers_;
  DataRouter data_;
  boost::asio::steady_timer timer_;
  bool timerArmed_ = false;
  boost::asio::steady_timer nackTimer_;
  std::optional<std::chrono::steady_clock::time_point> nackTimerAt_;  // when armed
  bool destroying_ = false;
  // One packet at a time: the forwarded copy, and the RTX wrap of a retransmission.
  std::array<uint8_t, rtp::RtpPacket::kMaxBytes> scratch_{};
  std::array<uint8_t, rtp::RtpPacket::kMaxBytes> rtxScratch_{};
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace onair::rtc::sfu
