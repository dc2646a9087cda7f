#pragma once
// What a ClientTransport needs of the remote side to connect: its ICE credentials (the answer's
// a=ice-ufrag / a=ice-pwd), the address of its host candidate, and the fingerprint its DTLS
// certificate must hash to (a=fingerprint).
#include <string>

#include "net/UdpSocket.hpp"
#include "rtc/dtls/DtlsFingerprint.hpp"

namespace onair::rtc::client {

struct RemoteParameters {
  std::string iceUfrag;
  std::string icePassword;
  dtls::DtlsFingerprint fingerprint;
  net::UdpSocket::Endpoint endpoint;
};

}  // namespace onair::rtc::client
