// Differential tests against aiortc 1.4 (Debian's python3-aiortc), an RTP stack onair shares no
// code with (aiortc_rtp.py is its side):
//   - RTP and RTCP packets aiortc serialises from a seeded generator parse here to the fields
//     aiortc put in (header, CSRCs, payload, padding, RFC 8285 extensions; SR, RR, SDES CNAME,
//     BYE, NACK, PLI, REMB);
//   - RTCP compounds RtcpWriter writes (SR, RR, NACK, PLI, FIR) parse in aiortc to the fields
//     written;
//   - KeyframeDetector finds the keyframes in what aiortc's VP8 and H.264 encoders packetise.
// Skipped when /usr/bin/python3 has no aiortc (apt install python3-aiortc).
#include <gtest/gtest.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "RtpTestData.hpp"
#include "rtc/rtp/ByePacket.hpp"
#include "rtc/rtp/KeyframeDetector.hpp"
#include "rtc/rtp/NackPacket.hpp"
#include "rtc/rtp/PliPacket.hpp"
#include "rtc/rtp/RembPacket.hpp"
#include "rtc/rtp/RtcpCompound.hpp"
#include "rtc/rtp/RtcpWriter.hpp"
#include "rtc/rtp/RtpPacket.hpp"
#include "rtc/rtp/SdesPacket.hpp"

using namespace onair::rtc::rtp;
using namespace onair::rtc::rtp::testdata;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

const fs::path kScript = fs::path(ONAIR_SOURCE_DIR) / "tests/unit/rtc/rtp/aiortc_rtp.py";
constexpr int kSeed = 20261205;
constexpr int kCount = 300;

bool haveAiortc() { return std::system("/usr/bin/python3 -c 'import aiortc' >/dev/null 2>&1") == 0; }

// The standard output of `command`, and its exit status.
std::string run(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> chunk{};
  while (size_t n = fread(chunk.data(), 1, chunk.size(), pipe)) out.append(chunk.data(), n);
  status = pclose(pipe);
  return out;
}

std::vector<json::object> jsonLines(const std::string& text) {
  std::vector<json::object> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(json::parse(line).as_object());
  }
  return lines;
}

int64_t num(const json::value& v) { return v.to_number<int64_t>(); }
uint32_t u32(const json::value& v) { return static_cast<uint32_t>(num(v)); }

void expectReports(const std::vector<ReportBlock>& reports, const json::value& expected) {
  const auto& list = expected.as_array();
  ASSERT_EQ(reports.size(), list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& r = list[i].as_array();
    EXPECT_EQ(reports[i].ssrc, u32(r[0]));
    EXPECT_EQ(reports[i].fractionLost, num(r[1]));
    EXPECT_EQ(reports[i].cumulativeLost, num(r[2]));
    EXPECT_EQ(reports[i].highestSequence, u32(r[3]));
    EXPECT_EQ(reports[i].jitter, u32(r[4]));
    EXPECT_EQ(reports[i].lastSr, u32(r[5]));
    EXPECT_EQ(reports[i].delaySinceLastSr, u32(r[6]));
  }
}

void expectRtp(const json::object& e) {
  auto bytes = hex(e.at("hex").as_string());
  RtpPacket::ParseError error;
  const auto p = RtpPacket::parse(bytes, error);
  ASSERT_TRUE(p) << RtpPacket::describe(error);
  EXPECT_EQ(p->payloadType(), num(e.at("pt")));
  EXPECT_EQ(p->marker(), num(e.at("marker")) != 0);
  EXPECT_EQ(p->sequenceNumber(), num(e.at("seq")));
  EXPECT_EQ(p->timestamp(), u32(e.at("ts")));
  EXPECT_EQ(p->ssrc(), u32(e.at("ssrc")));
  const auto& csrcs = e.at("csrc").as_array();
  ASSERT_EQ(p->csrcCount(), csrcs.size());
  for (size_t i = 0; i < csrcs.size(); ++i) EXPECT_EQ(p->csrc(i), u32(csrcs[i]));
  EXPECT_EQ(toHex(p->payload().data(), p->payload().size()), e.at("payload").as_string());
  EXPECT_EQ(p->paddingBytes(), size_t(num(e.at("padding"))));
  const auto& ext = e.at("ext").as_array();
  if (ext.empty()) {
    EXPECT_EQ(p->extensionForm(), RtpPacket::ExtensionForm::None);
    return;
  }
  EXPECT_EQ(p->extensionProfile(), num(e.at("profile")));
  for (const auto& element : ext) {
    const auto id = uint8_t(num(element.as_array()[0]));
    const auto found = p->extension(id);
    ASSERT_TRUE(found) << "extension id " << int(id);
    EXPECT_EQ(toHex(found->data(), found->size()), element.as_array()[1].as_string()) << "extension id " << int(id);
  }
}

void expectRtcpPacket(const RtcpPacketView& view, const json::object& e) {
  const std::string type(e.at("type").as_string());
  if (type == "sr") {
    const auto sr = SenderReport::parse(view);
    ASSERT_TRUE(sr);
    EXPECT_EQ(sr->ssrc, u32(e.at("ssrc")));
    EXPECT_EQ(sr->ntpTimestamp, std::stoull(std::string(e.at("ntp").as_string())));
    EXPECT_EQ(sr->rtpTimestamp, u32(e.at("rtp")));
    EXPECT_EQ(sr->packetCount, u32(e.at("packets")));
    EXPECT_EQ(sr->octetCount, u32(e.at("octets")));
    expectReports(sr->reports, e.at("reports"));
  } else if (type == "rr") {
    const auto rr = ReceiverReport::parse(view);
    ASSERT_TRUE(rr);
    EXPECT_EQ(rr->ssrc, u32(e.at("ssrc")));
    expectReports(rr->reports, e.at("reports"));
  } else if (type == "sdes") {
    const auto sdes = SdesPacket::parse(view);
    ASSERT_TRUE(sdes);
    ASSERT_EQ(sdes->chunks.size(), 1u);
    const auto& chunk = e.at("chunks").as_array()[0].as_array();
    EXPECT_EQ(sdes->chunks[0].ssrc, u32(chunk[0]));
    EXPECT_EQ(sdes->chunks[0].cname, chunk[1].as_string());
  } else if (type == "bye") {
    const auto bye = ByePacket::parse(view);
    ASSERT_TRUE(bye);
    const auto& ssrcs = e.at("ssrcs").as_array();
    ASSERT_EQ(bye->ssrcs.size(), ssrcs.size());
    for (size_t i = 0; i < ssrcs.size(); ++i) EXPECT_EQ(bye->ssrcs[i], u32(ssrcs[i]));
  } else if (type == "nack") {
    const auto nack = NackPacket::parse(view);
    ASSERT_TRUE(nack);
    EXPECT_EQ(nack->senderSsrc, u32(e.at("sender")));
    EXPECT_EQ(nack->mediaSsrc, u32(e.at("media")));
    std::vector<uint16_t> lost;
    for (const auto& seq : e.at("lost").as_array()) lost.push_back(uint16_t(num(seq)));
    EXPECT_EQ(nack->lost, lost);
  } else if (type == "pli") {
    const auto pli = PliPacket::parse(view);
    ASSERT_TRUE(pli);
    EXPECT_EQ(pli->senderSsrc, u32(e.at("sender")));
    EXPECT_EQ(pli->mediaSsrc, u32(e.at("media")));
  } else if (type == "remb") {
    const auto remb = RembPacket::parse(view);
    ASSERT_TRUE(remb);
    EXPECT_EQ(remb->senderSsrc, u32(e.at("sender")));
    EXPECT_EQ(remb->bitrate, uint64_t(num(e.at("bitrate"))));
    const auto& ssrcs = e.at("ssrcs").as_array();
    ASSERT_EQ(remb->ssrcs.size(), ssrcs.size());
    for (size_t i = 0; i < ssrcs.size(); ++i) EXPECT_EQ(remb->ssrcs[i], u32(ssrcs[i]));
  } else {
    ADD_FAILURE() << "unexpected type " << type;
  }
}

void expectRtcp(const json::object& e) {
  const auto bytes = hex(e.at("hex").as_string());
  const auto& packets = e.at("packets").as_array();
  RtcpCompound compound(bytes);
  for (const auto& expected : packets) {
    const auto view = compound.next();
    ASSERT_TRUE(view) << RtcpCompound::describe(compound.error());
    expectRtcpPacket(*view, expected.as_object());
  }
  EXPECT_FALSE(compound.next());
  EXPECT_EQ(compound.error(), RtcpCompound::Error::None);
}

// What RtcpWriter was asked to write, in the shape aiortc_rtp.py describes packets.
struct Written {
  std::string hex;
  json::array packets;
};

json::array reportsJson(const std::vector<ReportBlock>& reports) {
  json::array out;
  for (const auto& r : reports) {
    out.push_back(json::array{r.ssrc, r.fractionLost, r.cumulativeLost, r.highestSequence, r.jitter, r.lastSr,
                              r.delaySinceLastSr});
  }
  return out;
}

Written writeRandomCompound(std::mt19937& rng) {
  std::array<uint8_t, 1500> buffer{};
  RtcpWriter writer(buffer);
  Written w;
  const auto u32 = [&] { return uint32_t(rng()); };
  const auto blocks = [&] {
    std::vector<ReportBlock> reports(rng() % 4);
    for (auto& r : reports) {
      r = {u32(), uint8_t(rng()), int32_t(rng() % 0x1000000) - 0x800000, u32(), u32(), u32(), u32()};
    }
    return reports;
  };
  for (size_t n = 1 + rng() % 4; n > 0; --n) {
    switch (rng() % 5) {
      case 0: {
        SenderReport sr{u32(), (uint64_t(u32()) << 32) | u32(), u32(), u32(), u32(), blocks()};
        EXPECT_GT(writer.senderReport(sr), 0u);
        w.packets.push_back({{"type", "sr"}, {"ssrc", sr.ssrc}, {"ntp", std::to_string(sr.ntpTimestamp)},
                             {"rtp", sr.rtpTimestamp}, {"packets", sr.packetCount}, {"octets", sr.octetCount},
                             {"reports", reportsJson(sr.reports)}});
        break;
      }
      case 1: {
        ReceiverReport rr{u32(), blocks()};
        EXPECT_GT(writer.receiverReport(rr), 0u);
        w.packets.push_back({{"type", "rr"}, {"ssrc", rr.ssrc}, {"reports", reportsJson(rr.reports)}});
        break;
      }
      case 2: {
        // Ascending, no wrap: aiortc expands BLP without wrapping past 65535.
        NackPacket nack{u32(), u32(), {}};
        uint16_t seq = uint16_t(rng() % 60000);
        for (size_t k = 1 + rng() % 20; k > 0; --k) nack.lost.push_back(seq += uint16_t(1 + rng() % 30));
        EXPECT_GT(writer.nack(nack), 0u);
        json::array lost(nack.lost.begin(), nack.lost.end());
        w.packets.push_back({{"type", "rtpfb"}, {"fmt", 1}, {"sender", nack.senderSsrc}, {"media", nack.mediaSsrc},
                             {"lost", lost}});
        break;
      }
      case 3: {
        PliPacket pli{u32(), u32()};
        EXPECT_GT(writer.pli(pli), 0u);
        w.packets.push_back(
            {{"type", "psfb"}, {"fmt", 1}, {"sender", pli.senderSsrc}, {"media", pli.mediaSsrc}, {"fci", ""}});
        break;
      }
      default: {
        FirPacket fir{u32(), {}};
        std::vector<uint8_t> fci;
        for (size_t k = 1 + rng() % 3; k > 0; --k) {
          fir.entries.push_back({u32(), uint8_t(rng())});
          const auto& e = fir.entries.back();
          fci.insert(fci.end(), {uint8_t(e.ssrc >> 24), uint8_t(e.ssrc >> 16), uint8_t(e.ssrc >> 8), uint8_t(e.ssrc),
                                 e.sequenceNumber, 0, 0, 0});
        }
        EXPECT_GT(writer.fir(fir), 0u);
        w.packets.push_back({{"type", "psfb"}, {"fmt", 4}, {"sender", fir.senderSsrc}, {"media", 0},
                             {"fci", toHex(fci.data(), fci.size())}});
        break;
      }
    }
  }
  w.hex = toHex(writer.written().data(), writer.size());
  return w;
}

}  // namespace

TEST(AiortcRtpInterop, ParsesWhatAiortcSerialises) {
  if (!haveAiortc()) GTEST_SKIP() << "aiortc is not installed for /usr/bin/python3 (apt install python3-aiortc)";
  int status = -1;
  const auto output =
      run("/usr/bin/python3 " + kScript.string() + " generate " + std::to_string(kSeed) + " " + std::to_string(kCount),
          status);
  ASSERT_EQ(status, 0) << output;
  const auto lines = jsonLines(output);
  ASSERT_EQ(lines.size(), size_t(2 * kCount));
  size_t rtp = 0, rtcp = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1) + ": " + std::string(lines[i].at("hex").as_string()).substr(0, 160));
    if (lines[i].at("kind").as_string() == "rtp") {
      expectRtp(lines[i]);
      ++rtp;
    } else {
      expectRtcp(lines[i]);
      ++rtcp;
    }
  }
  EXPECT_EQ(rtp, size_t(kCount));
  EXPECT_EQ(rtcp, size_t(kCount));
}

TEST(AiortcRtpInterop, AiortcParsesWhatRtcpWriterWrites) {
  if (!haveAiortc()) GTEST_SKIP() << "aiortc is not installed for /usr/bin/python3 (apt install python3-aiortc)";
  std::mt19937 rng(kSeed);
  std::vector<Written> written;
  const fs::path file = fs::temp_directory_path() / ("onair-rtcp-" + std::to_string(std::random_device{}()) + ".hex");
  {
    std::ofstream out(file);
    for (int i = 0; i < kCount; ++i) {
      written.push_back(writeRandomCompound(rng));
      out << written.back().hex << "\n";
    }
  }
  int status = -1;
  const auto output = run("/usr/bin/python3 " + kScript.string() + " parse " + file.string(), status);
  fs::remove(file);
  ASSERT_EQ(status, 0) << output;
  const auto lines = jsonLines(output);
  ASSERT_EQ(lines.size(), written.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE("compound " + std::to_string(i + 1) + ": " + written[i].hex);
    ASSERT_FALSE(lines[i].contains("error")) << lines[i].at("error").as_string();
    const auto& parsed = lines[i].at("packets").as_array();
    ASSERT_EQ(parsed.size(), written[i].packets.size());
    for (size_t k = 0; k < parsed.size(); ++k) EXPECT_EQ(parsed[k], written[i].packets[k]) << "packet " << k;
  }
}

TEST(AiortcRtpInterop, DetectsKeyframesInWhatAiortcsEncodersSend) {
  if (!haveAiortc()) GTEST_SKIP() << "aiortc is not installed for /usr/bin/python3 (apt install python3-aiortc)";
  int status = -1;
  const auto output = run("/usr/bin/python3 " + kScript.string() + " video 12 2>/dev/null", status);
  ASSERT_EQ(status, 0) << output;
  const auto lines = jsonLines(output);
  ASSERT_EQ(lines.size(), 24u);
  for (const auto& line : lines) {
    const bool vp8 = line.at("codec").as_string() == "vp8";
    const auto frame = num(line.at("frame"));
    const bool key = frame == 0 || line.at("forced").as_bool();
    SCOPED_TRACE(std::string(line.at("codec").as_string()) + " frame " + std::to_string(frame));
    const auto& payloads = line.at("payloads").as_array();
    ASSERT_FALSE(payloads.empty());
    std::vector<bool> found;
    for (const auto& payload : payloads) {
      found.push_back(KeyframeDetector::isKeyframe(vp8 ? VideoCodec::Vp8 : VideoCodec::H264, hex(payload.as_string())));
    }
    if (vp8) {
      // Only the first packet of a keyframe starts it (S = 1, partition 0, P = 0).
      EXPECT_EQ(found[0], key);
      for (size_t i = 1; i < found.size(); ++i) EXPECT_FALSE(found[i]) << "packet " << i;
    } else if (frame == 0) {
      // SPS and PPS in a STAP-A, then the IDR in FU-A fragments.
      EXPECT_TRUE(found[0]);
    } else if (!key) {
      for (size_t i = 0; i < found.size(); ++i) EXPECT_FALSE(found[i]) << "packet " << i;
    }
    // aiortc 1.4 forces an H.264 keyframe as an I-frame without IDR, which no receiver can start
    // decoding at; those frames are not asserted.
  }
}
