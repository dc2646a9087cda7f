#pragma once
// An RTP packet (RFC 3550 §5.1) with RFC 8285 header extensions, parsed as a view over the
// caller's (already SRTP-unprotected) bytes, with the in-place rewrites an SFU does when it
// forwards a packet to a consumer.
//
// Fixed header (RFC 3550 §5.1):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                           timestamp                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           synchronization source (SSRC) identifier            |
// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// |            contributing source (CSRC) identifiers             |
// |                             ....                              |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// With P set, the last byte of the packet counts the padding bytes (itself included).
//
// Header extension (RFC 3550 §5.3.1), after the CSRCs when X is set; length in 32-bit words:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      defined by profile       |           length              |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                        header extension                       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// RFC 8285 one-byte form (profile 0xBEDE), elements of 1..16 data bytes, ids 1..14:
//  0 1 2 3 4 5 6 7
// +-+-+-+-+-+-+-+-+
// |  ID   |  len  |   then len + 1 data bytes
// +-+-+-+-+-+-+-+-+
// RFC 8285 two-byte form (profile 0x100 in the top 12 bits), 0..255 data bytes, ids 1..255:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |       ID      |     length    |   then length data bytes
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// In both forms a 0 byte between elements is padding. In the one-byte form id 15 ends the list
// (§4.2: what follows is ignored); this parser also ends it at an element with id 0 and a
// non-zero length, which the RFC reserves.
//
// Contract: parse() is pure and bounded: at most kMaxBytes (one Ethernet-MTU datagram; an SFU
// never forwards larger, and the SRTP layer already dropped its auth tag), no allocation. The
// view points into the caller's bytes and lives as long as they do; its setters write into them.
// Every extension element is validated at parse, so extension() and remapExtensionIds() never
// meet a malformed list. Another profile's extension block is carried along untouched.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/rtp/ExtensionIdMap.hpp"

namespace onair::rtc::rtp {

class RtpPacket {
 public:
  static constexpr size_t kHeaderBytes = 12;
  static constexpr size_t kMaxBytes = 1500;
  static constexpr uint16_t kOneByteProfile = 0xBEDE;
  static constexpr uint16_t kTwoByteProfile = 0x1000;  // the top 12 bits; the low 4 are app bits
  static constexpr uint8_t kMaxOneByteId = 14;

  enum class ParseError : uint8_t {
    None,
    TooShort,            // under the 12-byte fixed header
    TooLong,             // over kMaxBytes
    BadVersion,          // V is not 2
    TruncatedCsrc,       // CC CSRCs do not fit
    TruncatedExtension,  // the extension header or its length runs past the end
    BadExtension,        // an RFC 8285 element runs past the extension block
    BadPadding,          // P set with a count of 0 or more than the payload holds
  };

  enum class ExtensionForm : uint8_t { None, OneByte, TwoByte, Other };

  // nullopt on bad input, with the reason in `error`.
  static std::optional<RtpPacket> parse(std::span<uint8_t> bytes, ParseError& error);
  static std::optional<RtpPacket> parse(std::span<uint8_t> bytes);
  static std::string_view describe(ParseError error);

  bool marker() const { return (bytes_[1] & 0x80) != 0; }
  uint8_t payloadType() const { return bytes_[1] & 0x7F; }
  uint16_t sequenceNumber() const;
  uint32_t timestamp() const;
  uint32_t ssrc() const;
  size_t csrcCount() const { return bytes_[0] & 0x0F; }
  uint32_t csrc(size_t index) const;  // index < csrcCount()

  // The header (fixed part, CSRCs, extension block), the payload, and the padding after it.
  size_t headerBytes() const { return headerBytes_; }
  size_t paddingBytes() const { return paddingBytes_; }
  std::span<const uint8_t> payload() const;
  std::span<const uint8_t> bytes() const { return bytes_; }

  ExtensionForm extensionForm() const { return form_; }
  uint16_t extensionProfile() const { return profile_; }
  // The data of the first RFC 8285 element with `id`, or nullopt (also for id 0 and Other form).
  std::optional<std::span<const uint8_t>> extension(uint8_t id) const;

  void setMarker(bool marker);
  void setPayloadType(uint8_t payloadType);  // 0..127
  void setSequenceNumber(uint16_t seq);
  void setTimestamp(uint32_t timestamp);
  void setSsrc(uint32_t ssrc);

  // Rewrites every RFC 8285 element's id through `map`, in place; an element mapped to 0 becomes
  // padding bytes. False, with nothing changed, when a one-byte element would get an id above 14
  // (the one-byte form cannot carry it). The payload is not touched.
  bool remapExtensionIds(const ExtensionIdMap& map);

 private:
  RtpPacket() = default;
  ParseError parseExtension(size_t& pos);
  std::span<uint8_t> extensionData() const { return bytes_.subspan(extensionOffset_, extensionBytes_); }

  std::span<uint8_t> bytes_;
  size_t headerBytes_ = 0;
  size_t paddingBytes_ = 0;
  ExtensionForm form_ = ExtensionForm::None;
  uint16_t profile_ = 0;
  size_t extensionOffset_ = 0;  // the first byte after the extension's profile and length
  size_t extensionBytes_ = 0;
};

}  // namespace onair::rtc::rtp
