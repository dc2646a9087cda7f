#include "rtc/client/AnswerReader.hpp"

#include <boost/asio/ip/address.hpp>

#include "rtc/sdp/SdpParser.hpp"

namespace onair::rtc::client {

namespace {

template <typename T>
const T* firstOf(const std::optional<T>& inSection, const std::optional<T>& atSession) {
  if (inSection) return &*inSection;
  return atSession ? &*atSession : nullptr;
}

std::optional<net::UdpSocket::Endpoint> udpCandidate(const sdp::MediaSection& m) {
  for (const sdp::Candidate& c : m.candidates) {
    if (c.transport != "udp" && c.transport != "UDP") continue;
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(c.address, ec);
    if (ec) continue;
    return net::UdpSocket::Endpoint(address, c.port);
  }
  return std::nullopt;
}

}  // namespace

std::optional<AnswerReader::Answer> AnswerReader::read(std::string_view text, std::string& error) {
  sdp::SdpError parseError;
  const auto d = sdp::SdpParser::parse(text, parseError);
  if (!d) {
    error = "answer does not parse: " + parseError.message();
    return std::nullopt;
  }
  std::vector<Section> sections;
  const sdp::MediaSection* transport = nullptr;
  for (const sdp::MediaSection& m : d->media) {
    if (m.isRejected() || !m.mid) continue;
    if (!transport) transport = &m;
    Section section{*m.mid, 0, std::nullopt};
    if (!m.rtpFormats.empty()) section.payloadType = m.rtpFormats.front().payloadType;
    if (!m.ssrcs.empty()) section.ssrc = m.ssrcs.front().ssrc;
    sections.push_back(std::move(section));
  }
  if (!transport) {
    error = "answer accepts no section";
    return std::nullopt;
  }
  const std::string* ufrag = firstOf(transport->iceUfrag, d->iceUfrag);
  const std::string* pwd = firstOf(transport->icePwd, d->icePwd);
  if (!ufrag || !pwd || ufrag->empty() || pwd->empty()) {
    error = "answer has no ICE credentials";
    return std::nullopt;
  }
  const auto& fingerprints = transport->fingerprints.empty() ? d->fingerprints : transport->fingerprints;
  std::optional<dtls::DtlsFingerprint> fingerprint;
  if (!fingerprints.empty()) {
    fingerprint = dtls::DtlsFingerprint::parse(fingerprints.front().algorithm + " " + fingerprints.front().value);
  }
  if (!fingerprint) {
    error = "answer has no usable fingerprint";
    return std::nullopt;
  }
  const sdp::DtlsSetup* setup = firstOf(transport->setup, d->setup);
  if (!setup || *setup != sdp::DtlsSetup::Passive) {
    error = "answer does not make the client the DTLS client (a=setup:passive)";
    return std::nullopt;
  }
  const auto endpoint = udpCandidate(*transport);
  if (!endpoint) {
    error = "answer has no UDP candidate";
    return std::nullopt;
  }
  return Answer{RemoteParameters{*ufrag, *pwd, *fingerprint, *endpoint}, std::move(sections)};
}

}  // namespace onair::rtc::client
