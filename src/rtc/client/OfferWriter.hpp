#pragma once
// The offer a ClientTransport's peer connection makes, as a browser would write it (RFC 8829
// JSEP §5.2): one BUNDLE group over every section, rtcp-mux and rtcp-rsize, the client's ICE
// credentials and certificate fingerprint in each section, a=setup:actpass, and per track:
//   audio  opus/48000/2 (pt 111, minptime=10;useinbandfec=1), extensions mid + ssrc-audio-level
//   video  VP8/90000 (pt 96, nack, nack pli, ccm fir, goog-remb), extension mid
// A sending track is sendonly with a=msid and a=ssrc (cname, msid); a receiving one is recvonly.
// Standard WebRTC only: no extension or attribute of onair's own, so any SFU can answer it.
#include <cstdint>
#include <span>
#include <string>

#include "rtc/client/ClientTrack.hpp"
#include "rtc/dtls/DtlsFingerprint.hpp"
#include "rtc/sdp/SessionDescription.hpp"

namespace onair::rtc::client {

class OfferWriter {
 public:
  static constexpr uint8_t kOpusPayloadType = 111;
  static constexpr uint8_t kVp8PayloadType = 96;
  static constexpr uint8_t kAudioLevelExtensionId = 1;
  static constexpr uint8_t kMidExtensionId = 4;

  // What the offer says of the client itself.
  struct Identity {
    std::string iceUfrag;
    std::string icePassword;
    dtls::DtlsFingerprint fingerprint;
    std::string cname = "onair-client";
    std::string streamId = "onair-client";  // a=msid's stream id for the sending tracks
  };

  static sdp::SessionDescription offer(const Identity& identity, std::span<const ClientTrack> tracks);
  // SdpWriter's text of offer().
  static std::string write(const Identity& identity, std::span<const ClientTrack> tracks);
};

}  // namespace onair::rtc::client
