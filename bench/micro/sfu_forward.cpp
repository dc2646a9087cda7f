// The SFU's per-packet forward path (sfu::Router::forward), piece by piece as the Router does it:
// parse the publisher's packet once, then for each of N consumers copy it into one scratch
// buffer, rewrite ssrc / payload type / seq / timestamp / extension ids in place and SRTP-protect
// it. Run: ./build/bench/micro/micro_sfu_forward
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <memory>
#include <vector>

#include "rtc/rtp/ExtensionIdMap.hpp"
#include "rtc/rtp/RtpPacket.hpp"
#include "rtc/rtp/SequenceNumberRewriter.hpp"
#include "rtc/srtp/SrtpProfile.hpp"
#include "rtc/srtp/SrtpSession.hpp"

namespace {

using namespace onair::rtc;

// A 1,200-byte VP8 packet with a one-byte-form extension block (mid, abs-send-time, audio level).
std::vector<uint8_t> videoPacket() {
  std::vector<uint8_t> p = {0x90, 96, 0x10, 0x00, 0, 0, 0x10, 0, 0, 0, 0x11, 0x11,
                            0xBE, 0xDE, 0, 3, 0x40, '0', 0x32, 1, 2, 3, 0x10, 0x7F, 0, 0, 0, 0};
  p.resize(1200, 0xAB);
  return p;
}

void ForwardToConsumers(benchmark::State& state) {
  const size_t consumers = size_t(state.range(0));
  auto original = videoPacket();
  std::vector<std::unique_ptr<srtp::SrtpSession>> sessions;
  std::vector<rtp::SequenceNumberRewriter> rewriters;
  const std::vector<uint8_t> key(srtp::SrtpProfileInfo::masterBytes(srtp::SrtpProfile::AeadAes128Gcm), 7);
  for (size_t i = 0; i < consumers; ++i) {
    sessions.push_back(srtp::SrtpSession::create(srtp::SrtpSession::Direction::Outbound, srtp::SrtpProfile::AeadAes128Gcm, key));
    rewriters.emplace_back(90000);
  }
  rtp::ExtensionIdMap map;  // everything but audio level dropped
  map.set(1, 1);
  std::array<uint8_t, rtp::RtpPacket::kMaxBytes + srtp::SrtpSession::kMaxTrailerBytes> scratch{};
  uint16_t seq = 0;
  int64_t nowMs = 0;
  for (auto _ : state) {
    auto packet = rtp::RtpPacket::parse(original);
    packet->setSequenceNumber(++seq);
    ++nowMs;
    for (size_t i = 0; i < consumers; ++i) {
      const auto out = rewriters[i].rewrite(packet->sequenceNumber(), packet->timestamp(), nowMs);
      std::memcpy(scratch.data(), original.data(), original.size());
      auto copy = rtp::RtpPacket::parse(std::span(scratch).first(original.size()));
      copy->setSsrc(uint32_t(0x1000 + i));
      copy->setPayloadType(100);
      copy->setSequenceNumber(out->seq);
      copy->setTimestamp(out->timestamp);
      copy->remapExtensionIds(map);
      size_t length = original.size();
      sessions[i]->protectRtp(scratch, length);
      benchmark::DoNotOptimize(length);
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations() * consumers));
  state.SetBytesProcessed(int64_t(state.iterations() * consumers * original.size()));
}
BENCHMARK(ForwardToConsumers)->Arg(1)->Arg(10)->Arg(100);

}  // namespace
