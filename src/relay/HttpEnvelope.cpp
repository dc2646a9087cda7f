#include "relay/HttpEnvelope.hpp"

#include <charconv>
#include <cstdint>
#include <vector>

namespace onair::relay {
namespace {

void put(std::string& out, std::string_view field) {
  const auto n = static_cast<uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  out += field;
}

// Splits `bytes` into its length-prefixed fields; nullopt when a length runs past the end, the
// bytes do not end with a field, or there are too many.
std::optional<std::vector<std::string_view>> fields(std::string_view bytes, std::string& why) {
  std::vector<std::string_view> out;
  while (!bytes.empty()) {
    if (out.size() == HttpEnvelope::kMaxFields) {
      why = "too many fields";
      return std::nullopt;
    }
    if (bytes.size() < 4) {
      why = "a field's length is cut short";
      return std::nullopt;
    }
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
    bytes.remove_prefix(4);
    if (n > bytes.size()) {
      why = "a field runs past the end";
      return std::nullopt;
    }
    out.push_back(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
  return out;
}

}  // namespace

std::string HttpEnvelope::encode(const net::HttpRequest& r) {
  std::string out;
  for (std::string_view f : {std::string_view(r.method), std::string_view(r.path), std::string_view(r.query), std::string_view(r.host),
                             std::string_view(r.authorization), std::string_view(r.contentType), std::string_view(r.body)}) {
    put(out, f);
  }
  return out;
}

std::string HttpEnvelope::encode(const net::HttpResponse& r) {
  std::string out;
  put(out, std::to_string(r.status));
  put(out, r.contentType);
  put(out, r.body);
  for (const auto& [name, value] : r.headers) {
    put(out, name);
    put(out, value);
  }
  return out;
}

std::optional<net::HttpRequest> HttpEnvelope::decodeRequest(std::string_view bytes, std::string& why) {
  auto f = fields(bytes, why);
  if (!f) return std::nullopt;
  if (f->size() != 7) {
    why = "a relayed request has 7 fields";
    return std::nullopt;
  }
  const auto& v = *f;
  net::HttpRequest r;
  r.method = v[0];
  r.path = v[1];
  r.query = v[2];
  r.host = v[3];
  r.authorization = v[4];
  r.contentType = v[5];
  r.body = v[6];
  r.remote = "relay";
  return r;
}

std::optional<net::HttpResponse> HttpEnvelope::decodeResponse(std::string_view bytes, std::string& why) {
  auto f = fields(bytes, why);
  if (!f) return std::nullopt;
  if (f->size() < 3 || f->size() % 2 == 0) {
    why = "a relayed response has a status, a content type, a body and header pairs";
    return std::nullopt;
  }
  const auto& v = *f;
  net::HttpResponse r;
  auto [end, ec] = std::from_chars(v[0].data(), v[0].data() + v[0].size(), r.status);
  if (ec != std::errc() || end != v[0].data() + v[0].size() || r.status < 100 || r.status > 599) {
    why = "a relayed response's status is not an HTTP status";
    return std::nullopt;
  }
  r.contentType = v[1];
  r.body = v[2];
  for (size_t i = 3; i + 1 < v.size(); i += 2) {
    // A header line is written as is: nothing in it may end it early.
    if (v[i].empty() || v[i].find_first_of(std::string_view("\r\n\0:", 4)) != std::string_view::npos ||
        v[i + 1].find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
      why = "a relayed response's header has a line break, a NUL or (in its name) a colon";
      return std::nullopt;
    }
    r.headers.emplace_back(v[i], v[i + 1]);
  }
  return r;
}

}  // namespace onair::relay
