#pragma once
// What a token is for, carried in its `aud` claim, so a token minted for one purpose is never
// accepted for another (a collab room token is no access token; an access token is no API
// credential). TokenVerifier checks it for every entry point in one place.
#include <string_view>

namespace onair::auth {

enum class TokenPurpose {
  Access,         // clients: WebSocket `connect`, POST /v1/live/release; aud "onair"
  ApiCredential,  // app backends: the server HTTP API; aud "onair-api" (or no aud, see TokenVerifier)
  CollabRoom,     // a Yjs room (onair's or a Hocuspocus server); aud "onair-collab"
};

constexpr std::string_view audienceOf(TokenPurpose purpose) {
  switch (purpose) {
    case TokenPurpose::Access: return "onair";
    case TokenPurpose::ApiCredential: return "onair-api";
    case TokenPurpose::CollabRoom: return "onair-collab";
  }
  return "";
}

}  // namespace onair::auth
