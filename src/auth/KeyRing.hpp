#pragma once
// API keys and their secrets. Several keys may be live at once (rotation); tokens name theirs
// with `kid`. Secrets never leave this object except to sign or verify.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onair::auth {

class KeyRing {
 public:
  void add(std::string key, std::string secret);
  // The secret of `key`, or nullptr.
  const std::string* secretOf(std::string_view key) const;
  // The key new tokens are signed with: the first one added.
  std::optional<std::string> primaryKey() const;
  bool empty() const { return secrets_.empty(); }
  std::vector<std::string> keys() const { return order_; }

 private:
  std::map<std::string, std::string, std::less<>> secrets_;
  std::vector<std::string> order_;
};

}  // namespace onair::auth
