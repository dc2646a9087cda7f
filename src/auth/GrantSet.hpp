#pragma once
// The grants of one token, with their JSON form in the token:
//   "grants": {"room": {"project_*": ["publish","subscribe"]}, "live": {"content:*": ["attach"]}}
#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/Grant.hpp"

namespace onair::auth {

class GrantSet {
 public:
  GrantSet() = default;
  explicit GrantSet(std::vector<Grant> grants) : grants_(std::move(grants)) {}

  // From grant strings (CLI, HTTP API, SDK). On failure `error` names the offending entry.
  static std::optional<GrantSet> fromStrings(const std::vector<std::string>& texts, std::string& error);
  static std::optional<GrantSet> fromJson(const boost::json::value& json, std::string& error);

  boost::json::value toJson() const;
  std::vector<std::string> toStrings() const;

  bool allows(std::string_view surface, std::string_view name, std::string_view action) const;
  const std::vector<Grant>& grants() const { return grants_; }

 private:
  std::vector<Grant> grants_;
};

}  // namespace onair::auth
