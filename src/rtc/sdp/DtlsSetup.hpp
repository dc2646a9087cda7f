#pragma once
// a=setup (RFC 4145 §4, RFC 8842 §5): which side of the DTLS association opens it. An offer says
// actpass; an SFU answers passive and waits for the peer's ClientHello.
#include <cstdint>
#include <optional>
#include <string_view>

namespace onair::rtc::sdp {

enum class DtlsSetup : uint8_t { ActPass, Active, Passive, HoldConn };

// "actpass", "active", "passive", "holdconn".
std::string_view setupName(DtlsSetup setup);
std::optional<DtlsSetup> parseSetup(std::string_view name);

}  // namespace onair::rtc::sdp
