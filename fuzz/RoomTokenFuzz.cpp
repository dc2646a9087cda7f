// libFuzzer target for onair::collab::RoomTokenVerifier (collab room tokens, HS256 JWTs).
//
// Every input is first verified as-is, as a token from the network, for the room "doc_1". Inputs
// whose first byte is a control character (< 0x20, never part of a real token) also take the
// signing branch (JwtForge.hpp: byte 1 picks the header, byte 2 the mutation, the rest is the
// payload JSON; bit 3 of byte 1 asks for the room the payload names instead of "doc_1"). The
// harness signs that payload with the collab secret, so the claim checks past the signature (aud,
// room, sub, scope, kind, exp/nbf) are reached.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "JwtForge.hpp"
#include "collab/RoomScope.hpp"
#include "collab/RoomTokenVerifier.hpp"
#include "FuzzCheck.hpp"

using onair::auth::TokenError;
using onair::collab::RoomScope;
using onair::collab::RoomTokenClaims;
using onair::collab::RoomTokenVerifier;

namespace {

constexpr int64_t kNow = 1700000000;
constexpr int64_t kLeeway = 10;
constexpr std::string_view kRoom = "doc_1";
const std::string kSecret = "fuzz-collab-secret-0123456789";

const RoomTokenVerifier& verifier() {
  static const RoomTokenVerifier v(kSecret, kLeeway);
  return v;
}

// Whatever verify() accepts must keep RoomTokenVerifier's contract; returns whether it accepted.
bool verifyChecked(std::string_view token, std::string_view room) {
  auto r = verifier().verify(token, room, kNow);
  if (auto* e = std::get_if<TokenError>(&r)) {
    check(!e->reason.empty());
    check(e->reason.find(kSecret) == std::string::npos);
    return false;
  }
  const auto& c = std::get<RoomTokenClaims>(r);
  check(token.size() <= 8192);
  check(JwtForge::payloadClaim(token, "aud") == "onair-collab");
  check(c.room == room && JwtForge::payloadClaim(token, "room") == room);
  check(c.scope == RoomScope::kReadWrite || c.scope == RoomScope::kReadOnly);
  check(!c.userId.empty() && c.userId.size() <= 255 && JwtForge::payloadClaim(token, "sub") == c.userId);
  check(kNow - kLeeway <= c.expiresAt);
  return true;
}

// Headers the signing branch picks from (JwtForge.hpp); variant 7 is the input's own. The
// collab secret names no key: a kid, whatever it is, changes nothing.
constexpr JwtForge::Header kHeaders[7] = {
    {R"({"alg":"HS256","typ":"JWT"})", false},
    {R"({"alg":"HS256"})", false},
    {R"({"alg":"none","typ":"JWT"})", true},
    {R"({"alg":"HS512","typ":"JWT"})", true},
    {R"({"alg":"RS256"})", true},
    {R"({"typ":"JWT","alg":"HS256","kid":{"a":[1,2,null]}})", false},
    {R"({"typ":"JWT"})", true},
};

void signedBranch(const uint8_t* data, size_t size) {
  auto forged = JwtForge::forge(data, size, kHeaders, kSecret);
  const std::string room = (data[1] & 8) ? JwtForge::payloadClaim(forged.token, "room") : std::string(kRoom);
  bool accepted = verifyChecked(forged.token, room);
  if (forged.mustFail) check(!accepted);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  verifyChecked(std::string_view(reinterpret_cast<const char*>(data), size), kRoom);
  if (size >= 3 && data[0] < 0x20) signedBranch(data, size);
  return 0;
}
