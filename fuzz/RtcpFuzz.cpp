// fuzz_rtcp: RTCP compound packets from the network (RFC 3550 §6, RFC 4585, RFC 5104, REMB,
// transport-wide-cc) through the compound walk and every parser. Invariants:
//   - the walk never reads past the input, returns packets that tile the input from its start
//     (each body inside its packet), and on stopping early says why;
//   - every parser runs on every packet without reading past it, and the views it returns (CNAME,
//     BYE reason, transport-cc chunks) lie inside the packet;
//   - what parses as SR, RR, NACK, PLI or FIR is written again by RtcpWriter into a packet that
//     walks cleanly and parses to the same fields (for NACK the same set of sequence numbers).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string_view>

#include "rtc/rtp/ByePacket.hpp"
#include "rtc/rtp/FirPacket.hpp"
#include "rtc/rtp/NackPacket.hpp"
#include "rtc/rtp/PliPacket.hpp"
#include "rtc/rtp/ReceiverReport.hpp"
#include "rtc/rtp/RembPacket.hpp"
#include "rtc/rtp/RtcpCompound.hpp"
#include "rtc/rtp/RtcpWriter.hpp"
#include "rtc/rtp/SdesPacket.hpp"
#include "rtc/rtp/SenderReport.hpp"
#include "rtc/rtp/TransportCcPacket.hpp"
#include "FuzzCheck.hpp"

using namespace onair::rtc::rtp;

namespace {

bool inside(std::span<const uint8_t> part, std::span<const uint8_t> whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool inside(std::string_view part, std::span<const uint8_t> whole) {
  return inside(std::span(reinterpret_cast<const uint8_t*>(part.data()), part.size()), whole) || part.empty();
}

// Writes one packet with `write`, then walks the result: exactly one clean packet.
template <typename Write>
RtcpPacketView rewritten(std::array<uint8_t, 2 * RtcpCompound::kMaxBytes>& buffer, Write&& write) {
  RtcpWriter writer(buffer);
  const size_t size = write(writer);
  check(size > 0 && size == writer.size() && size % 4 == 0);
  RtcpCompound compound(writer.written().first(std::min(size, RtcpCompound::kMaxBytes)));
  const auto view = compound.next();
  check(view.has_value() && !compound.next() && compound.error() == RtcpCompound::Error::None);
  return *view;
}

void checkParsers(const RtcpPacketView& view) {
  std::array<uint8_t, 2 * RtcpCompound::kMaxBytes> buffer{};
  if (const auto sr = SenderReport::parse(view)) {
    check(sr->reports.size() == view.count);
    const auto again = SenderReport::parse(rewritten(buffer, [&](RtcpWriter& w) { return w.senderReport(*sr); }));
    check(again && again->ssrc == sr->ssrc && again->ntpTimestamp == sr->ntpTimestamp);
    check(again->rtpTimestamp == sr->rtpTimestamp && again->packetCount == sr->packetCount);
    check(again->octetCount == sr->octetCount && again->reports == sr->reports);
  }
  if (const auto rr = ReceiverReport::parse(view)) {
    check(rr->reports.size() == view.count);
    const auto again = ReceiverReport::parse(rewritten(buffer, [&](RtcpWriter& w) { return w.receiverReport(*rr); }));
    check(again && again->ssrc == rr->ssrc && again->reports == rr->reports);
  }
  if (const auto nack = NackPacket::parse(view)) {
    check(!nack->lost.empty() && nack->lost.size() <= 17 * (view.body.size() / 4));
    const auto again = NackPacket::parse(rewritten(buffer, [&](RtcpWriter& w) { return w.nack(*nack); }));
    check(again && again->senderSsrc == nack->senderSsrc && again->mediaSsrc == nack->mediaSsrc);
    check(std::set(again->lost.begin(), again->lost.end()) == std::set(nack->lost.begin(), nack->lost.end()));
  }
  if (const auto pli = PliPacket::parse(view)) {
    const auto again = PliPacket::parse(rewritten(buffer, [&](RtcpWriter& w) { return w.pli(*pli); }));
    check(again && again->senderSsrc == pli->senderSsrc && again->mediaSsrc == pli->mediaSsrc);
  }
  if (const auto fir = FirPacket::parse(view)) {
    const auto again = FirPacket::parse(rewritten(buffer, [&](RtcpWriter& w) { return w.fir(*fir); }));
    check(again && again->senderSsrc == fir->senderSsrc && again->entries == fir->entries);
  }
  if (const auto sdes = SdesPacket::parse(view)) {
    check(sdes->chunks.size() == view.count);
    for (const auto& chunk : sdes->chunks) check(inside(chunk.cname, view.body));
  }
  if (const auto bye = ByePacket::parse(view)) {
    check(bye->ssrcs.size() == view.count && inside(bye->reason, view.body));
  }
  if (const auto remb = RembPacket::parse(view)) check(remb->ssrcs.size() <= 255);
  if (const auto cc = TransportCcPacket::parse(view)) check(inside(cc->chunks, view.body));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  RtcpCompound compound(bytes);
  size_t offset = 0;
  while (const auto view = compound.next()) {
    check(view->bytes.data() == data + offset && view->bytes.size() >= RtcpPacketView::kHeaderBytes);
    check(view->bytes.size() % 4 == 0 && inside(view->body, view->bytes));
    check(view->body.data() == view->bytes.data() + RtcpPacketView::kHeaderBytes);
    offset += view->bytes.size();
    checkParsers(*view);
  }
  check(offset <= size);
  check((compound.error() == RtcpCompound::Error::None) == (offset == size && size > 0 && size <= RtcpCompound::kMaxBytes));
  return 0;
}
