#include "rtc/WebRtcCounters.hpp"

#include <spdlog/spdlog.h>

#include <string>

namespace onair::rtc {

using Verdict = ice::IceLiteResponder::Verdict;
using SrtpError = srtp::SrtpSession::Error;

void WebRtcCounters::drop(Drop reason, std::string_view detail) {
  add(drops[size_t(reason)]);
  logRateLimited(size_t(reason), name(reason), detail);
}

void WebRtcCounters::stunRejectedBy(Verdict verdict) {
  add(drops[size_t(Drop::StunRejected)]);
  add(stunRejected[size_t(verdict)]);
  logRateLimited(kDropReasons + size_t(verdict), "stun_rejected", ice::IceLiteResponder::name(verdict));
}

void WebRtcCounters::srtpFailed(SrtpError error, std::string_view what) {
  add(drops[size_t(Drop::SrtpFailed)]);
  add(srtpErrors[size_t(error)]);
  logRateLimited(kDropReasons + kVerdicts + size_t(error), what, srtp::SrtpSession::name(error));
}

void WebRtcCounters::dtlsFailed(std::string_view reason) {
  DtlsFailure failure = DtlsFailure::Other;
  if (reason == name(DtlsFailure::FingerprintMismatch)) failure = DtlsFailure::FingerprintMismatch;
  if (reason == name(DtlsFailure::HandshakeTimeout)) failure = DtlsFailure::HandshakeTimeout;
  add(dtlsFailureCounts[size_t(failure)]);
}

std::string_view WebRtcCounters::name(DtlsFailure failure) {
  switch (failure) {
    case DtlsFailure::FingerprintMismatch: return "fingerprint_mismatch";
    case DtlsFailure::HandshakeTimeout: return "handshake_timeout";
    case DtlsFailure::Other: return "other";
  }
  return "other";
}

void WebRtcCounters::logRateLimited(size_t slot, std::string_view reason, std::string_view detail) {
  ++sinceLogged_[slot];
  const auto now = std::chrono::steady_clock::now();
  if (lastLogged_[slot] != std::chrono::steady_clock::time_point{} && now - lastLogged_[slot] < kLogInterval) return;
  spdlog::info("rtc: dropped {} packet(s) [{}{}{}]", sinceLogged_[slot], reason, detail.empty() ? "" : ": ", detail);
  lastLogged_[slot] = now;
  sinceLogged_[slot] = 0;
}

void WebRtcCounters::forEachDrop(const std::function<void(std::string_view, uint64_t)>& visit) const {
  for (size_t i = 0; i < kDropReasons; ++i) {
    const auto reason = static_cast<Drop>(i);
    if (reason == Drop::StunRejected || reason == Drop::SrtpFailed) continue;  // broken down below
    visit(name(reason), dropped(reason));
  }
  for (size_t i = 0; i < kVerdicts; ++i) {
    const auto verdict = static_cast<Verdict>(i);
    if (verdict == Verdict::Answered) continue;
    visit("stun_" + std::string(ice::IceLiteResponder::name(verdict)), rejected(verdict));
  }
  for (size_t i = 0; i < kSrtpErrors; ++i) {
    const auto error = static_cast<SrtpError>(i);
    if (error == SrtpError::None) continue;
    visit("srtp_" + std::string(srtp::SrtpSession::name(error)), srtpFailures(error));
  }
}

std::string_view WebRtcCounters::name(Drop reason) {
  switch (reason) {
    case Drop::NotWebRtc: return "not_webrtc";
    case Drop::MalformedStun: return "malformed_stun";
    case Drop::UnknownUfrag: return "unknown_ufrag";
    case Drop::UnknownAddress: return "unknown_address";
    case Drop::StunRejected: return "stun_rejected";
    case Drop::DtlsRejected: return "dtls_rejected";
    case Drop::NotConnected: return "not_connected";
    case Drop::SrtpFailed: return "srtp_failed";
    case Drop::SendFailed: return "send_failed";
  }
  return "unknown";
}

}  // namespace onair::rtc
