#include "net/UdpSocket.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <netinet/udp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace onair::net {
namespace {

using boost::asio::ip::udp;

void add(UdpSocket::Counter& counter, uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

udp::socket openSocket(boost::asio::io_context& io, const std::string& address, uint16_t port) {
  const udp::endpoint endpoint(boost::asio::ip::make_address(address), port);
  udp::socket socket(io, endpoint.protocol());
  socket.non_blocking(true);
  socket.bind(endpoint);
  return socket;
}

}  // namespace

UdpSocket::UdpSocket(boost::asio::io_context& io, Listener& listener, const std::string& address, uint16_t port,
                     size_t queueSlots)
    : io_(io),
      listener_(listener),
      socket_(openSocket(io, address, port)),
      local_(socket_.local_endpoint()),
      receiveBuffers_(kBatch * kMaxPacketBytes),
      slots_(std::max<size_t>(queueSlots, 1)) {
  for (size_t i = 0; i < kBatch; ++i) {
    receiveIovecs_[i] = {receiveBuffers_.data() + i * kMaxPacketBytes, kMaxPacketBytes};
  }
  // A kernel with UDP GSO accepts a socket-wide segment size of 0 (meaning: per message only).
  int none = 0;
  gsoSupported_ = ::setsockopt(socket_.native_handle(), SOL_UDP, UDP_SEGMENT, &none, sizeof none) == 0;
  gso_ = gsoSupported_;
  waitReadable();
}

UdpSocket::~UdpSocket() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void UdpSocket::waitReadable() {
  socket_.async_wait(udp::socket::wait_read, [this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code error) {
    if (alive.expired() || error) return;
    drain();
    waitReadable();
  });
}

void UdpSocket::drain() {
  // A bounded number of batches per wake-up keeps one busy socket from starving the loop; the
  // next readiness wait fires at once if more is left.
  for (int round = 0; round < 8; ++round) {
    for (size_t i = 0; i < kBatch; ++i) {
      msghdr& header = receiveHeaders_[i].msg_hdr;
      header = {};
      header.msg_name = &receiveAddresses_[i];
      header.msg_namelen = sizeof(sockaddr_storage);
      header.msg_iov = &receiveIovecs_[i];
      header.msg_iovlen = 1;
    }
    const int count = ::recvmmsg(socket_.native_handle(), receiveHeaders_.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (count <= 0) return;  // EAGAIN (drained) or an error the next wait will report again
    for (int i = 0; i < count; ++i) {
      const msghdr& header = receiveHeaders_[i].msg_hdr;
      const size_t length = receiveHeaders_[i].msg_len;
      // A truncated datagram is no packet anyone sent: drop it.
      if (header.msg_flags & MSG_TRUNC) {
        add(counters_.oversizedIn);
        continue;
      }
      add(counters_.packetsIn);
      add(counters_.bytesIn, length);
      Endpoint remote;
      std::memcpy(remote.data(), &receiveAddresses_[i], header.msg_namelen);
      remote.resize(header.msg_namelen);
      listener_.OnUdpSocketPacket(*this, {receiveBuffers_.data() + size_t(i) * kMaxPacketBytes, length}, remote);
    }
    if (size_t(count) < kBatch) return;
  }
}

bool UdpSocket::send(std::span<const uint8_t> data, const Endpoint& to) {
  if (data.empty() || data.size() > kMaxPacketBytes) return false;
  const std::span<uint8_t> slot = prepare(to);
  if (slot.empty()) return false;
  std::memcpy(slot.data(), data.data(), data.size());
  commit(data.size());
  return true;
}

std::span<uint8_t> UdpSocket::prepare(const Endpoint& to) {
  if (queued_ == slots_.size()) {
    add(counters_.queueFull);
    return {};
  }
  Slot& slot = slots_[slotIndex(queued_)];
  std::memcpy(&slot.address, to.data(), to.size());
  slot.addressLength = static_cast<socklen_t>(to.size());
  slot.length = 0;
  return {slot.bytes.data(), slot.bytes.size()};
}

void UdpSocket::commit(size_t length) {
  if (queued_ == slots_.size() || length == 0 || length > kMaxPacketBytes) return;
  slots_[slotIndex(queued_)].length = length;
  ++queued_;
  // A full batch leaves now; a partial one at the end of the turn.
  if (queued_ >= kBatch && !waitingWritable_) {
    flush();
    return;
  }
  scheduleFlush();
}

void UdpSocket::scheduleFlush() {
  if (flushPosted_ || waitingWritable_) return;
  flushPosted_ = true;
  boost::asio::post(io_, [this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired()) return;
    flushPosted_ = false;
    flush();
  });
}

size_t UdpSocket::gsoRun(size_t first, size_t limit) const {
  const Slot& head = slots_[slotIndex(first)];
  const size_t segment = head.length;
  // A segment must fit the path's MTU, or the kernel refuses the whole message.
  if (segment > kMaxGsoSegmentBytes) return 1;
  size_t count = 1;
  size_t bytes = segment;
  // Equal-sized packets to the same address; a shorter one may end the run.
  while (count < limit && count < kMaxGsoSegments && slots_[slotIndex(first + count - 1)].length == segment) {
    const Slot& next = slots_[slotIndex(first + count)];
    if (next.length > segment || bytes + next.length > kMaxGsoBytes || next.addressLength != head.addressLength ||
        std::memcmp(&next.address, &head.address, head.addressLength) != 0) {
      break;
    }
    bytes += next.length;
    ++count;
  }
  return count;
}

size_t UdpSocket::prepareMessages(size_t& slotsUsed) {
  const size_t limit = std::min(queued_, kBatch);  // packets (iovecs) in this call
  size_t messages = 0;
  slotsUsed = 0;
  while (slotsUsed < limit) {
    const size_t count = gso_ ? gsoRun(slotsUsed, limit - slotsUsed) : 1;
    for (size_t k = 0; k < count; ++k) {
      Slot& slot = slots_[slotIndex(slotsUsed + k)];
      sendIovecs_[slotsUsed + k] = {slot.bytes.data(), slot.length};
    }
    Slot& first = slots_[slotIndex(slotsUsed)];
    msghdr& header = sendHeaders_[messages].msg_hdr;
    header = {};
    header.msg_name = &first.address;
    header.msg_namelen = first.addressLength;
    header.msg_iov = &sendIovecs_[slotsUsed];
    header.msg_iovlen = count;
    if (count > 1) {
      // The kernel cuts the message into datagrams of the first packet's size (RFC-less: Linux's
      // UDP_SEGMENT, see udp(7)).
      auto& control = sendControl_[messages];
      header.msg_control = control.data();
      header.msg_controllen = control.size();
      cmsghdr* cm = CMSG_FIRSTHDR(&header);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = UDP_SEGMENT;
      cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      const uint16_t segment = static_cast<uint16_t>(first.length);
      std::memcpy(CMSG_DATA(cm), &segment, sizeof segment);
    }
    messageSlots_[messages] = count;
    slotsUsed += count;
    ++messages;
  }
  return messages;
}

void UdpSocket::flush() {
  while (queued_ > 0 && !waitingWritable_) {
    size_t slotsUsed = 0;
    const size_t messages = prepareMessages(slotsUsed);
    const int sent = ::sendmmsg(socket_.native_handle(), sendHeaders_.data(), static_cast<unsigned>(messages), MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        waitWritable();
        return;
      }
      if (messageSlots_[0] > 1 && (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP)) {
        // The path cannot segment (no checksum offload, an old kernel): send one by one from now.
        spdlog::warn("udp: GSO refused by the kernel ({}); sending packets one by one", std::strerror(errno));
        gso_ = false;
        continue;
      }
      // The first message is refused (an unreachable address, a bad length): drop it, go on.
      add(counters_.sendErrors, messageSlots_[0]);
      head_ = slotIndex(messageSlots_[0]);
      queued_ -= messageSlots_[0];
      continue;
    }
    size_t done = 0;
    for (int m = 0; m < sent; ++m) {
      if (messageSlots_[m] > 1) add(counters_.gsoMessages);
      for (size_t k = 0; k < messageSlots_[m]; ++k) {
        add(counters_.packetsOut);
        add(counters_.bytesOut, slots_[slotIndex(done + k)].length);
      }
      done += messageSlots_[m];
    }
    head_ = slotIndex(done);
    queued_ -= done;
  }
}

void UdpSocket::waitWritable() {
  waitingWritable_ = true;
  socket_.async_wait(udp::socket::wait_write, [this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code error) {
    if (alive.expired() || error) return;
    waitingWritable_ = false;
    flush();
  });
}

}  // namespace onair::net
