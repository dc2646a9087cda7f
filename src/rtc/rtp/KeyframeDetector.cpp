#include "rtc/rtp/KeyframeDetector.hpp"

#include "rtc/rtp/BigEndian.hpp"

namespace onair::rtc::rtp {

namespace {

constexpr uint8_t kH264Idr = 5;
constexpr uint8_t kH264Sps = 7;
constexpr uint8_t kH264StapA = 24;
constexpr uint8_t kH264FuA = 28;

bool isKeyNal(uint8_t nalType) { return nalType == kH264Idr || nalType == kH264Sps; }

// The size of a PictureID starting with `first`: 2 bytes when its M bit is set.
size_t pictureIdBytes(uint8_t first) { return (first & 0x80) != 0 ? 2 : 1; }

}  // namespace

bool KeyframeDetector::isKeyframe(VideoCodec codec, std::span<const uint8_t> payload) {
  switch (codec) {
    case VideoCodec::Vp8: return isVp8Keyframe(payload);
    case VideoCodec::Vp9: return isVp9Keyframe(payload);
    case VideoCodec::H264: return isH264Keyframe(payload);
  }
  return false;
}

bool KeyframeDetector::isVp8Keyframe(std::span<const uint8_t> payload) {
  // Required byte: S = 1 and PID = 0, the start of the first partition.
  if (payload.empty()) return false;
  const uint8_t first = payload[0];
  if ((first & 0x10) == 0 || (first & 0x07) != 0) return false;
  size_t pos = 1;
  // Extended control bits and the optional fields they announce.
  if ((first & 0x80) != 0) {
    if (pos >= payload.size()) return false;
    const uint8_t extended = payload[pos++];
    if ((extended & 0x80) != 0) {
      if (pos >= payload.size()) return false;
      pos += pictureIdBytes(payload[pos]);
    }
    if ((extended & 0x40) != 0) ++pos;         // TL0PICIDX
    if ((extended & 0x30) != 0) ++pos;         // TID|Y|KEYIDX
  }
  // The VP8 payload header: its P bit is 0 on a keyframe.
  if (pos >= payload.size()) return false;
  return (payload[pos] & 0x01) == 0;
}

bool KeyframeDetector::isVp9Keyframe(std::span<const uint8_t> payload) {
  // P = 0 (not inter-predicted) and B = 1 (start of a frame).
  if (payload.empty()) return false;
  const uint8_t first = payload[0];
  if ((first & 0x40) != 0 || (first & 0x08) == 0) return false;
  if ((first & 0x20) == 0) return true;
  // Layer indices present: only spatial layer 0 starts a keyframe.
  size_t pos = 1;
  if ((first & 0x80) != 0) {
    if (pos >= payload.size()) return false;
    pos += pictureIdBytes(payload[pos]);
  }
  if (pos >= payload.size()) return false;
  const uint8_t spatialId = (payload[pos] >> 1) & 0x07;
  return spatialId == 0;
}

bool KeyframeDetector::isH264Keyframe(std::span<const uint8_t> payload) {
  if (payload.empty()) return false;
  const uint8_t nalType = payload[0] & 0x1F;
  // FU-A: the first fragment (S = 1) of a key NAL.
  if (nalType == kH264FuA) {
    return payload.size() >= 2 && (payload[1] & 0x80) != 0 && isKeyNal(payload[1] & 0x1F);
  }
  if (nalType != kH264StapA) return isKeyNal(nalType);
  // STAP-A: NALs each behind a 16-bit size; any key NAL makes it a keyframe. A size running past
  // the payload ends the walk.
  for (size_t pos = 1; pos + 2 < payload.size();) {
    const size_t size = read16(&payload[pos]);
    pos += 2;
    if (size == 0 || pos + size > payload.size()) return false;
    if (isKeyNal(payload[pos] & 0x1F)) return true;
    pos += size;
  }
  return false;
}

}  // namespace onair::rtc::rtp
