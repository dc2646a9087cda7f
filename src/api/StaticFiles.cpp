#include "api/StaticFiles.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace onair::api {
namespace {

std::string contentTypeOf(const std::filesystem::path& p) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"}};
  auto it = types.find(p.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

}  // namespace

std::optional<net::HttpResponse> StaticFiles::serve(const std::string& path) const {
  if (root_.empty() || path.empty() || path[0] != '/') return std::nullopt;
  if (path.find("..") != std::string::npos || path.find('\\') != std::string::npos ||
      path.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  std::filesystem::path file = std::filesystem::path(root_) / path.substr(1);
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) file /= "index.html";
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  net::HttpResponse r{200, contentTypeOf(file), body.str(), {}};
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

}  // namespace onair::api
