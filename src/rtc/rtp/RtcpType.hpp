#pragma once
// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1) and the feedback message types (FMT, in the
// count field) this layer reads (RFC 4585 §6.2-6.3, RFC 5104 §4.3, draft-alvestrand-rmcat-remb,
// draft-holmer-rmcat-transport-wide-cc-extensions-01).
#include <cstdint>

namespace onair::rtc::rtp::rtcptype {

inline constexpr uint8_t SenderReport = 200;
inline constexpr uint8_t ReceiverReport = 201;
inline constexpr uint8_t SourceDescription = 202;
inline constexpr uint8_t Bye = 203;
inline constexpr uint8_t App = 204;
inline constexpr uint8_t TransportFeedback = 205;  // RTPFB
inline constexpr uint8_t PayloadFeedback = 206;    // PSFB

// RTPFB formats.
inline constexpr uint8_t GenericNack = 1;
inline constexpr uint8_t TransportWideCc = 15;
// PSFB formats.
inline constexpr uint8_t PictureLossIndication = 1;
inline constexpr uint8_t FullIntraRequest = 4;
inline constexpr uint8_t ApplicationLayer = 15;  // REMB lives here

}  // namespace onair::rtc::rtp::rtcptype
