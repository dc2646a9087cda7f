#pragma once
// Reads the remote side's answer to an OfferWriter offer (SdpParser, then what a client needs of
// it): the transport (ICE credentials, the first host candidate's address, the DTLS fingerprint,
// which must allow the client to be the DTLS client: a=setup:passive), and per accepted section
// its mid, payload type and the SSRC the remote side announces it will send in it (a=ssrc, for
// recvonly sections). Transport attributes are taken from the first accepted section or the
// session level, as BUNDLE puts one transport under all of them.
//
// Refused (nullopt, `error` says why): text SdpParser refuses, no accepted section, missing ICE
// credentials, fingerprint or UDP candidate, or a=setup other than passive.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtc/client/RemoteParameters.hpp"

namespace onair::rtc::client {

class AnswerReader {
 public:
  struct Section {
    std::string mid;
    uint8_t payloadType = 0;        // the first format the answer kept
    std::optional<uint32_t> ssrc;   // the first a=ssrc of the section
  };
  struct Answer {
    RemoteParameters remote;
    std::vector<Section> sections;  // accepted sections, in order
  };

  static std::optional<Answer> read(std::string_view text, std::string& error);
};

}  // namespace onair::rtc::client
