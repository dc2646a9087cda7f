#pragma once
// A server-API request relayed to the node owning its stage or stream room, and the response
// coming back (RelayMessage kinds HttpRequest and HttpResponse carry these as their body).
//
//   request:  method | path | query | host | authorization | content type | body
//   response: status (decimal) | content type | body | then name | value per extra header
//   each field: length (4 bytes, big-endian) | bytes
//
// Pure and bounded: at most kMaxFields fields, each within the body the RelayMessage allows.
#include <optional>
#include <string>
#include <string_view>

#include "net/HttpMessage.hpp"

namespace onair::relay {

struct HttpEnvelope {
  static constexpr size_t kMaxFields = 64;

  static std::string encode(const net::HttpRequest& request);
  static std::string encode(const net::HttpResponse& response);
  // nullopt with the reason in `why` when the bytes are not such an envelope.
  static std::optional<net::HttpRequest> decodeRequest(std::string_view bytes, std::string& why);
  static std::optional<net::HttpResponse> decodeResponse(std::string_view bytes, std::string& why);
};

}  // namespace onair::relay
