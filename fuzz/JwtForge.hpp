#pragma once
// The signing branch shared by the JWT harnesses (TokenFuzz.cpp, RoomTokenFuzz.cpp): turns fuzz
// bytes into a token signed with the harness's real secret, so the checks past the signature are
// reached, then changes it the way the input says. Layout of the input:
//   byte 0   mode (the harness's to choose; < 0x20 by convention)
//   byte 1   header variant: low 3 bits pick one of the harness's 7 headers, or 7 for the input's
//            own; the high bits are the harness's to use
//   byte 2   mutation applied after signing (see forge())
//   byte 3.. payload JSON; with header variant 7 it is "<header JSON>\0<payload JSON>"
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/Base64Url.hpp"

struct JwtForge {
  struct Header {
    std::string_view json;
    bool mustFail;  // no token with this header may pass
  };
  struct Forged {
    std::string token;
    bool mustFail;  // the verifier may not accept it, whatever the payload says
  };

  // Needs size >= 3. Mutations (byte 2, low 3 bits): 0 none; 1 one character changed (at
  // byte 2 >> 3); 2 no signature; 3 "==" padding the verifiers tolerate; 4 a fourth part; 5 signed
  // with another secret; 6 payload in the standard alphabet ('+', '/'); 7 truncated.
  static Forged forge(const uint8_t* data, size_t size, const Header (&headers)[7], const std::string& secret) {
    const uint8_t variant = data[1] & 7;
    const uint8_t mutation = data[2];
    std::string_view body(reinterpret_cast<const char*>(data + 3), size - 3);
    std::string header;
    bool mustFail = false;
    if (variant < 7) {
      header = headers[variant].json;
      mustFail = headers[variant].mustFail;
    } else {
      auto nul = body.find('\0');
      header = std::string(body.substr(0, nul));
      body = nul == std::string_view::npos ? std::string_view{} : body.substr(nul + 1);
    }

    const bool standardAlphabet = (mutation & 7) == 6;
    std::string signingInput = b64url(header) + "." + b64url(body, standardAlphabet);
    if ((mutation & 7) == 3) signingInput += "==";
    const std::string key = (mutation & 7) == 5 ? std::string("not-the-secret") : secret;
    std::string token = signingInput + "." + b64url(hs256(signingInput, key));

    switch (mutation & 7) {
      case 1: {  // change one character (the last ones may only touch spare bits)
        size_t at = (mutation >> 3) % token.size();
        token[at] = token[at] == 'A' ? 'B' : 'A';
        break;
      }
      case 2:  // no signature at all
        token.resize(signingInput.size() + 1);
        mustFail = true;
        break;
      case 4:  // a fourth part
        token += ".AAAA";
        mustFail = true;
        break;
      case 5:
        mustFail = true;
        break;
      case 7:  // truncated
        token.resize((mutation >> 3) * token.size() / 32);
        break;
      default:
        break;
    }
    return {std::move(token), mustFail};
  }

  // The payload's string claim `name`, read independently of the verifiers; "" if absent.
  static std::string payloadClaim(std::string_view token, std::string_view name) {
    auto dot1 = token.find('.');
    if (dot1 == std::string_view::npos) return "";
    auto dot2 = token.find('.', dot1 + 1);
    auto bytes = onair::util::base64UrlDecode(token.substr(dot1 + 1, dot2 == std::string_view::npos ? 0 : dot2 - dot1 - 1));
    if (!bytes) return "";
    boost::system::error_code ec;
    auto v = boost::json::parse(*bytes, ec);
    if (ec || !v.is_object()) return "";
    auto* claim = v.as_object().if_contains(name);
    return claim && claim->is_string() ? std::string(claim->as_string()) : "";
  }

  // RFC 4648 §5 without padding; `standard` uses '+' and '/' instead (a wrong alphabet).
  static std::string b64url(std::string_view bytes, bool standard = false) {
    const char* alphabet = standard ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                                    : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
      acc = (acc << 8) | c;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += alphabet[(acc >> bits) & 63];
      }
    }
    if (bits > 0) out += alphabet[(acc << (6 - bits)) & 63];
    return out;
  }

  static std::string hs256(std::string_view input, const std::string& secret) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    return std::string(reinterpret_cast<const char*>(mac), len);
  }
};
