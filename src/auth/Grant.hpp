#pragma once
// One grant: a surface, a name pattern and the actions allowed on names it matches.
// Written `<surface>:<pattern>:<action>[,<action>…]`, split at the first and the last colon, so
// patterns may contain colons (`live:content:*:attach`). `*` in a pattern matches any run of
// characters; the action `*` stands for every action of the surface.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace onair::auth {

class Grant {
 public:
  // Parses the string form; on failure returns nullopt and says why in `error`.
  static std::optional<Grant> parse(std::string_view text, std::string& error);
  // Builds from parts (the token's JSON form); validates like parse().
  static std::optional<Grant> make(std::string_view surface, std::string_view pattern,
                                   std::span<const std::string> actions, std::string& error);

  // The surfaces and their actions (docs/protocol.md).
  static bool isSurface(std::string_view surface);
  static std::span<const std::string_view> actionsOf(std::string_view surface);

  bool allows(std::string_view surface, std::string_view name, std::string_view action) const;

  const std::string& surface() const { return surface_; }
  const std::string& pattern() const { return pattern_; }
  const std::vector<std::string>& actions() const { return actions_; }
  std::string toString() const;

  static bool matches(std::string_view pattern, std::string_view name);

 private:
  std::string surface_;
  std::string pattern_;
  std::vector<std::string> actions_;
  // The same actions as bits over actionsOf(surface_); kAnyAction for `*`.
  static constexpr uint32_t kAnyAction = uint32_t{1} << 31;
  uint32_t actionMask_ = 0;
};

}  // namespace onair::auth
