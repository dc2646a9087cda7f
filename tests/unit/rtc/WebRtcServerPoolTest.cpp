// WebRtcServerPool's /metrics text: one series per shard, the SFU routers' counters included.
#include "rtc/WebRtcServerPool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

using namespace onair::rtc;

TEST(WebRtcServerPoolTest, ExportsTheRoutersCountersPerShard) {
  boost::asio::io_context first, second;
  WebRtcServerPool pool({&first, &second}, WebRtcServerPool::Options{});
  sfu::RouterCounters& counters = pool.server(1).routerCounters();
  sfu::RouterCounters::add(counters.rtpForwarded, 3);
  counters.drop(sfu::RouterCounters::Drop::UnknownSsrc);
  const auto text = pool.metricsText();
  EXPECT_NE(text.find("# TYPE onair_sfu_rtp_forwarded_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("onair_sfu_rtp_forwarded_total{shard=\"0\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("onair_sfu_rtp_forwarded_total{shard=\"1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("onair_sfu_packets_dropped_total{shard=\"1\",reason=\"unknown_ssrc\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("onair_sfu_packets_dropped_total{shard=\"0\",reason=\"send_failed\"} 0\n"), std::string::npos);
}
