#include "collab/DocumentRoutes.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <cctype>

#include "api/HttpReply.hpp"
#include "api/HttpRouter.hpp"
#include "api/QueryArgs.hpp"
#include "collab/DocumentService.hpp"
#include "rooms/RoomName.hpp"

namespace onair::collab {
namespace {

using api::ErrorCode;
using Respond = api::HttpRouter::Respond;

constexpr std::string_view kPrefix = "/v1/collab/documents/";
constexpr std::string_view kBinary = "application/octet-stream";
constexpr uint8_t kEmptyStateVector = 0;  // no client: the diff is the whole document
constexpr int64_t kRetryAfterMs = 1000;

// The document's name: the one path segment after the prefix, percent-decoded ("" when none).
std::string nameOf(const std::string& path) {
  auto segments = api::QueryArgs::segments(path, 3);
  if (segments.empty()) return {};
  return segments.size() == 1 ? segments[0] : path;  // several segments: an invalid name
}

// The media type, case-insensitive, parameters ignored ("application/octet-stream; x=y").
bool isBinary(std::string_view contentType) {
  const auto type = contentType.substr(0, contentType.find(';'));
  const auto end = type.find_last_not_of(" \t");
  if (end == std::string_view::npos || end + 1 != kBinary.size()) return false;
  return std::equal(kBinary.begin(), kBinary.end(), type.begin(),
                    [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

void respondError(const Respond& respond, ErrorCode code, std::string message, std::optional<int64_t> retryAfterMs = std::nullopt) {
  respond(api::errorReply({code, std::move(message), retryAfterMs}));
}

void getDocument(DocumentService& documents, size_t shard, const std::string& name, const Respond& respond) {
  documents.diff(shard, name, {kEmptyStateVector}, [respond, name](engine::Outcome<DocumentService::Synced> outcome) {
    if (auto* error = std::get_if<engine::EngineError>(&outcome)) {
      return respondError(respond, ErrorCode::ServiceUnavailable, "document " + name + " could not be loaded: " + error->message, kRetryAfterMs);
    }
    auto& update = std::get<DocumentService::Synced>(outcome).update;
    respond({200, std::string(kBinary), std::string(update.begin(), update.end()), {}});
  });
}

void postUpdate(DocumentService& documents, size_t shard, const std::string& name, const net::HttpRequest& req, const Respond& respond) {
  if (!isBinary(req.contentType)) {
    return respondError(respond, ErrorCode::InvalidArgument, "send the update as application/octet-stream (a Yjs update, encoding v1)");
  }
  if (req.body.empty()) return respondError(respond, ErrorCode::InvalidArgument, "the body is empty: send a Yjs update (encoding v1)");
  std::vector<uint8_t> update(req.body.begin(), req.body.end());
  // done(Stored) may run inside the service's processing: it only answers the request.
  documents.update(shard, name, std::move(update), [respond, name](DocumentService::UpdateResult result) {
    using Result = DocumentService::UpdateResult;
    switch (result) {
      case Result::Stored:
        return respond(api::jsonReply(200, boost::json::object{{"stored", true}}));
      case Result::Invalid:
        return respondError(respond, ErrorCode::InvalidArgument, "the body is not a valid Yjs update (encoding v1)");
      case Result::TooLarge:
        return respondError(respond, ErrorCode::PayloadTooLarge, "document " + name + " would pass its size limit (collab.max_document_bytes)");
      case Result::Busy:
        return respondError(respond, ErrorCode::ServiceUnavailable, "document " + name + " is busy saving: try again", kRetryAfterMs);
      case Result::Unavailable:
        return respondError(respond, ErrorCode::ServiceUnavailable, "storage unavailable: the update was not stored", kRetryAfterMs);
    }
  });
}

}  // namespace

void registerDocumentRoutes(api::HttpRouter& router, DocumentService& documents) {
  router.addPrefix(std::string(kPrefix), api::HttpRouter::Access::ApiKey,
                   [&documents](net::EventLoop& loop, const net::HttpRequest& req, Respond respond) {
                     const std::string name = nameOf(req.path);
                     if (name.empty()) return respondError(respond, ErrorCode::NotFound, "name a document: /v1/collab/documents/{name}");
                     if (!rooms::RoomName::isValid(name)) {
                       return respondError(respond, ErrorCode::InvalidArgument, std::string("a document name is a collab room name: ") + rooms::RoomName::kRule);
                     }
                     if (req.method == "GET") return getDocument(documents, loop.index(), name, respond);
                     if (req.method == "POST") return postUpdate(documents, loop.index(), name, req, respond);
                     respondError(respond, ErrorCode::NotFound, "no such route: " + req.method + " " + req.path + " (GET or POST)");
                   });
}

}  // namespace onair::collab
