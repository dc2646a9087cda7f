#pragma once
// One SCTP association over a DTLS connection, carrying WebRTC data channels (RFC 8831, 8832).
// usrsctp (the stack browsers use) runs in AF_CONN mode: we give it the DTLS application data we
// receive (`receive`) and it gives us SCTP packets to send through DTLS (`sendToPeer`).
//
// Threads: usrsctp calls back from its timer thread or from inside our calls. Every callback is
// copied and posted to `executor`, so all Callbacks run there and never inside a usrsctp call,
// which makes it safe for them to call back into this object. Every public method must be called
// on `executor`. Once the association is destroyed, no callback runs, posted ones included.
//
// Channels: a channel is an SCTP stream pair opened with DCEP. The DTLS client picks even stream
// ids, the DTLS server odd ones (RFC 8832 §6). A channel closes by resetting its streams (RFC
// 8831 §6.7); the side that did not start the reset answers with its own.
#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "rtc/sctp/DataChannelParameters.hpp"
#include "rtc/sctp/PayloadProtocol.hpp"

struct socket;

namespace onair::rtc::sctp {

class SctpAssociation {
 public:
  enum class State { New, Connecting, Connected, Closed };
  enum class SendResult { Sent, NotOpen, TooLarge, Busy };

  struct Options {
    bool dtlsClient = false;
    uint16_t localPort = 5000;   // a=sctp-port of our SDP
    uint16_t remotePort = 5000;  // a=sctp-port of the peer's
    size_t maxMessageBytes = 256 * 1024;  // a=max-message-size we announce; larger ones dropped
  };

  struct Callbacks {
    std::function<void(std::span<const uint8_t> packet)> sendToPeer;
    // The peer opened a channel (its DATA_CHANNEL_OPEN arrived; the ACK is sent already).
    std::function<void(uint16_t streamId, const DataChannelParameters&)> onChannelOpened;
    // A whole message on an open channel (empty messages arrive as an empty span).
    std::function<void(uint16_t streamId, PayloadProtocol, std::span<const uint8_t>)> onMessage;
    std::function<void(uint16_t streamId)> onChannelClosed;
    std::function<void(State)> onStateChange;
  };

  struct Counters {
    uint64_t messagesIn = 0, messagesOut = 0, bytesIn = 0, bytesOut = 0;
    uint64_t dropped = 0;  // too large, on an unknown channel, or bad DCEP
  };

  SctpAssociation(boost::asio::any_io_executor executor, Options options, Callbacks callbacks);
  ~SctpAssociation();
  SctpAssociation(const SctpAssociation&) = delete;
  SctpAssociation& operator=(const SctpAssociation&) = delete;

  // Starts the association (both sides connect at once, as WebRTC does); call once DTLS is up.
  void connect();
  // An SCTP packet: the application data of one DTLS record.
  void receive(std::span<const uint8_t> packet);

  // Opens a channel on the next free stream of our parity; nullopt when not connected or when
  // no stream is left. Messages may be sent at once (ordered until the peer's ACK arrives).
  std::optional<uint16_t> openChannel(const DataChannelParameters& channel);
  SendResult send(uint16_t streamId, PayloadProtocol protocol, std::span<const uint8_t> message);
  void closeChannel(uint16_t streamId);

  State state() const { return state_; }
  const Counters& counters() const { return counters_; }
  size_t openChannels() const { return channels_.size(); }

 private:
  class Core;
  struct Channel {
    DataChannelParameters parameters;
    bool acknowledged = false;  // unordered sending only after the ACK (RFC 8832 §6)
    bool closing = false;
  };

  void configureSocket();
  void setState(State state);
  void onIncoming(std::vector<uint8_t> data, uint16_t streamId, uint32_t ppid, int flags);
  void onNotification(std::span<const uint8_t> notification);
  void onStreamsReset(std::span<const uint16_t> streams, bool incoming);
  void onDcep(uint16_t streamId, std::span<const uint8_t> message);
  void deliver(uint16_t streamId, uint32_t ppid, std::span<const uint8_t> message);
  bool sendRaw(uint16_t streamId, uint32_t ppid, std::span<const uint8_t> message, const Channel* channel);
  void resetStream(uint16_t streamId);

  Options options_;
  Callbacks callbacks_;
  std::shared_ptr<Core> core_;
  uintptr_t id_ = 0;
  struct ::socket* socket_ = nullptr;
  State state_ = State::New;
  std::map<uint16_t, Channel> channels_;
  uint16_t nextStreamId_;
  std::vector<uint8_t> partial_;  // a message delivered in pieces, until its end arrives
  bool partialTooLarge_ = false;
  Counters counters_;
};

}  // namespace onair::rtc::sctp
