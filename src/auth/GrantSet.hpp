#pragma once
// The grants of one token, with their JSON form in the token:
//   "grants": {"room": {"project_*": ["publish","subscribe"]}, "live": {"content:*": ["attach"]}}
//
// Immutable once built, and shared: sets with the same grants (most users of one app hold the
// same few) are one list in memory, found again through a per-thread table. Every request checks
// its session's grants; one shared list stays in cache where a copy per connection would be a
// cold read each time (bench/live_churn), and a connection carries a pointer instead of a copy.
#include <boost/json/fwd.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/Grant.hpp"

namespace onair::auth {

class GrantSet {
 public:
  GrantSet();
  explicit GrantSet(std::vector<Grant> grants);
  // Copies only (a move would leave a set without its list): copying shares the list.
  GrantSet(const GrantSet&) = default;
  GrantSet& operator=(const GrantSet&) = default;

  // From grant strings (CLI, HTTP API, SDK). On failure `error` names the offending entry.
  static std::optional<GrantSet> fromStrings(const std::vector<std::string>& texts, std::string& error);
  static std::optional<GrantSet> fromJson(const boost::json::value& json, std::string& error);

  boost::json::value toJson() const;
  std::vector<std::string> toStrings() const;

  bool allows(std::string_view surface, std::string_view name, std::string_view action) const;
  const std::vector<Grant>& grants() const { return *grants_; }

 private:
  std::shared_ptr<const std::vector<Grant>> grants_;  // never null
};

}  // namespace onair::auth
