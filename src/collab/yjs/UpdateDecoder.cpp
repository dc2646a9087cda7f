#include "collab/yjs/UpdateDecoder.hpp"

#include "collab/yjs/Lib0Reader.hpp"

namespace onair::collab::yjs {

namespace {

constexpr uint8_t kSkipInfo = 10;
constexpr uint8_t kHasOrigin = 0x80;
constexpr uint8_t kHasRightOrigin = 0x40;
constexpr uint8_t kHasParentSub = 0x20;
constexpr uint8_t kContentRefMask = 0x1F;
constexpr uint64_t kTypeXmlElement = 3;
constexpr uint64_t kTypeXmlHook = 5;
constexpr uint64_t kLastTypeRef = 6;

bool readId(Lib0Reader& reader, Id& id) { return reader.readVarUint(id.client) && reader.readVarUint(id.clock); }

bool readString(Lib0Reader& reader, std::string& out) {
  std::string_view view;
  if (!reader.readVarString(view)) return false;
  out.assign(view);
  return true;
}

// `count` elements each read by `readOne`, after checking that the bytes can hold them.
template <class ReadOne>
bool readElements(Lib0Reader& reader, std::vector<std::string>& out, ReadOne readOne) {
  uint64_t count = 0;
  if (!reader.readVarUint(count)) return false;
  if (count > reader.remaining()) return reader.fail(YjsError::Truncated);
  out.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view element;
    if (!readOne(element)) return false;
    out.emplace_back(element);
  }
  return true;
}

bool readContent(Lib0Reader& reader, uint8_t ref, Content& content) {
  content.kind = static_cast<ContentKind>(ref);
  std::span<const uint8_t> binary;
  std::string_view any;
  switch (content.kind) {
    case ContentKind::Deleted: return reader.readVarUint(content.deletedLength);
    case ContentKind::Json:
      return readElements(reader, content.elements, [&](std::string_view& s) { return reader.readVarString(s); });
    case ContentKind::Any:
      return readElements(reader, content.elements, [&](std::string_view& s) { return reader.readAnyBytes(s); });
    case ContentKind::Binary:
      if (!reader.readVarUint8Array(binary)) return false;
      content.text.assign(binary.begin(), binary.end());
      return true;
    case ContentKind::String:
      if (!readString(reader, content.text)) return false;
      content.stringUnits = utf16Length(content.text);
      return true;
    case ContentKind::Embed: return readString(reader, content.text);
    case ContentKind::Format: return readString(reader, content.key) && readString(reader, content.text);
    case ContentKind::Type:
      if (!reader.readVarUint(content.typeRef)) return false;
      if (content.typeRef > kLastTypeRef) return reader.fail(YjsError::UnknownTypeRef);
      if (content.typeRef == kTypeXmlElement || content.typeRef == kTypeXmlHook) return readString(reader, content.key);
      return true;
    case ContentKind::Doc:
      if (!readString(reader, content.text) || !reader.readAnyBytes(any)) return false;
      content.docOptions.assign(any);
      return true;
  }
  return reader.fail(YjsError::UnknownContent);
}

bool readItem(Lib0Reader& reader, uint8_t info, Struct& item) {
  item.kind = StructKind::Item;
  if ((info & kHasOrigin) != 0 && !readId(reader, item.origin.emplace())) return false;
  if ((info & kHasRightOrigin) != 0 && !readId(reader, item.rightOrigin.emplace())) return false;
  if ((info & (kHasOrigin | kHasRightOrigin)) == 0) {
    uint64_t parentInfo = 0;
    if (!reader.readVarUint(parentInfo)) return false;
    ItemParent& parent = item.parent.emplace();
    parent.isRoot = parentInfo == 1;
    if (parent.isRoot ? !readString(reader, parent.rootName) : !readId(reader, parent.item)) return false;
    if ((info & kHasParentSub) != 0 && !readString(reader, item.parentSub.emplace())) return false;
  } else if ((info & kHasParentSub) != 0) {
    item.parentSub.emplace();  // the wire says there is one but does not carry it
  }
  const uint8_t ref = info & kContentRefMask;
  if (ref > static_cast<uint8_t>(ContentKind::Doc)) return reader.fail(YjsError::UnknownContent);
  return readContent(reader, ref, item.content);
}

bool readStruct(Lib0Reader& reader, Struct& out) {
  uint8_t info = 0;
  if (!reader.readUint8(info)) return false;
  if (info == kSkipInfo || (info & kContentRefMask) == 0) {
    out.kind = info == kSkipInfo ? StructKind::Skip : StructKind::Gc;
    return reader.readVarUint(out.gcLength);
  }
  return readItem(reader, info, out);
}

}  // namespace

Expected<Update> UpdateDecoder::decode(std::span<const uint8_t> bytes, const UpdateLimits& limits) {
  if (bytes.size() > limits.maxUpdateBytes) return YjsError::TooLarge;
  Lib0Reader reader(bytes, limits.maxAnyDepth);
  Update update;
  uint64_t runCount = 0;
  if (!reader.readVarUint(runCount)) return reader.error();
  for (uint64_t run = 0; run < runCount; ++run) {
    uint64_t structCount = 0;
    Id id;
    if (!reader.readVarUint(structCount) || !readId(reader, id)) return reader.error();
    // Every struct takes at least two bytes.
    if (structCount > reader.remaining() / 2) return YjsError::Truncated;
    for (uint64_t i = 0; i < structCount; ++i) {
      if (update.structs.size() >= limits.maxStructs) return YjsError::TooManyStructs;
      Struct& s = update.structs.emplace_back();
      s.id = id;
      if (!readStruct(reader, s)) return reader.error();
      if (s.length() == 0) return YjsError::EmptyStruct;
      if (s.length() > kMaxSafeInteger - id.clock) return YjsError::ClockOverflow;
      id.clock += s.length();
    }
  }
  if (!update.deleteSet.read(reader, limits)) return reader.error();
  if (!reader.atEnd()) return YjsError::TrailingBytes;
  return update;
}

}  // namespace onair::collab::yjs
