#include "rtc/rtp/RtcpCompound.hpp"

#include "rtc/rtp/BigEndian.hpp"

namespace onair::rtc::rtp {

RtcpCompound::RtcpCompound(std::span<const uint8_t> bytes) : rest_(bytes) {
  if (bytes.empty()) error_ = Error::TooShort;
  else if (bytes.size() > kMaxBytes) error_ = Error::TooLong;
}

std::optional<RtcpPacketView> RtcpCompound::next() {
  // Stopped, or at the end.
  if (error_ != Error::None || rest_.empty()) return std::nullopt;
  // Header: size, version, a length that fits.
  if (rest_.size() < RtcpPacketView::kHeaderBytes) error_ = Error::TooShort;
  else if ((rest_[0] >> 6) != 2) error_ = Error::BadVersion;
  if (error_ != Error::None) return std::nullopt;
  const size_t size = 4 * (size_t(read16(&rest_[2])) + 1);
  if (size > rest_.size()) {
    error_ = Error::BadLength;
    return std::nullopt;
  }
  RtcpPacketView view;
  view.type = rest_[1];
  view.count = rest_[0] & 0x1F;
  view.bytes = rest_.first(size);
  // Padding: its count is the packet's last byte and must fit in the body.
  size_t padding = 0;
  if ((rest_[0] & 0x20) != 0) {
    padding = view.bytes.back();
    if (padding == 0 || padding > size - RtcpPacketView::kHeaderBytes) {
      error_ = Error::BadPadding;
      return std::nullopt;
    }
  }
  view.body = view.bytes.subspan(RtcpPacketView::kHeaderBytes, size - RtcpPacketView::kHeaderBytes - padding);
  rest_ = rest_.subspan(size);
  return view;
}

std::string_view RtcpCompound::describe(Error error) {
  switch (error) {
    case Error::None: return "ok";
    case Error::TooShort: return "less than an RTCP header";
    case Error::TooLong: return "compound packet longer than 1500 bytes";
    case Error::BadVersion: return "RTCP version is not 2";
    case Error::BadLength: return "RTCP length runs past the compound packet";
    case Error::BadPadding: return "RTCP padding count is 0 or larger than the packet";
  }
  return "unknown";
}

}  // namespace onair::rtc::rtp
