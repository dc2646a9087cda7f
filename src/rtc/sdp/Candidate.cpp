#include "rtc/sdp/Candidate.hpp"

#include <limits>

#include "rtc/sdp/SdpTokens.hpp"

namespace onair::rtc::sdp {

std::optional<Candidate> Candidate::parse(std::string_view text, std::string& reason) {
  SdpTokens tokens(text);
  Candidate c;
  c.foundation = tokens.next();
  const auto component = SdpTokens::number<uint16_t>(tokens.next(), 1, 256);
  c.transport = tokens.next();
  const auto priority = SdpTokens::number<uint32_t>(tokens.next(), 0, std::numeric_limits<uint32_t>::max());
  c.address = tokens.next();
  const auto port = SdpTokens::number<uint16_t>(tokens.next(), 0, 65535);
  const std::string_view typ = tokens.next();
  c.type = tokens.next();
  if (c.foundation.empty() || !component || c.transport.empty() || !priority || c.address.empty() || !port ||
      typ != "typ" || c.type.empty()) {
    reason = "a=candidate is not '<foundation> <component> <transport> <priority> <address> <port> typ <type>'";
    return std::nullopt;
  }
  c.component = *component;
  c.priority = *priority;
  c.port = *port;

  // Name-value pairs; the first raddr and rport are the related address, the rest extensions.
  while (!tokens.done()) {
    const std::string_view name = tokens.next();
    const std::string_view value = tokens.next();
    if (value.empty()) {
      reason = "a=candidate extension '" + std::string(name) + "' has no value";
      return std::nullopt;
    }
    if (name == "raddr" && !c.relatedAddress) {
      c.relatedAddress = std::string(value);
    } else if (name == "rport" && !c.relatedPort) {
      const auto related = SdpTokens::number<uint16_t>(value, 0, 65535);
      if (!related) {
        reason = "a=candidate rport is not a port number";
        return std::nullopt;
      }
      c.relatedPort = *related;
    } else {
      c.extensions.emplace_back(name, value);
    }
  }
  return c;
}

std::string Candidate::toText() const {
  std::string out = foundation + ' ' + std::to_string(component) + ' ' + transport + ' ' + std::to_string(priority) +
                    ' ' + address + ' ' + std::to_string(port) + " typ " + type;
  if (relatedAddress) out += " raddr " + *relatedAddress;
  if (relatedPort) out += " rport " + std::to_string(*relatedPort);
  for (const auto& [name, value] : extensions) out += ' ' + name + ' ' + value;
  return out;
}

}  // namespace onair::rtc::sdp
