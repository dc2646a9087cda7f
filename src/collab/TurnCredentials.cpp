#include "collab/TurnCredentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace onair::collab {

TurnCredentials TurnCredentials::make(std::vector<std::string> urls, std::string_view secret, std::string_view userId,
                                      int64_t now, int64_t ttl) {
  TurnCredentials c;
  c.urls = std::move(urls);
  c.username = std::to_string(now + ttl) + ":" + std::string(userId);
  c.credential = credentialFor(secret, c.username);
  c.ttl = ttl;
  return c;
}

std::string TurnCredentials::credentialFor(std::string_view secret, std::string_view username) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLen = 0;
  if (!HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(username.data()), username.size(), mac, &macLen)) {
    throw std::runtime_error("HMAC-SHA1 failed");
  }
  // EVP_EncodeBlock writes 4 characters per 3 bytes, padded, plus a NUL.
  unsigned char text[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int textLen = EVP_EncodeBlock(text, mac, static_cast<int>(macLen));
  return std::string(reinterpret_cast<char*>(text), static_cast<size_t>(textLen));
}

std::vector<std::string> TurnCredentials::splitUrls(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

}  // namespace onair::collab
