#pragma once
// A non-blocking UDP socket driven by a shard's io_context, built for the media plane: one per
// shard, shared by every WebRTC transport of the shard (DESIGN.md §2, §7).
//
// Receiving: asio reports readiness (async_wait(wait_read)); the socket is then drained with
// recvmmsg, up to kBatch datagrams per call, into buffers allocated once at construction. Each
// datagram goes to the listener with a mutable view of its buffer (a transport decrypts SRTP in
// place) that is valid for the call only. A datagram larger than kMaxPacketBytes is dropped.
//
// Sending: packets are copied (or written, see prepare()) into preallocated slots of a queue and
// leave in batches with sendmmsg: at the end of the loop turn that queued them (one posted flush
// per turn), or at once when a full batch is waiting. Where the kernel has UDP GSO (Linux ≥ 4.18),
// consecutive packets for one address leave as one message segmented by the kernel (UDP_SEGMENT):
// a run of equal-sized packets, the last one possibly shorter, as GSO requires. When the kernel says EAGAIN the queue waits
// for writability; a packet that finds the queue full is dropped and counted, never buffered
// without bound. Nothing on either path allocates per packet.
//
// Threading: everything runs on the io_context's thread; counters() may be read from any thread.
// Handlers that outlive the socket (a readiness wait, a posted flush) find it gone and do nothing.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <sys/socket.h>

namespace onair::net {

class UdpSocket {
 public:
  using Endpoint = boost::asio::ip::udp::endpoint;
  using Counter = std::atomic<uint64_t>;

  class Listener {
   public:
    virtual ~Listener() = default;
    // One datagram from `remote`. The listener may send on the socket; it must not destroy it.
    virtual void OnUdpSocketPacket(UdpSocket& socket, std::span<uint8_t> data, const Endpoint& remote) = 0;
  };

  // Single writer (the loop's thread), any reader (/metrics).
  struct Counters {
    Counter packetsIn{0};
    Counter bytesIn{0};
    Counter packetsOut{0};
    Counter bytesOut{0};
    Counter oversizedIn{0};   // truncated on receipt (larger than kMaxPacketBytes): dropped
    Counter queueFull{0};     // send queue full: dropped
    Counter sendErrors{0};    // refused by the kernel for another reason than EAGAIN: dropped
    Counter gsoMessages{0};   // messages that carried several packets (UDP GSO)
  };

  // Datagrams per recvmmsg/sendmmsg call.
  static constexpr size_t kBatch = 32;
  // Room for one datagram: WebRTC keeps under a 1500-byte MTU; the rest is headroom for the SRTP
  // trailer when a packet is protected in its slot.
  static constexpr size_t kMaxPacketBytes = 2048;
  // Packets the send queue holds while the kernel's buffer is full.
  static constexpr size_t kDefaultQueueSlots = 256;
  // At most this many packets in one GSO message (the kernel's UDP_MAX_SEGMENTS is 64 or more),
  // and at most kMaxGsoBytes in all.
  static constexpr size_t kMaxGsoSegments = 64;
  static constexpr size_t kMaxGsoBytes = 60000;
  static constexpr size_t kMaxGsoSegmentBytes = 1400;  // within a 1500-byte MTU with IPv6 + UDP headers

  // Binds to `address` ("127.0.0.1", "::", …) and `port` (0: an ephemeral one, see localPort()).
  // Throws boost::system::system_error if the address is invalid or the bind fails: called at
  // start-up, not from a handler.
  UdpSocket(boost::asio::io_context& io, Listener& listener, const std::string& address, uint16_t port,
            size_t queueSlots = kDefaultQueueSlots);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  Endpoint localEndpoint() const { return local_; }
  uint16_t localPort() const { return local_.port(); }

  // Queues a copy of `data` for `to`. False (counted in queueFull) when the queue is full; false
  // when `data` is empty or larger than kMaxPacketBytes.
  bool send(std::span<const uint8_t> data, const Endpoint& to);

  // Writing a packet in place: prepare() hands out the next free slot (kMaxPacketBytes, empty and
  // counted in queueFull when the queue is full), commit() queues the first `length` bytes of it.
  // A prepared slot not committed before the next prepare()/send() is simply reused.
  std::span<uint8_t> prepare(const Endpoint& to);
  void commit(size_t length);

  // Sends what is queued now (normally left to the end of the loop turn).
  void flush();

  size_t queuedPackets() const { return queued_; }
  // Whether sends use UDP GSO (probed at construction; off after the kernel refuses it once).
  bool gso() const { return gso_; }
  void setGso(bool on) { gso_ = on && gsoSupported_; }
  const Counters& counters() const { return counters_; }

 private:
  struct Slot {
    std::array<uint8_t, kMaxPacketBytes> bytes;
    size_t length = 0;
    sockaddr_storage address{};
    socklen_t addressLength = 0;
  };

  void waitReadable();
  void drain();
  void scheduleFlush();
  void waitWritable();
  // The next sendmmsg call's messages from the queue's front: `slotsUsed` of the queued packets,
  // grouped into the returned number of messages (several per message with GSO).
  size_t prepareMessages(size_t& slotsUsed);
  // How many queued packets from position `first` one GSO message can carry (at least 1).
  size_t gsoRun(size_t first, size_t limit) const;
  size_t slotIndex(size_t position) const { return (head_ + position) % slots_.size(); }

  boost::asio::io_context& io_;
  Listener& listener_;
  boost::asio::ip::udp::socket socket_;
  Endpoint local_;
  Counters counters_;
  // Handlers hold a weak reference: once the socket is gone they return without touching it.
  std::shared_ptr<char> alive_ = std::make_shared<char>();

  // Receive side: kBatch buffers and their headers, set up once.
  std::vector<uint8_t> receiveBuffers_;
  std::array<mmsghdr, kBatch> receiveHeaders_{};
  std::array<iovec, kBatch> receiveIovecs_{};
  std::array<sockaddr_storage, kBatch> receiveAddresses_{};

  // Send side: a ring of slots [head_, head_ + queued_), plus the headers of one sendmmsg call.
  std::vector<Slot> slots_;
  size_t head_ = 0;
  size_t queued_ = 0;
  std::array<mmsghdr, kBatch> sendHeaders_{};
  std::array<iovec, kBatch> sendIovecs_{};
  // Per message: its first slot's position, its packet count and its UDP_SEGMENT control message.
  std::array<size_t, kBatch> messageSlots_{};
  std::array<std::array<char, CMSG_SPACE(sizeof(uint16_t))>, kBatch> sendControl_{};
  bool gsoSupported_ = false;
  bool gso_ = false;
  bool flushPosted_ = false;
  bool waitingWritable_ = false;
};

}  // namespace onair::net
