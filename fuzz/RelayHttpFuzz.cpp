// fuzz_relay_http: server-API requests and responses relayed between nodes (relay/HttpEnvelope).
// Invariants: decoding never reads past the input; what decodes re-encodes to the same bytes
// (the remote address is not carried).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "relay/HttpEnvelope.hpp"
#include "FuzzCheck.hpp"

using onair::relay::HttpEnvelope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (auto request = HttpEnvelope::decodeRequest(bytes, why)) {
    check(HttpEnvelope::encode(*request) == bytes);
  } else {
    check(!why.empty());
  }
  why.clear();
  if (auto response = HttpEnvelope::decodeResponse(bytes, why)) {
    check(response->status >= 100 && response->status <= 599);
    auto again = HttpEnvelope::decodeResponse(HttpEnvelope::encode(*response), why);
    check(again && again->status == response->status && again->body == response->body && again->headers == response->headers);
  } else {
    check(!why.empty());
  }
  return 0;
}
