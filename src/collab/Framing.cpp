#include "collab/Framing.hpp"

#include "api/BinaryFrame.hpp"
#include "collab/yjs/Lib0Writer.hpp"
#include "net/WsCodec.hpp"

namespace onair::collab {

std::string topicOf(Framing framing, std::string_view document) {
  static constexpr std::string_view kPrefixes[] = {"yw:", "hp:", "yo:"};
  std::string topic(kPrefixes[static_cast<size_t>(framing)]);
  topic.append(document);
  return topic;
}

std::string onairTarget(std::string_view document) { return "yjs:" + std::string(document); }

std::string wrapMessage(Framing framing, std::string_view document, std::span<const uint8_t> message) {
  switch (framing) {
    case Framing::YWebsocket:
      return std::string(textOf(message));
    case Framing::Hocuspocus: {
      yjs::Lib0Writer writer;
      writer.writeVarString(document);
      writer.writeRaw(message);
      return std::string(textOf(writer.bytes()));
    }
    case Framing::Onair:
      return api::BinaryFrame::encode(0, onairTarget(document), textOf(message));
  }
  return {};
}

net::SharedFrame binaryFrame(std::span<const uint8_t> payload) {
  return net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Binary, textOf(payload)));
}

net::SharedFrame frameOf(Framing framing, std::string_view document, std::span<const uint8_t> message) {
  return net::makeSharedFrame(net::WsCodec::encodeFrame(net::WsOpcode::Binary, wrapMessage(framing, document, message)));
}

net::SharedFrame framesOf(Framing framing, std::string_view document, std::span<const std::vector<uint8_t>> messages) {
  std::string frames;
  for (const auto& message : messages) net::WsCodec::appendFrame(frames, net::WsOpcode::Binary, wrapMessage(framing, document, message));
  return net::makeSharedFrame(std::move(frames));
}

}  // namespace onair::collab
