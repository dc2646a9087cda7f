#include "net/UdpSocket.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

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

void UdpSocket::flush() {
  while (queued_ > 0 && !waitingWritable_) {
    const size_t batch = std::min(queued_, kBatch);
    for (size_t i = 0; i < batch; ++i) {
      Slot& slot = slots_[slotIndex(i)];
      sendIovecs_[i] = {slot.bytes.data(), slot.length};
      msghdr& header = sendHeaders_[i].msg_hdr;
      header = {};
      header.msg_name = &slot.address;
      header.msg_namelen = slot.addressLength;
      header.msg_iov = &sendIovecs_[i];
      header.msg_iovlen = 1;
    }
    const int sent = ::sendmmsg(socket_.native_handle(), sendHeaders_.data(), static_cast<unsigned>(batch), MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        waitWritable();
        return;
      }
      // The first packet is refused (an unreachable address, a bad length): drop it, go on.
      add(counters_.sendErrors);
      head_ = slotIndex(1);
      --queued_;
      continue;
    }
    for (int i = 0; i < sent; ++i) {
      add(counters_.packetsOut);
      add(counters_.bytesOut, slots_[slotIndex(i)].length);
    }
    head_ = slotIndex(size_t(sent));
    queued_ -= size_t(sent);
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
