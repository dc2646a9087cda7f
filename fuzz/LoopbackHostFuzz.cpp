// libFuzzer target for onair::api::isLoopbackHost (the HTTP Host header check of the demo routes).
//
// Oracle: a Host the check accepts is "localhost" (any case), a dotted quad in 127.0.0.0/8 or
// "[::1]", then optionally ":" and a port of at most 65535, and it is never longer than 261 bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/LoopbackHost.hpp"
#include "FuzzCheck.hpp"

namespace {

bool isPort(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
  }
  return std::stoul(std::string(p)) <= 65535;
}

// A second, deliberately different reading of what loopback means.
bool expected(std::string_view host) {
  std::string name(host);
  std::string port;
  bool hasPort = false;
  if (!name.empty() && name[0] == '[') {
    if (name.rfind("[::1]", 0) != 0) return false;
    if (name.size() > 5) {
      if (name[5] != ':') return false;
      port = name.substr(6);
      hasPort = true;
    }
    return !hasPort || isPort(port);
  }
  if (auto colon = name.rfind(':'); colon != std::string::npos) {
    port = name.substr(colon + 1);
    name.resize(colon);
    hasPort = true;
  }
  if (hasPort && !isPort(port)) return false;
  std::string lower;
  for (char c : name) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  if (lower == "localhost") return true;
  if (lower.rfind("127.", 0) != 0) return false;
  int dots = 0;
  std::string octet;
  for (size_t i = 0; i <= lower.size(); ++i) {
    if (i == lower.size() || lower[i] == '.') {
      if (octet.empty() || octet.size() > 3 || (octet.size() > 1 && octet[0] == '0')) return false;
      for (char c : octet) {
        if (c < '0' || c > '9') return false;
      }
      if (std::stoi(octet) > 255) return false;
      octet.clear();
      if (i < lower.size()) ++dots;
    } else {
      octet += lower[i];
    }
  }
  return dots == 3;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view host(reinterpret_cast<const char*>(data), size);
  bool accepted = onair::api::isLoopbackHost(host);
  if (size <= 261) check(accepted == expected(host));
  else check(!accepted);
  return 0;
}
