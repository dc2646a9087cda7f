#pragma once
// The server API of Yjs documents under /v1/collab/documents/{name} (docs/http-api.md "Collab
// documents"), for app backends that read or edit a document without a Yjs connection:
//   GET   the whole document as one Yjs update (encoding v1), application/octet-stream;
//   POST  a Yjs update (application/octet-stream) applied as a client's would be: checked, stored,
//         then sent to every connected client on every node; 200 once it is durable.
// The name is the path's last segment, percent-decoded: a collab room name (what room tokens
// name, and /v1/yjs/{name} and Hocuspocus clients open).
namespace onair::api {
class HttpRouter;
}

namespace onair::collab {

class DocumentService;

void registerDocumentRoutes(api::HttpRouter& router, DocumentService& documents);

}  // namespace onair::collab
