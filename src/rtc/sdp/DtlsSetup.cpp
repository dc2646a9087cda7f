#include "rtc/sdp/DtlsSetup.hpp"

namespace onair::rtc::sdp {

std::string_view setupName(DtlsSetup setup) {
  switch (setup) {
    case DtlsSetup::ActPass: return "actpass";
    case DtlsSetup::Active: return "active";
    case DtlsSetup::Passive: return "passive";
    case DtlsSetup::HoldConn: return "holdconn";
  }
  return "actpass";
}

std::optional<DtlsSetup> parseSetup(std::string_view name) {
  for (DtlsSetup s : {DtlsSetup::ActPass, DtlsSetup::Active, DtlsSetup::Passive, DtlsSetup::HoldConn}) {
    if (setupName(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace onair::rtc::sdp
