#pragma once
// The SDP side of the SFU router contract (docs/architecture.md, issue 13): pure functions from a
// peer's offer section and the AnswerBuilder's answer section to what the Router takes
// (ProducerParameters, ConsumerParameters), and the edits that make the answer say what the
// router does.
//
// Publisher sections (the peer sends): the answer keeps ONE codec, the first acceptable one in
// the offer's order, with its rtx; transport-cc feedback and the transport-wide-cc extension are
// dropped (the router sends REMB, so the sender must not expect transport feedback).
//
// Subscriber sections (the peer receives, recvonly offer): the answer keeps the offer's payload
// type for the producer's codec (same name, clock rate, channels and bitstream parameters) and
// its rtx, drops transport-cc, rid and repaired-rid, and announces what the SFU sends:
//   a=msid:<streamId> <trackId>
//   a=ssrc-group:FID <ssrc> <rtxSsrc>       (when rtx is negotiated)
//   a=ssrc:<ssrc> cname:<cname>   a=ssrc:<ssrc> msid:<streamId> <trackId>   (and the same for rtx)
#include <cstdint>
#include <optional>
#include <string>

#include "rtc/sdp/MediaSection.hpp"
#include "rtc/sfu/ConsumerParameters.hpp"
#include "rtc/sfu/ProducerParameters.hpp"

namespace onair::rtc::sfu {

class SdpRtpParameters {
 public:
  // What a subscriber's answer section announces besides the codec.
  struct Announcement {
    uint32_t ssrc = 0;
    std::optional<uint32_t> rtxSsrc;  // used only when the section negotiates rtx
    std::string cname;
    std::string streamId;
    std::string trackId;
  };

  // Restricts an accepted audio/video answer section to one codec (+ rtx) and removes
  // transport-cc. Rejected and non-RTP sections are left alone.
  static void restrictToOneCodec(sdp::MediaSection& answer);

  // The producer the publisher's offer section describes, as the restricted answer section
  // accepted it. nullopt + error when the answer section is rejected, has no codec, or the offer
  // section does not send.
  static std::optional<ProducerParameters> producer(const sdp::MediaSection& offer, const sdp::MediaSection& answer,
                                                    std::string& error);

  // Fills an accepted answer section to a subscriber's recvonly offer section with the
  // producer's codec and the announcement, and returns the consumer it describes. nullopt + error
  // when the kinds differ or the offer has no payload type for the producer's codec (the answer
  // section is then left as it was).
  static std::optional<ConsumerParameters> consumer(const sdp::MediaSection& offer, sdp::MediaSection& answer,
                                                    const ProducerParameters& producer,
                                                    const Announcement& announcement, std::string& error);
};

}  // namespace onair::rtc::sfu
