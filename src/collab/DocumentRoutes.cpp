#include "collab/DocumentRoutes.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <cctype>

#include "api/HttpReply.hpp"
#include "api/HttpRouter.hpp"
#include "api/QueryArgs.hpp"
#include "collab/DocumentService.hpp"
#include "collab/yjs/StateVector.hpp"
#include "rooms/RoomName.hpp"

namespace onair::collab {
namespace {

using api::ErrorCode;
using Respond = api::HttpRouter::Respond;

constexpr std::string_view kPrefix = "/v1/collab/documents/";
constexpr std::string_view kBinary = "application/octet-stream";
constexpr uint8_t kEmptyStateVector = 0;  // no client: the diff is the whole document
constexpr int64_t kRetryAfterMs = 1000;

// The request's target: a document's name, and whether the path ends in "/diff" (the part of the
// document a state vector lacks). An empty name when there is none; several segments otherwise
// make an invalid name.
struct Target {
  std::string name;
  bool diff = false;
};

Target targetOf(const std::string& path) {
  auto segments = api::QueryArgs::segments(path, 3);
  if (segments.empty()) return {};
  if (segments.size() == 2 && segments[1] == "diff") return {std::move(segments[0]), true};
  return {segments.size() == 1 ? std::move(segments[0]) : path, false};
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

void sendDiff(DocumentService& documents, size_t shard, const std::string& name, std::vector<uint8_t> stateVector, const Respond& respond) {
  documents.diffLatest(shard, name, std::move(stateVector), [respond, name](engine::Outcome<DocumentService::Synced> outcome) {
    if (auto* error = std::get_if<engine::EngineError>(&outcome)) {
      return respondError(respond, ErrorCode::ServiceUnavailable, "document " + name + " could not be read: " + error->message, kRetryAfterMs);
    }
    auto& update = std::get<DocumentService::Synced>(outcome).update;
    respond({200, std::string(kBinary), std::string(update.begin(), update.end()), {}});
  });
}

// POST {name}/diff: the body is a state vector (Y.encodeStateVector), checked before the document
// is touched; the reply holds what the document has past it.
void postDiff(DocumentService& documents, size_t shard, const std::string& name, const net::HttpRequest& req, const Respond& respond) {
  std::vector<uint8_t> stateVector(req.body.begin(), req.body.end());
  if (!isBinary(req.contentType) || !yjs::StateVector::decode(stateVector, documents.options().limits.update)) {
    return respondError(respond, ErrorCode::InvalidArgument,
                        "send a Yjs state vector (Y.encodeStateVector) as application/octet-stream");
  }
  sendDiff(documents, shard, name, std::move(stateVector), respond);
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
                     const auto [name, diff] = targetOf(req.path);
                     if (name.empty()) return respondError(respond, ErrorCode::NotFound, "name a document: /v1/collab/documents/{name}");
                     if (!rooms::RoomName::isValid(name)) {
                       return respondError(respond, ErrorCode::InvalidArgument, std::string("a document name is a collab room name: ") + rooms::RoomName::kRule);
                     }
                     if (diff && req.method == "POST") return postDiff(documents, loop.index(), name, req, respond);
                     if (!diff && req.method == "GET") return sendDiff(documents, loop.index(), name, {kEmptyStateVector}, respond);
                     if (!diff && req.method == "POST") return postUpdate(documents, loop.index(), name, req, respond);
                     respondError(respond, ErrorCode::NotFound,
                                  "no such route: " + req.method + " " + req.path + " (GET or POST {name}, POST {name}/diff)");
                   });
}

}  // namespace onair::collab
