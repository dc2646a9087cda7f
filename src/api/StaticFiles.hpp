#pragma once
// Serves regular files that resolve inside one folder (the demo pages in web/). Request paths
// are mapped by StaticPath (no absolute remainders, "..", empty or hidden segments); the file
// found is then resolved with symlinks followed and refused unless it still lies inside the
// root, so a link out of web/ serves nothing. "/" and "<folder>/" serve index.html.
#include <cstdint>
#include <optional>
#include <string>

#include "net/HttpMessage.hpp"

namespace onair::api {

class StaticFiles {
 public:
  // Largest file served; the demo pages are far smaller.
  static constexpr uintmax_t kMaxFileBytes = 16u << 20;

  // root: the folder to serve; empty turns static files off. It is resolved once here.
  explicit StaticFiles(std::string root);
  // nullopt when the path names no servable file (the caller answers 404).
  std::optional<net::HttpResponse> serve(const std::string& path) const;
  const std::string& root() const { return root_; }

 private:
  std::optional<std::string> resolveInsideRoot(const std::string& relative) const;

  std::string root_;           // as configured (for logs and the banner)
  std::string canonicalRoot_;  // symlinks resolved, no trailing '/'; empty when off
};

}  // namespace onair::api
