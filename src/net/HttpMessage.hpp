#pragma once
// Plain request/response values passed between the HTTP server (Beast) and the API layer, so
// Beast stays inside net/HttpServer.cpp.
#include <string>
#include <utility>
#include <vector>

namespace onair::net {

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string path;    // target without the query
  std::string query;   // after '?', undecoded
  std::string host;  // the Host header as sent (name or address, maybe with a port); "" if absent
  std::string authorization;
  std::string contentType;
  std::string body;
  std::string remote;  // peer address, for logs
};

struct HttpResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace onair::net
