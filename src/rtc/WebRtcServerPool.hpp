#pragma once
// The media plane of the whole process (DESIGN.md §2): one WebRtcServer per shard, each bound to
// its own UDP port and run by that shard's io_context, all sharing one DTLS identity (one
// certificate, one SSL_CTX). A stream room's transports are created on the server of the room's
// owner shard, so its packets never cross threads.
//
// Built at start-up, before the loops run (binding fails fast there); destroyed after the loops
// stopped. server(i) may only be used on shard i's thread; metricsText() from any thread.
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "rtc/WebRtcServer.hpp"

namespace onair::rtc {

class WebRtcServerPool {
 public:
  struct Options {
    std::string listenAddress = "127.0.0.1";
    uint16_t firstPort = 0;  // shard i binds firstPort + i; 0: every shard an ephemeral port
    std::string announcedAddress;
  };

  // Generates the DTLS certificate and binds one socket per io_context. Throws std::system_error
  // (boost::system::system_error) naming the address when a port cannot be bound, and
  // std::invalid_argument when firstPort + shards - 1 is past 65535.
  WebRtcServerPool(const std::vector<boost::asio::io_context*>& shards, const Options& options);

  size_t size() const { return servers_.size(); }
  WebRtcServer& server(size_t shard) { return *servers_.at(shard); }
  const dtls::DtlsContext& dtlsContext() const { return *dtlsContext_; }

  // The pool's counters in the Prometheus text format, one series per shard (and per reason for
  // drops). Reads only atomics, so any thread may call it.
  std::string metricsText() const;

 private:
  // The sfu::Routers' counters of every shard (onair_sfu_*).
  void appendRouterMetrics(std::string& out) const;

  std::shared_ptr<const dtls::DtlsContext> dtlsContext_;
  std::vector<std::unique_ptr<WebRtcServer>> servers_;
};

}  // namespace onair::rtc
