#include "collab/yjs/UpdateEncoder.hpp"

#include "collab/yjs/Lib0Writer.hpp"

namespace onair::collab::yjs {

namespace {

constexpr uint8_t kSkipInfo = 10;
constexpr uint8_t kGcInfo = 0;

void writeId(Lib0Writer& writer, const Id& id) {
  writer.writeVarUint(id.client);
  writer.writeVarUint(id.clock);
}

void writeContent(Lib0Writer& writer, const Content& content) {
  switch (content.kind) {
    case ContentKind::Deleted: writer.writeVarUint(content.deletedLength); return;
    case ContentKind::Json:
      writer.writeVarUint(content.elements.size());
      for (const auto& json : content.elements) writer.writeVarString(json);
      return;
    case ContentKind::Any:
      writer.writeVarUint(content.elements.size());
      for (const auto& any : content.elements) writer.writeRaw(any);
      return;
    case ContentKind::Binary:
    case ContentKind::String:
    case ContentKind::Embed: writer.writeVarString(content.text); return;
    case ContentKind::Format:
      writer.writeVarString(content.key);
      writer.writeVarString(content.text);
      return;
    case ContentKind::Type:
      writer.writeVarUint(content.typeRef);
      if (content.typeRef == 3 || content.typeRef == 5) writer.writeVarString(content.key);
      return;
    case ContentKind::Doc:
      writer.writeVarString(content.text);
      writer.writeRaw(content.docOptions);
      return;
  }
}

void writeItem(Lib0Writer& writer, const Struct& item) {
  const uint8_t info = static_cast<uint8_t>(item.content.kind) | (item.origin ? 0x80 : 0) |
                       (item.rightOrigin ? 0x40 : 0) | (item.parentSub ? 0x20 : 0);
  writer.writeUint8(info);
  if (item.origin) writeId(writer, *item.origin);
  if (item.rightOrigin) writeId(writer, *item.rightOrigin);
  if (!item.origin && !item.rightOrigin) {
    // Decoded and sliced items without origins always have a parent; a default one stands in
    // for a hand-built item that has none.
    const ItemParent parent = item.parent.value_or(ItemParent{});
    writer.writeVarUint(parent.isRoot ? 1 : 0);
    if (parent.isRoot) {
      writer.writeVarString(parent.rootName);
    } else {
      writeId(writer, parent.item);
    }
    if (item.parentSub) writer.writeVarString(*item.parentSub);
  }
  writeContent(writer, item.content);
}

void writeStruct(Lib0Writer& writer, const Struct& s) {
  if (s.kind == StructKind::Item) return writeItem(writer, s);
  writer.writeUint8(s.kind == StructKind::Skip ? kSkipInfo : kGcInfo);
  writer.writeVarUint(s.gcLength);
}

// Where each run starts in `structs`: a new run at every client change or clock gap.
std::vector<size_t> runStarts(const std::vector<Struct>& structs) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < structs.size(); ++i) {
    const bool continues = i > 0 && structs[i].id.client == structs[i - 1].id.client &&
                           structs[i].id.clock == structs[i - 1].endClock();
    if (!continues) starts.push_back(i);
  }
  return starts;
}

}  // namespace

std::vector<uint8_t> UpdateEncoder::encode(const Update& update) {
  Lib0Writer writer;
  const auto starts = runStarts(update.structs);
  writer.writeVarUint(starts.size());
  for (size_t r = 0; r < starts.size(); ++r) {
    const size_t begin = starts[r];
    const size_t end = r + 1 < starts.size() ? starts[r + 1] : update.structs.size();
    writer.writeVarUint(end - begin);
    writeId(writer, update.structs[begin].id);
    for (size_t i = begin; i < end; ++i) writeStruct(writer, update.structs[i]);
  }
  update.deleteSet.write(writer);
  return writer.take();
}

}  // namespace onair::collab::yjs
