#include "rtc/rtp/KeyframeDetector.hpp"

#include <gtest/gtest.h>

#include "RtpTestData.hpp"

using namespace onair::rtc::rtp;
using namespace onair::rtc::rtp::testdata;

namespace {

bool key(VideoCodec codec, std::string_view payloadHex) { return KeyframeDetector::isKeyframe(codec, hex(payloadHex)); }

}  // namespace

TEST(KeyframeDetector, Vp8KeyframeAtTheStartOfPartitionZero) {
  // RFC 7741 §4.2: X S, then I L T, a 15-bit PictureID, TL0PICIDX, TID; then the payload header
  // 0x50 (P = 0) and the keyframe start code 9d 01 2a.
  EXPECT_TRUE(key(VideoCodec::Vp8, "90 e0 81 23 05 40 50 2a 00 9d 01 2a"));
  EXPECT_TRUE(key(VideoCodec::Vp8, "10 50 2a 00 9d 01 2a"));      // no extension byte
  EXPECT_TRUE(key(VideoCodec::Vp8, "90 80 7f 50 2a 00 9d 01 2a"));  // 7-bit PictureID
  EXPECT_TRUE(key(VideoCodec::Vp8, "90 10 40 50"));               // K without T still adds the byte
}

TEST(KeyframeDetector, Vp8NotAKeyframe) {
  EXPECT_FALSE(key(VideoCodec::Vp8, "90 e0 81 23 05 40 51 2a 00"));  // P = 1: an interframe
  EXPECT_FALSE(key(VideoCodec::Vp8, "80 e0 81 23 05 40 50 2a 00"));  // S = 0: a continuation
  EXPECT_FALSE(key(VideoCodec::Vp8, "11 50 2a 00"));                 // partition 1
  EXPECT_FALSE(key(VideoCodec::Vp8, "90 e0 81 23 05 40"));           // descriptor only
  EXPECT_FALSE(key(VideoCodec::Vp8, "90 e0 81"));                    // cut inside the descriptor
  EXPECT_FALSE(key(VideoCodec::Vp8, "90"));
  EXPECT_FALSE(key(VideoCodec::Vp8, ""));
}

TEST(KeyframeDetector, Vp9KeyframeIsNotPredictedAndStartsAFrame) {
  EXPECT_TRUE(key(VideoCodec::Vp9, "08 00"));           // B only
  EXPECT_TRUE(key(VideoCodec::Vp9, "8e 81 23 00"));     // I B E V: PictureID, no layer indices
  EXPECT_TRUE(key(VideoCodec::Vp9, "a8 81 23 00 05"));  // L: spatial layer 0
  EXPECT_FALSE(key(VideoCodec::Vp9, "a8 81 23 02 05"));  // L: spatial layer 1
  EXPECT_FALSE(key(VideoCodec::Vp9, "48 00"));          // P = 1
  EXPECT_FALSE(key(VideoCodec::Vp9, "04 00"));          // not the start of a frame
  EXPECT_FALSE(key(VideoCodec::Vp9, "a8 81"));          // cut before the layer byte
  EXPECT_FALSE(key(VideoCodec::Vp9, "a8"));
  EXPECT_FALSE(key(VideoCodec::Vp9, ""));
}

TEST(KeyframeDetector, H264SingleNalIdrOrSps) {
  EXPECT_TRUE(key(VideoCodec::H264, "65 88 84 00"));  // IDR slice
  EXPECT_TRUE(key(VideoCodec::H264, "67 42 c0 1f"));  // SPS
  EXPECT_FALSE(key(VideoCodec::H264, "41 9a 02"));    // non-IDR slice
  EXPECT_FALSE(key(VideoCodec::H264, "68 ce 3c 80"));  // PPS
  EXPECT_FALSE(key(VideoCodec::H264, ""));
}

TEST(KeyframeDetector, H264StapAWithAKeyNal) {
  // RFC 6184 §5.7.1: 24, then 16-bit sizes before each NAL.
  EXPECT_TRUE(key(VideoCodec::H264, "78 00 04 67 42 c0 1f 00 02 68 ce 00 03 65 88 84"));
  EXPECT_TRUE(key(VideoCodec::H264, "78 00 02 68 ce 00 02 65 88"));
  EXPECT_FALSE(key(VideoCodec::H264, "78 00 02 68 ce 00 02 41 9a"));
  EXPECT_FALSE(key(VideoCodec::H264, "78 00 09 67 42"));  // size past the payload
  EXPECT_FALSE(key(VideoCodec::H264, "78 00 00 67 42"));  // an empty NAL
  EXPECT_FALSE(key(VideoCodec::H264, "78 00"));
}

TEST(KeyframeDetector, H264FuAStartOfAnIdr) {
  // RFC 6184 §5.8: 28, then |S|E|R|Type|.
  EXPECT_TRUE(key(VideoCodec::H264, "7c 85 88 84"));   // S, IDR
  EXPECT_FALSE(key(VideoCodec::H264, "7c 05 88 84"));  // a middle fragment
  EXPECT_FALSE(key(VideoCodec::H264, "7c 45 88 84"));  // the end fragment
  EXPECT_FALSE(key(VideoCodec::H264, "7c 81 9a"));     // S, non-IDR
  EXPECT_FALSE(key(VideoCodec::H264, "7c"));
}
