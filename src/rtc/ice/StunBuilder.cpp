#include "rtc/ice/StunBuilder.hpp"

#include <algorithm>
#include <array>

#include "rtc/ice/StunDigest.hpp"

namespace onair::rtc::ice {

namespace {

template <size_t N>
std::span<const uint8_t> asBytes(const std::array<uint8_t, N>& a) {
  return {a.data(), a.size()};
}

std::span<const uint8_t> asBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::array<uint8_t, 4> be32(uint32_t v) {
  return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
}

std::array<uint8_t, 8> be64(uint64_t v) {
  std::array<uint8_t, 8> out{};
  for (size_t i = 0; i < 8; ++i) out[i] = uint8_t(v >> (56 - 8 * i));
  return out;
}

// The message type: the 12 method bits with the class bits C0 (bit 4) and C1 (bit 8) between.
uint16_t messageType(StunMessage::Class messageClass, uint16_t method) {
  const unsigned c = static_cast<unsigned>(messageClass);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
                               ((c & 0x1) << 4) | ((c & 0x2) << 7));
}

}  // namespace

StunBuilder::StunBuilder(std::vector<uint8_t>& out, StunMessage::Class messageClass, uint16_t method,
                         const StunMessage::TransactionId& transactionId)
    : out_(out) {
  out_.clear();
  const uint16_t type = messageType(messageClass, method);
  const auto cookie = be32(StunMessage::kMagicCookie);
  out_.push_back(uint8_t(type >> 8));
  out_.push_back(uint8_t(type));
  out_.push_back(0);
  out_.push_back(0);
  out_.insert(out_.end(), cookie.begin(), cookie.end());
  out_.insert(out_.end(), transactionId.begin(), transactionId.end());
}

StunBuilder& StunBuilder::padWith(uint8_t byte) {
  padding_ = byte;
  return *this;
}

bool StunBuilder::append(uint16_t type, std::span<const uint8_t> value) {
  const size_t padded = (value.size() + 3) & ~size_t(3);
  if (!ok_ || value.size() > 0xFFFF || out_.size() + 4 + padded > StunMessage::kMaxBytes) {
    ok_ = false;
    return false;
  }
  out_.push_back(uint8_t(type >> 8));
  out_.push_back(uint8_t(type));
  out_.push_back(uint8_t(value.size() >> 8));
  out_.push_back(uint8_t(value.size()));
  out_.insert(out_.end(), value.begin(), value.end());
  out_.insert(out_.end(), padded - value.size(), padding_);
  setLength(out_.size() - StunMessage::kHeaderBytes);
  return true;
}

void StunBuilder::setLength(size_t length) {
  out_[2] = uint8_t(length >> 8);
  out_[3] = uint8_t(length);
}

StunBuilder& StunBuilder::username(std::string_view username) {
  append(stunattr::Username, asBytes(username));
  return *this;
}

StunBuilder& StunBuilder::software(std::string_view software) {
  append(stunattr::Software, asBytes(software));
  return *this;
}

StunBuilder& StunBuilder::priority(uint32_t priority) {
  append(stunattr::Priority, asBytes(be32(priority)));
  return *this;
}

StunBuilder& StunBuilder::useCandidate() {
  append(stunattr::UseCandidate, {});
  return *this;
}

StunBuilder& StunBuilder::iceControlling(uint64_t tieBreaker) {
  append(stunattr::IceControlling, asBytes(be64(tieBreaker)));
  return *this;
}

StunBuilder& StunBuilder::iceControlled(uint64_t tieBreaker) {
  append(stunattr::IceControlled, asBytes(be64(tieBreaker)));
  return *this;
}

StunBuilder& StunBuilder::xorMappedAddress(const StunAddress& address) {
  // X-Port and X-Address: XOR with the cookie and transaction id, header bytes 4..19.
  std::array<uint8_t, 20> value{};
  value[1] = static_cast<uint8_t>(address.family);
  value[2] = uint8_t((address.port >> 8) ^ out_[4]);
  value[3] = uint8_t((address.port & 0xFF) ^ out_[5]);
  for (size_t i = 0; i < address.ipBytes(); ++i) value[4 + i] = address.ip[i] ^ out_[4 + i];
  append(stunattr::XorMappedAddress, std::span<const uint8_t>(value.data(), 4 + address.ipBytes()));
  return *this;
}

StunBuilder& StunBuilder::errorCode(uint16_t code, std::string_view reason) {
  std::array<uint8_t, 4 + StunMessage::kMaxReasonBytes> value{};
  const size_t reasonBytes = std::min(reason.size(), StunMessage::kMaxReasonBytes);
  value[2] = uint8_t((code / 100) & 0x07);
  value[3] = uint8_t(code % 100);
  std::copy_n(reason.begin(), reasonBytes, value.begin() + 4);
  append(stunattr::ErrorCode, std::span<const uint8_t>(value.data(), 4 + reasonBytes));
  return *this;
}

StunBuilder& StunBuilder::unknownAttributes(std::span<const uint16_t> types) {
  std::array<uint8_t, 2 * StunMessage::kMaxUnknownListed> value{};
  const size_t count = std::min(types.size(), StunMessage::kMaxUnknownListed);
  for (size_t i = 0; i < count; ++i) {
    value[2 * i] = uint8_t(types[i] >> 8);
    value[2 * i + 1] = uint8_t(types[i]);
  }
  append(stunattr::UnknownAttributes, std::span<const uint8_t>(value.data(), 2 * count));
  return *this;
}

StunBuilder& StunBuilder::attribute(uint16_t type, std::span<const uint8_t> value) {
  append(type, value);
  return *this;
}

StunBuilder& StunBuilder::integrity(std::string_view password) {
  // The HMAC covers the message as it stands; append() then sets Length to include the attribute,
  // which is the Length the digest assumed.
  const auto mac = StunDigest::integrity(out_, password);
  if (!mac) ok_ = false;
  if (ok_) append(stunattr::MessageIntegrity, asBytes(*mac));
  return *this;
}

StunBuilder& StunBuilder::fingerprint() {
  append(stunattr::Fingerprint, asBytes(be32(StunDigest::fingerprint(out_))));
  return *this;
}

void StunBuilder::bindingSuccess(std::vector<uint8_t>& out, const StunMessage& request, const StunAddress& source,
                                 std::string_view localPassword) {
  StunBuilder(out, StunMessage::Class::SuccessResponse, request.method(), request.transactionId())
      .xorMappedAddress(source)
      .integrity(localPassword)
      .fingerprint();
}

void StunBuilder::errorResponse(std::vector<uint8_t>& out, const StunMessage& request, uint16_t code,
                                std::string_view localPassword, std::span<const uint16_t> unknown) {
  StunBuilder b(out, StunMessage::Class::ErrorResponse, request.method(), request.transactionId());
  b.errorCode(code, reasonPhrase(code));
  if (code == 420) b.unknownAttributes(unknown);
  if (!localPassword.empty()) b.integrity(localPassword);
  b.fingerprint();
}

std::string_view StunBuilder::reasonPhrase(uint16_t code) {
  // RFC 8489 §14.8 and RFC 8445 §7.3.1.1.
  switch (code) {
    case 300: return "Try Alternate";
    case 400: return "Bad Request";
    case 401: return "Unauthenticated";
    case 420: return "Unknown Attribute";
    case 438: return "Stale Nonce";
    case 487: return "Role Conflict";
    case 500: return "Server Error";
    default: return "Error";
  }
}

}  // namespace onair::rtc::ice
