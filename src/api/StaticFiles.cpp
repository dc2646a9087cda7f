#include "api/StaticFiles.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "api/StaticPath.hpp"

namespace onair::api {
namespace fs = std::filesystem;
namespace {

std::string contentTypeOf(const fs::path& p) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"}};
  auto it = types.find(p.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

// True when `inner` is `outer` or lies below it, comparing whole path components.
bool isWithin(const std::string& inner, const std::string& outer) {
  if (inner.size() < outer.size() || inner.compare(0, outer.size(), outer) != 0) return false;
  return inner.size() == outer.size() || inner[outer.size()] == '/';
}

}  // namespace

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {
  if (root_.empty()) return;
  std::error_code ec;
  const fs::path canonical = fs::canonical(root_, ec);
  if (ec || !fs::is_directory(canonical, ec)) return;
  canonicalRoot_ = canonical.string();
  while (canonicalRoot_.size() > 1 && canonicalRoot_.back() == '/') canonicalRoot_.pop_back();
}

std::optional<std::string> StaticFiles::resolveInsideRoot(const std::string& relative) const {
  std::error_code ec;
  fs::path file = fs::canonical(fs::path(canonicalRoot_) / relative, ec);
  if (ec) return std::nullopt;
  // A folder named without its trailing '/' serves its index page, checked again.
  if (fs::is_directory(file, ec)) file = fs::canonical(file / "index.html", ec);
  if (ec || !isWithin(file.string(), canonicalRoot_)) return std::nullopt;
  if (!fs::is_regular_file(file, ec) || fs::file_size(file, ec) > kMaxFileBytes || ec) return std::nullopt;
  return file.string();
}

std::optional<net::HttpResponse> StaticFiles::serve(const std::string& path) const {
  if (canonicalRoot_.empty()) return std::nullopt;
  const auto relative = StaticPath::map(path);
  if (!relative) return std::nullopt;
  const auto file = resolveInsideRoot(*relative);
  if (!file) return std::nullopt;
  std::ifstream in(*file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  net::HttpResponse r{200, contentTypeOf(*file), body.str(), {}};
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

}  // namespace onair::api
