#include "rtc/sctp/SctpAssociation.hpp"

#include <arpa/inet.h>
#include <spdlog/spdlog.h>
#include <usrsctp.h>

#include <boost/asio/post.hpp>
#include <cstdlib>
#include <cstring>
#include <variant>

#include "rtc/sctp/DcepMessage.hpp"
#include "rtc/sctp/UsrSctp.hpp"

namespace onair::rtc::sctp {

namespace {

// Streams announced in INIT: what browsers offer; ids above are refused by the peer anyway.
constexpr uint16_t kStreams = 1024;
// SCTP packets ride in DTLS records inside UDP: keep them under a path MTU every network has.
constexpr uint32_t kPathMtu = 1200;

int onReceive(struct socket*, union sctp_sockstore, void* data, size_t bytes, struct sctp_rcvinfo info, int flags, void* ulpInfo) {
  std::unique_ptr<uint8_t[], void (*)(void*)> owned(static_cast<uint8_t*>(data), &std::free);
  if (auto endpoint = UsrSctp::find(reinterpret_cast<uintptr_t>(ulpInfo))) {
    endpoint->incomingMessage(std::move(owned), data ? bytes : 0, info.rcv_sid, ntohl(info.rcv_ppid), flags);
  }
  return 1;
}

template <typename T>
bool setOption(struct socket* s, int level, int name, const T& value) {
  return usrsctp_setsockopt(s, level, name, &value, sizeof value) == 0;
}

}  // namespace

// What usrsctp's callbacks reach: it copies and posts to the owner's executor, where `owner`
// (cleared when the association goes) is the only pointer to the association.
class SctpAssociation::Core final : public UsrSctp::Endpoint, public std::enable_shared_from_this<Core> {
 public:
  explicit Core(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  void outgoingPacket(const void* data, size_t bytes) override {
    const auto* p = static_cast<const uint8_t*>(data);
    boost::asio::post(executor_, [core = shared_from_this(), packet = std::vector<uint8_t>(p, p + bytes)] {
      if (core->owner && core->owner->callbacks_.sendToPeer) core->owner->callbacks_.sendToPeer(packet);
    });
  }

  void incomingMessage(std::unique_ptr<uint8_t[], void (*)(void*)> data, size_t bytes, uint16_t streamId, uint32_t ppid, int flags) override {
    std::vector<uint8_t> copy(data.get(), data.get() + bytes);
    boost::asio::post(executor_, [core = shared_from_this(), copy = std::move(copy), streamId, ppid, flags]() mutable {
      if (core->owner) core->owner->onIncoming(std::move(copy), streamId, ppid, flags);
    });
  }

  SctpAssociation* owner = nullptr;  // touched only on executor_

 private:
  boost::asio::any_io_executor executor_;
};

SctpAssociation::SctpAssociation(boost::asio::any_io_executor executor, Options options, Callbacks callbacks)
    : options_(options),
      callbacks_(std::move(callbacks)),
      core_(std::make_shared<Core>(std::move(executor))),
      nextStreamId_(options.dtlsClient ? 0 : 1) {
  core_->owner = this;
  id_ = UsrSctp::attach(core_);
  socket_ = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, &onReceive, nullptr, 0, reinterpret_cast<void*>(id_));
  if (!socket_) {
    spdlog::warn("sctp: usrsctp_socket failed ({}); data channels unavailable on this transport", std::strerror(errno));
    state_ = State::Closed;
    return;
  }
  configureSocket();
}

SctpAssociation::~SctpAssociation() {
  core_->owner = nullptr;
  UsrSctp::detach(id_);  // before close: the ABORT close may emit goes nowhere
  if (socket_) usrsctp_close(socket_);
}

void SctpAssociation::configureSocket() {
  usrsctp_set_non_blocking(socket_, 1);
  // Closing aborts at once instead of lingering: the DTLS transport under us is going too.
  setOption(socket_, SOL_SOCKET, SO_LINGER, linger{1, 0});
  setOption(socket_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, sctp_assoc_value{SCTP_ALL_ASSOC, SCTP_ENABLE_RESET_STREAM_REQ});
  setOption(socket_, IPPROTO_SCTP, SCTP_NODELAY, int{1});
  for (uint16_t type : {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_SEND_FAILED_EVENT, SCTP_REMOTE_ERROR, SCTP_SHUTDOWN_EVENT}) {
    sctp_event event{};
    event.se_assoc_id = SCTP_ALL_ASSOC;
    event.se_on = 1;
    event.se_type = type;
    setOption(socket_, IPPROTO_SCTP, SCTP_EVENT, event);
  }
  // Retransmission timers for realtime data rather than SCTP's defaults (RTO.Initial 3 s, RTO.Min
  // 1 s, made for the open Internet of 2000): what browsers use today.
  sctp_rtoinfo rto{};
  rto.srto_assoc_id = SCTP_ALL_ASSOC;
  rto.srto_initial = 1000;
  rto.srto_min = 200;
  rto.srto_max = 6000;
  setOption(socket_, IPPROTO_SCTP, SCTP_RTOINFO, rto);
  sctp_initmsg init{};
  init.sinit_num_ostreams = kStreams;
  init.sinit_max_instreams = kStreams;
  setOption(socket_, IPPROTO_SCTP, SCTP_INITMSG, init);
}

void SctpAssociation::connect() {
  if (state_ != State::New) return;
  sockaddr_conn local{};
  local.sconn_family = AF_CONN;
  local.sconn_port = htons(options_.localPort);
  local.sconn_addr = reinterpret_cast<void*>(id_);
  if (usrsctp_bind(socket_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    spdlog::warn("sctp: bind failed ({})", std::strerror(errno));
    return setState(State::Closed);
  }
  sockaddr_conn remote = local;
  remote.sconn_port = htons(options_.remotePort);
  const int r = usrsctp_connect(socket_, reinterpret_cast<sockaddr*>(&remote), sizeof remote);
  if (r != 0 && errno != EINPROGRESS) {
    spdlog::warn("sctp: connect failed ({})", std::strerror(errno));
    return setState(State::Closed);
  }
  // Fixed path MTU: usrsctp's probing cannot see through DTLS.
  sctp_paddrparams path{};
  std::memcpy(&path.spp_address, &remote, sizeof remote);
  path.spp_flags = SPP_PMTUD_DISABLE;
  path.spp_pathmtu = kPathMtu;
  setOption(socket_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, path);
  setState(State::Connecting);
}

void SctpAssociation::receive(std::span<const uint8_t> packet) {
  if (!socket_ || packet.empty()) return;
  usrsctp_conninput(reinterpret_cast<void*>(id_), packet.data(), packet.size(), 0);
}

void SctpAssociation::setState(State state) {
  if (state_ == state) return;
  state_ = state;
  if (callbacks_.onStateChange) callbacks_.onStateChange(state);
}

std::optional<uint16_t> SctpAssociation::openChannel(const DataChannelParameters& channel) {
  if (state_ != State::Connected) return std::nullopt;
  // The next id of our parity not in use, wrapping around: closed channels' ids come back.
  const uint16_t parity = options_.dtlsClient ? 0 : 1;
  std::optional<uint16_t> free;
  for (uint16_t tried = 0; tried < kStreams / 2 && !free; ++tried) {
    if (nextStreamId_ >= kStreams) nextStreamId_ = parity;
    if (!channels_.contains(nextStreamId_)) free = nextStreamId_;
    nextStreamId_ += 2;
  }
  if (!free) return std::nullopt;
  const uint16_t streamId = *free;
  auto& entry = channels_[streamId];
  entry.parameters = channel;
  if (!sendRaw(streamId, uint32_t(PayloadProtocol::Dcep), DcepMessage::open(channel), nullptr)) {
    channels_.erase(streamId);
    return std::nullopt;
  }
  return streamId;
}

SctpAssociation::SendResult SctpAssociation::send(uint16_t streamId, PayloadProtocol protocol, std::span<const uint8_t> message) {
  auto it = channels_.find(streamId);
  if (state_ != State::Connected || it == channels_.end() || it->second.closing) return SendResult::NotOpen;
  if (message.size() > options_.maxMessageBytes) return SendResult::TooLarge;
  uint32_t ppid = uint32_t(protocol);
  static constexpr uint8_t kEmpty[1] = {0};
  if (message.empty()) {
    // SCTP carries no empty messages: one byte under the "empty" protocol stands for one.
    ppid = uint32_t(protocol == PayloadProtocol::String ? PayloadProtocol::StringEmpty : PayloadProtocol::BinaryEmpty);
    message = kEmpty;
  }
  if (!sendRaw(streamId, ppid, message, &it->second)) return SendResult::Busy;
  ++counters_.messagesOut;
  counters_.bytesOut += message.size();
  return SendResult::Sent;
}

bool SctpAssociation::sendRaw(uint16_t streamId, uint32_t ppid, std::span<const uint8_t> message, const Channel* channel) {
  sctp_sendv_spa spa{};
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = streamId;
  spa.sendv_sndinfo.snd_ppid = htonl(ppid);
  spa.sendv_sndinfo.snd_flags = SCTP_EOR;
  if (channel) {
    const auto& c = channel->parameters;
    if (!c.ordered && channel->acknowledged) spa.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
    if (c.maxRetransmits || c.maxPacketLifeTimeMs) {
      spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
      spa.sendv_prinfo.pr_policy = c.maxRetransmits ? SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
      spa.sendv_prinfo.pr_value = c.maxRetransmits ? *c.maxRetransmits : *c.maxPacketLifeTimeMs;
    }
  }
  const ssize_t sent = usrsctp_sendv(socket_, message.data(), message.size(), nullptr, 0, &spa, sizeof spa, SCTP_SENDV_SPA, 0);
  return sent >= 0;
}

void SctpAssociation::closeChannel(uint16_t streamId) {
  auto it = channels_.find(streamId);
  if (it == channels_.end() || it->second.closing) return;
  it->second.closing = true;
  resetStream(streamId);
}

void SctpAssociation::resetStream(uint16_t streamId) {
  std::vector<uint8_t> buffer(sizeof(sctp_reset_streams) + sizeof(uint16_t));
  auto* reset = reinterpret_cast<sctp_reset_streams*>(buffer.data());
  reset->srs_assoc_id = SCTP_ALL_ASSOC;
  reset->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  reset->srs_number_streams = 1;
  reset->srs_stream_list[0] = streamId;
  usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, buffer.data(), socklen_t(buffer.size()));
}

// ---- what usrsctp delivered, on our executor ----------------------------------------------------

void SctpAssociation::onIncoming(std::vector<uint8_t> data, uint16_t streamId, uint32_t ppid, int flags) {
  if (flags & MSG_NOTIFICATION) return onNotification(data);
  // A message may come in pieces (partial delivery); keep them until its end, within the limit.
  if (!(flags & MSG_EOR) || !partial_.empty() || partialTooLarge_) {
    if (partial_.size() + data.size() > options_.maxMessageBytes) {
      partialTooLarge_ = true;
      partial_.clear();
    } else if (!partialTooLarge_) {
      partial_.insert(partial_.end(), data.begin(), data.end());
    }
    if (!(flags & MSG_EOR)) return;
    const bool tooLarge = partialTooLarge_;
    partialTooLarge_ = false;
    data = std::move(partial_);
    partial_.clear();
    if (tooLarge) {
      ++counters_.dropped;
      return;
    }
  }
  if (data.size() > options_.maxMessageBytes) {
    ++counters_.dropped;
    return;
  }
  deliver(streamId, ppid, data);
}

void SctpAssociation::deliver(uint16_t streamId, uint32_t ppid, std::span<const uint8_t> message) {
  if (ppid == uint32_t(PayloadProtocol::Dcep)) return onDcep(streamId, message);
  auto it = channels_.find(streamId);
  if (it == channels_.end()) {
    ++counters_.dropped;
    return;
  }
  // The DCEP ACK may be lost in a reordering; any message from the peer acknowledges too.
  it->second.acknowledged = true;
  PayloadProtocol protocol;
  switch (PayloadProtocol(ppid)) {
    case PayloadProtocol::String:
    case PayloadProtocol::Binary: protocol = PayloadProtocol(ppid); break;
    case PayloadProtocol::StringEmpty: protocol = PayloadProtocol::String; message = {}; break;
    case PayloadProtocol::BinaryEmpty: protocol = PayloadProtocol::Binary; message = {}; break;
    default: ++counters_.dropped; return;
  }
  ++counters_.messagesIn;
  counters_.bytesIn += message.size();
  if (callbacks_.onMessage) callbacks_.onMessage(streamId, protocol, message);
}

void SctpAssociation::onDcep(uint16_t streamId, std::span<const uint8_t> message) {
  auto parsed = DcepMessage::parse(message);
  if (auto* error = std::get_if<DcepMessage::Error>(&parsed)) {
    ++counters_.dropped;
    spdlog::debug("sctp: {} on stream {}", DcepMessage::describe(*error), streamId);
    return;
  }
  if (std::holds_alternative<DcepAck>(parsed)) {
    if (auto it = channels_.find(streamId); it != channels_.end()) it->second.acknowledged = true;
    return;
  }
  // An OPEN: the peer must use its own parity and a stream not in use.
  const bool peersParity = (streamId % 2 == 0) != options_.dtlsClient;
  if (!peersParity || channels_.contains(streamId)) {
    ++counters_.dropped;
    return;
  }
  auto& channel = channels_[streamId];
  channel.parameters = std::get<DcepOpen>(parsed).channel;
  channel.acknowledged = true;
  sendRaw(streamId, uint32_t(PayloadProtocol::Dcep), DcepMessage::ack(), nullptr);
  if (callbacks_.onChannelOpened) callbacks_.onChannelOpened(streamId, channel.parameters);
}

void SctpAssociation::onNotification(std::span<const uint8_t> bytes) {
  if (bytes.size() < sizeof(sctp_notification::sn_header)) return;
  const auto* n = reinterpret_cast<const sctp_notification*>(bytes.data());
  if (n->sn_header.sn_length > bytes.size()) return;
  switch (n->sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE: {
      if (bytes.size() < sizeof(sctp_assoc_change)) return;
      const uint16_t s = n->sn_assoc_change.sac_state;
      if (s == SCTP_COMM_UP || s == SCTP_RESTART) setState(State::Connected);
      if (s == SCTP_COMM_LOST || s == SCTP_SHUTDOWN_COMP || s == SCTP_CANT_STR_ASSOC) setState(State::Closed);
      return;
    }
    case SCTP_SHUTDOWN_EVENT: return setState(State::Closed);
    case SCTP_STREAM_RESET_EVENT: {
      const auto& e = n->sn_strreset_event;
      if (bytes.size() < sizeof(sctp_stream_reset_event)) return;
      if (e.strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) return;
      const size_t count = (std::min<size_t>(e.strreset_length, bytes.size()) - sizeof(sctp_stream_reset_event)) / sizeof(uint16_t);
      onStreamsReset({e.strreset_stream_list, count}, (e.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) != 0);
      return;
    }
    default: return;
  }
}

void SctpAssociation::onStreamsReset(std::span<const uint16_t> streams, bool incoming) {
  for (const uint16_t streamId : streams) {
    auto it = channels_.find(streamId);
    if (it == channels_.end()) continue;
    // The peer closed its side: close ours too (RFC 8831 §6.7). Our own reset completing
    // (outgoing) closes the channel when it was we who started.
    if (incoming && !it->second.closing) {
      it->second.closing = true;
      resetStream(streamId);
    }
    channels_.erase(it);
    // The callback may end this association (its transport closing): nothing after it.
    if (callbacks_.onChannelClosed) {
      const auto core = core_;  // outlives this association; its destructor clears `owner`
      callbacks_.onChannelClosed(streamId);
      if (core->owner != this) return;
    }
  }
}

}  // namespace onair::rtc::sctp
