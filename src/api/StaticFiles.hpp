#pragma once
// Serves files below one folder (the demo pages in web/). Paths with "..", backslashes or NUL
// are refused; "/" serves index.html.
#include <optional>
#include <string>

#include "net/HttpMessage.hpp"

namespace onair::api {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}
  // nullopt when the path names no file.
  std::optional<net::HttpResponse> serve(const std::string& path) const;
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace onair::api
