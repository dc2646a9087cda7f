#include "auth/Grant.hpp"

#include <algorithm>
#include <array>

namespace onair::auth {
namespace {

struct SurfaceActions {
  std::string_view surface;
  std::span<const std::string_view> actions;
};

constexpr std::array<std::string_view, 6> kRoom{"subscribe", "publish", "presence", "history", "metadata", "admin"};
constexpr std::array<std::string_view, 3> kChannel{"subscribe", "publish", "history"};
constexpr std::array<std::string_view, 2> kLive{"publish", "attach"};
constexpr std::array<std::string_view, 4> kStage{"host", "viewer", "publish", "subscribe"};
constexpr std::array<std::string_view, 4> kStream{"join", "publish", "subscribe", "manage"};
constexpr std::array<std::string_view, 2> kCollab{"read-write", "readonly"};

constexpr std::array<SurfaceActions, 6> kSurfaces{{
    {"room", kRoom}, {"channel", kChannel}, {"live", kLive},
    {"stage", kStage}, {"stream", kStream}, {"collab", kCollab},
}};

constexpr size_t kMaxPatternBytes = 255;

// The bit of `action` in its surface's list; 0 for an action the surface does not have.
uint32_t actionBit(std::span<const std::string_view> known, std::string_view action) {
  for (size_t i = 0; i < known.size(); ++i) {
    if (known[i] == action) return uint32_t{1} << i;
  }
  return 0;
}

}  // namespace

bool Grant::isSurface(std::string_view surface) {
  return std::any_of(kSurfaces.begin(), kSurfaces.end(), [&](const auto& s) { return s.surface == surface; });
}

std::span<const std::string_view> Grant::actionsOf(std::string_view surface) {
  for (const auto& s : kSurfaces) {
    if (s.surface == surface) return s.actions;
  }
  return {};
}

std::optional<Grant> Grant::parse(std::string_view text, std::string& error) {
  auto first = text.find(':');
  auto last = text.rfind(':');
  if (first == std::string_view::npos || first == last) {
    error = "grant '" + std::string(text.substr(0, 64)) + "' must be <surface>:<pattern>:<actions>";
    return std::nullopt;
  }
  std::vector<std::string> actions;
  std::string_view list = text.substr(last + 1);
  while (true) {
    auto comma = list.find(',');
    actions.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return make(text.substr(0, first), text.substr(first + 1, last - first - 1), actions, error);
}

std::optional<Grant> Grant::make(std::string_view surface, std::string_view pattern,
                                 std::span<const std::string> actions, std::string& error) {
  if (!isSurface(surface)) {
    error = "unknown grant surface '" + std::string(surface.substr(0, 32)) +
            "' (room, channel, live, stage, stream, collab)";
    return std::nullopt;
  }
  if (pattern.empty() || pattern.size() > kMaxPatternBytes) {
    error = "grant pattern must be 1 to 255 bytes";
    return std::nullopt;
  }
  if (actions.empty()) {
    error = "grant for '" + std::string(surface) + "' names no action";
    return std::nullopt;
  }
  auto known = actionsOf(surface);
  Grant g;
  for (const auto& a : actions) {
    if (a != "*" && std::find(known.begin(), known.end(), a) == known.end()) {
      error = "unknown action '" + a.substr(0, 32) + "' for surface '" + std::string(surface) + "'";
      return std::nullopt;
    }
    if (std::find(g.actions_.begin(), g.actions_.end(), a) == g.actions_.end()) g.actions_.push_back(a);
    g.actionMask_ |= a == "*" ? kAnyAction : actionBit(known, a);
  }
  g.surface_ = surface;
  g.pattern_ = pattern;
  return g;
}

// Checked per request: the actions as a mask over the surface's fixed list (no walk over a
// heap-held vector of strings, which cost a cache miss or two per attach in bench/live_churn).
bool Grant::allows(std::string_view surface, std::string_view name, std::string_view action) const {
  if (surface != surface_) return false;
  const bool actionOk = (actionMask_ & kAnyAction) || (actionMask_ & actionBit(actionsOf(surface), action));
  return actionOk && matches(pattern_, name);
}

std::string Grant::toString() const {
  std::string out = surface_ + ":" + pattern_ + ":";
  for (size_t i = 0; i < actions_.size(); ++i) {
    if (i) out += ',';
    out += actions_[i];
  }
  return out;
}

bool Grant::matches(std::string_view pattern, std::string_view name) {
  // Iterative wildcard match with backtracking to the last '*': linear in practice, never
  // exponential, so a hostile pattern cannot stall a loop.
  size_t p = 0, n = 0, starP = std::string_view::npos, starN = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      starP = p++;
      starN = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p, ++n;
    } else if (starP != std::string_view::npos) {
      p = starP + 1;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace onair::auth
