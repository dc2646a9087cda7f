#include "rtc/rtp/RtpPacket.hpp"

#include <algorithm>

#include "rtc/rtp/BigEndian.hpp"

namespace onair::rtc::rtp {

namespace {

using Form = RtpPacket::ExtensionForm;

// One RFC 8285 element: where its id byte is, its id, and its data.
struct Element {
  size_t idOffset;
  uint8_t id;
  size_t dataOffset;
  size_t length;
};

// Calls visit(Element) for each element of an extension block in `form` until visit returns
// false or the list ends (§4.2: id 15 in the one-byte form; an id 0 with a length is reserved).
// Returns false when an element runs past the block.
template <typename Visit>
bool forEachElement(std::span<const uint8_t> data, Form form, Visit&& visit) {
  size_t pos = 0;
  while (pos < data.size()) {
    // Padding between elements.
    if (data[pos] == 0) {
      ++pos;
      continue;
    }
    Element e{};
    e.idOffset = pos;
    if (form == Form::OneByte) {
      e.id = data[pos] >> 4;
      if (e.id == 15 || e.id == 0) return true;
      e.length = size_t(data[pos] & 0x0F) + 1;
      e.dataOffset = pos + 1;
    } else {
      if (pos + 2 > data.size()) return false;
      e.id = data[pos];
      e.length = data[pos + 1];
      e.dataOffset = pos + 2;
    }
    if (e.dataOffset + e.length > data.size()) return false;
    if (!visit(e)) return true;
    pos = e.dataOffset + e.length;
  }
  return true;
}

Form formOf(uint16_t profile) {
  if (profile == RtpPacket::kOneByteProfile) return Form::OneByte;
  if ((profile & 0xFFF0) == RtpPacket::kTwoByteProfile) return Form::TwoByte;
  return Form::Other;
}

}  // namespace

std::optional<RtpPacket> RtpPacket::parse(std::span<uint8_t> bytes) {
  ParseError ignored;
  return parse(bytes, ignored);
}

std::optional<RtpPacket> RtpPacket::parse(std::span<uint8_t> bytes, ParseError& error) {
  // Fixed header: size and version.
  error = ParseError::None;
  if (bytes.size() < kHeaderBytes) error = ParseError::TooShort;
  else if (bytes.size() > kMaxBytes) error = ParseError::TooLong;
  else if ((bytes[0] >> 6) != 2) error = ParseError::BadVersion;
  if (error != ParseError::None) return std::nullopt;

  RtpPacket p;
  p.bytes_ = bytes;
  // CSRCs.
  size_t pos = kHeaderBytes + 4 * size_t(bytes[0] & 0x0F);
  if (pos > bytes.size()) {
    error = ParseError::TruncatedCsrc;
    return std::nullopt;
  }
  // Header extension, its elements validated once here.
  if ((bytes[0] & 0x10) != 0) {
    error = p.parseExtension(pos);
    if (error != ParseError::None) return std::nullopt;
  }
  p.headerBytes_ = pos;
  // Padding: its count is the last byte and must fit in what follows the header.
  if ((bytes[0] & 0x20) != 0) {
    const size_t padding = bytes.back();
    if (padding == 0 || padding > bytes.size() - pos) {
      error = ParseError::BadPadding;
      return std::nullopt;
    }
    p.paddingBytes_ = padding;
  }
  return p;
}

RtpPacket::ParseError RtpPacket::parseExtension(size_t& pos) {
  if (pos + 4 > bytes_.size()) return ParseError::TruncatedExtension;
  profile_ = read16(&bytes_[pos]);
  const size_t length = 4 * size_t(read16(&bytes_[pos + 2]));
  pos += 4;
  if (pos + length > bytes_.size()) return ParseError::TruncatedExtension;
  extensionOffset_ = pos;
  extensionBytes_ = length;
  form_ = formOf(profile_);
  pos += length;
  if (form_ == Form::Other) return ParseError::None;
  const bool wellFormed = forEachElement(extensionData(), form_, [](const Element&) { return true; });
  return wellFormed ? ParseError::None : ParseError::BadExtension;
}

std::string_view RtpPacket::describe(ParseError error) {
  switch (error) {
    case ParseError::None: return "ok";
    case ParseError::TooShort: return "shorter than the 12-byte RTP header";
    case ParseError::TooLong: return "longer than 1500 bytes";
    case ParseError::BadVersion: return "RTP version is not 2";
    case ParseError::TruncatedCsrc: return "CSRC list runs past the packet";
    case ParseError::TruncatedExtension: return "header extension runs past the packet";
    case ParseError::BadExtension: return "header extension element runs past its block";
    case ParseError::BadPadding: return "padding count is 0 or larger than the payload";
  }
  return "unknown";
}

uint16_t RtpPacket::sequenceNumber() const { return read16(&bytes_[2]); }
uint32_t RtpPacket::timestamp() const { return read32(&bytes_[4]); }
uint32_t RtpPacket::ssrc() const { return read32(&bytes_[8]); }
uint32_t RtpPacket::csrc(size_t index) const { return read32(&bytes_[kHeaderBytes + 4 * index]); }

std::span<const uint8_t> RtpPacket::payload() const {
  return std::span<const uint8_t>(bytes_).subspan(headerBytes_, bytes_.size() - headerBytes_ - paddingBytes_);
}

std::optional<std::span<const uint8_t>> RtpPacket::extension(uint8_t id) const {
  if (id == 0 || (form_ != Form::OneByte && form_ != Form::TwoByte)) return std::nullopt;
  const std::span<const uint8_t> data = extensionData();
  std::optional<std::span<const uint8_t>> found;
  forEachElement(data, form_, [&](const Element& e) {
    if (e.id != id) return true;
    found = data.subspan(e.dataOffset, e.length);
    return false;
  });
  return found;
}

void RtpPacket::setMarker(bool marker) { bytes_[1] = uint8_t((bytes_[1] & 0x7F) | (marker ? 0x80 : 0)); }
void RtpPacket::setPayloadType(uint8_t payloadType) { bytes_[1] = uint8_t((bytes_[1] & 0x80) | (payloadType & 0x7F)); }
void RtpPacket::setSequenceNumber(uint16_t seq) { write16(&bytes_[2], seq); }
void RtpPacket::setTimestamp(uint32_t timestamp) { write32(&bytes_[4], timestamp); }
void RtpPacket::setSsrc(uint32_t ssrc) { write32(&bytes_[8], ssrc); }

bool RtpPacket::remapExtensionIds(const ExtensionIdMap& map) {
  if (form_ != Form::OneByte && form_ != Form::TwoByte) return true;
  const std::span<uint8_t> data = extensionData();
  // First pass: every new id must fit the form, so a refused remap changes nothing.
  bool fits = true;
  if (form_ == Form::OneByte) {
    forEachElement(data, form_, [&](const Element& e) {
      fits = map.lookup(e.id) <= kMaxOneByteId;
      return fits;
    });
  }
  if (!fits) return false;
  // Second pass: rewrite ids; a dropped element (new id 0) turns into padding bytes. Zeroing an
  // element only shortens what the walk reads, so walking while writing is safe.
  forEachElement(data, form_, [&](const Element& e) {
    const uint8_t to = map.lookup(e.id);
    if (to == 0) {
      std::fill(data.begin() + e.idOffset, data.begin() + e.dataOffset + e.length, uint8_t(0));
    } else if (form_ == Form::OneByte) {
      data[e.idOffset] = uint8_t((to << 4) | (data[e.idOffset] & 0x0F));
    } else {
      data[e.idOffset] = to;
    }
    return true;
  });
  return true;
}

}  // namespace onair::rtc::rtp
