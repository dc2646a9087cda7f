// onair's Yjs update code on byte vectors written by npm yjs 13.6.33 (printed by a script with
// fixed client ids), and on hostile inputs.
#include <gtest/gtest.h>

#include "YjsTestBytes.hpp"

#include <string>
#include <vector>

#include "collab/yjs/Lib0Reader.hpp"
#include "collab/yjs/Lib0Writer.hpp"
#include "collab/yjs/StateVector.hpp"
#include "collab/yjs/UpdateDecoder.hpp"
#include "collab/yjs/UpdateDiff.hpp"
#include "collab/yjs/UpdateEncoder.hpp"
#include "collab/yjs/UpdateMerger.hpp"

using namespace onair::collab::yjs;

namespace {

using fixtures::hex;

using fixtures::kText;
// The same after delete(1, 1): three items ("a", "b" deleted, "😀c") and a delete set {1: [1,1)}.
using fixtures::kTextDeleted;
// Client 2: getMap('m').set('k', 1) then set('k', 'x'): a GC-less deleted item and an Any item.
using fixtures::kMap;

}  // namespace

TEST(Lib0, VarUintRoundTripsAndRefusesMoreThan53Bits) {
  for (uint64_t value : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, kMaxSafeInteger}) {
    Lib0Writer writer;
    writer.writeVarUint(value);
    Lib0Reader reader(writer.bytes());
    uint64_t read = 0;
    ASSERT_TRUE(reader.readVarUint(read));
    EXPECT_EQ(read, value);
    EXPECT_TRUE(reader.atEnd());
  }
  const auto tooLarge = hex("ffffffffffffffff10");  // 2^53 needs 54 bits
  Lib0Reader reader(tooLarge);
  uint64_t read = 0;
  EXPECT_FALSE(reader.readVarUint(read));
  EXPECT_EQ(reader.error(), YjsError::IntegerTooLarge);
  const auto truncated = hex("80");
  Lib0Reader shortReader(truncated);
  EXPECT_FALSE(shortReader.readVarUint(read));
  EXPECT_EQ(shortReader.error(), YjsError::Truncated);
}

TEST(Lib0, VarIntCarriesTheSignInTheFirstByte) {
  Lib0Writer writer;
  writer.writeVarInt(100, true);
  EXPECT_EQ(writer.bytes(), hex("e401"));  // 0x80 more | 0x40 sign | 100 & 0x3f, then 100 >> 6
  Lib0Reader reader(writer.bytes());
  uint64_t magnitude = 0;
  bool negative = false;
  ASSERT_TRUE(reader.readVarInt(magnitude, negative));
  EXPECT_EQ(magnitude, 100u);
  EXPECT_TRUE(negative);
}

TEST(Lib0, StringsAreUtf8CountedInUtf16Units) {
  EXPECT_EQ(utf16Length("ab\xF0\x9F\x98\x80" "c"), 5u);
  const auto overlong = hex("02c0af");
  Lib0Reader reader(overlong);
  std::string_view text;
  EXPECT_FALSE(reader.readVarString(text));
  EXPECT_EQ(reader.error(), YjsError::BadUtf8);
  const auto claimsTooMuch = hex("0561");
  Lib0Reader shortReader(claimsTooMuch);
  EXPECT_FALSE(shortReader.readVarString(text));
  EXPECT_EQ(shortReader.error(), YjsError::Truncated);
}

TEST(Lib0, AnyValuesAreCheckedAndKeptAsBytes) {
  // {"a": [1, "x", true, null, float64 0]}
  const auto any = hex("760101617505" "7d01" "770178" "78" "7e" "7b0000000000000000");
  Lib0Reader reader(any);
  std::string_view bytes;
  ASSERT_TRUE(reader.readAnyBytes(bytes));
  EXPECT_EQ(bytes.size(), any.size());
  const auto unknownTag = hex("10");
  Lib0Reader bad(unknownTag);
  EXPECT_FALSE(bad.readAnyBytes(bytes));
  EXPECT_EQ(bad.error(), YjsError::UnknownAnyTag);
  std::vector<uint8_t> deep(200, 0x75);  // arrays of one array of one array …
  for (size_t i = 1; i < deep.size(); i += 2) deep[i] = 0x01;
  Lib0Reader nested(deep, 64);
  EXPECT_FALSE(nested.readAnyBytes(bytes));
  EXPECT_EQ(nested.error(), YjsError::TooDeep);
}

TEST(YjsUpdate, DecodesAStringItemWithItsRootParent) {
  auto update = UpdateDecoder::decode(kText);
  ASSERT_TRUE(update) << describe(update.error());
  ASSERT_EQ(update->structs.size(), 1u);
  const Struct& item = update->structs[0];
  EXPECT_EQ(item.id, (Id{1, 0}));
  EXPECT_EQ(item.kind, StructKind::Item);
  ASSERT_TRUE(item.parent);
  EXPECT_TRUE(item.parent->isRoot);
  EXPECT_EQ(item.parent->rootName, "t");
  EXPECT_EQ(item.content.kind, ContentKind::String);
  EXPECT_EQ(item.length(), 5u);
  EXPECT_TRUE(update->deleteSet.clients().empty());
}

TEST(YjsUpdate, DecodeThenEncodeGivesYjsBytes) {
  for (const auto& bytes : {kText, kTextDeleted, kMap}) {
    auto update = UpdateDecoder::decode(bytes);
    ASSERT_TRUE(update) << describe(update.error());
    EXPECT_EQ(UpdateEncoder::encode(*update), bytes);
  }
}

TEST(YjsUpdate, DecodesMapItemsWithParentSubAndDeleteSet) {
  auto update = UpdateDecoder::decode(kMap);
  ASSERT_TRUE(update);
  ASSERT_EQ(update->structs.size(), 2u);
  EXPECT_EQ(update->structs[0].parentSub, "k");
  EXPECT_EQ(update->structs[1].origin, (Id{2, 0}));  // written after the first: origin, parentSub bit, no key
  EXPECT_EQ(update->structs[1].parentSub, "");
  EXPECT_EQ(update->structs[1].content.kind, ContentKind::Any);
  const auto& deleted = update->deleteSet.clients().at(2);
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0], (DeleteSet::Range{0, 1}));
}

TEST(YjsUpdate, StateVectorFromUpdateAndItsEncoding) {
  auto update = UpdateDecoder::decode(kTextDeleted);
  ASSERT_TRUE(update);
  const auto sv = StateVector::fromUpdate(*update);
  EXPECT_EQ(sv.encode(), hex("010105"));  // yjs: encodeStateVector(doc)
  auto decoded = StateVector::decode(hex("010105"));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->clock(1), 5u);
  EXPECT_EQ(decoded->clock(7), 0u);
  EXPECT_EQ(StateVector::decode(hex("01010500")).error(), YjsError::TrailingBytes);
}

TEST(YjsUpdate, DiffSlicesInsideASurrogatePairAsYjsDoes) {
  // yjs: diffUpdate(kText, {1: 3}) and diffUpdate(kText, {1: 2}).
  auto midPair = UpdateDiff::diff(kText, hex("010103"));
  ASSERT_TRUE(midPair);
  EXPECT_EQ(*midPair, hex("0101010384010204efbfbd6300"));
  auto beforePair = UpdateDiff::diff(kText, hex("010102"));
  ASSERT_TRUE(beforePair);
  EXPECT_EQ(*beforePair, hex("0101010284010105f09f98806300"));
  auto nothingNew = UpdateDiff::diff(kText, hex("010105"));
  ASSERT_TRUE(nothingNew);
  EXPECT_EQ(*nothingNew, hex("0000"));
}

TEST(YjsUpdate, MergeOfOverlappingUpdatesKeepsEachStructOnce) {
  auto merged = UpdateMerger::merge(std::vector<std::span<const uint8_t>>{kText, kTextDeleted, kMap});
  ASSERT_TRUE(merged) << describe(merged.error());
  auto update = UpdateDecoder::decode(*merged);
  ASSERT_TRUE(update);
  EXPECT_EQ(StateVector::fromUpdate(*update).clock(1), 5u);
  EXPECT_EQ(StateVector::fromUpdate(*update).clock(2), 2u);
  uint64_t client1Units = 0;
  for (const Struct& s : update->structs) {
    if (s.id.client == 1) client1Units += s.length();
  }
  EXPECT_EQ(client1Units, 5u);
  EXPECT_EQ(update->deleteSet.clients().size(), 2u);
}

TEST(YjsUpdate, MergeLeavesASkipWhereClocksAreMissing) {
  auto late = UpdateDiff::diff(kTextDeleted, hex("010102"));  // client 1 from clock 2 on
  ASSERT_TRUE(late);
  auto merged = UpdateMerger::merge(std::vector<std::span<const uint8_t>>{kMap, *late});
  ASSERT_TRUE(merged);
  auto update = UpdateDecoder::decode(*merged);
  ASSERT_TRUE(update);
  // Client 1 starts at clock 2: its state vector entry stays out (the update cannot vouch for 0..2).
  EXPECT_EQ(StateVector::fromUpdate(*update).clock(1), 0u);
}

TEST(YjsUpdate, HostileUpdatesAreRefusedWithACode) {
  EXPECT_EQ(UpdateDecoder::decode(hex("")).error(), YjsError::Truncated);
  EXPECT_EQ(UpdateDecoder::decode(hex("01ffffff0f0100")).error(), YjsError::Truncated);   // 2^28 structs claimed
  EXPECT_EQ(UpdateDecoder::decode(hex("0101010017000000")).error(), YjsError::UnknownContent);  // ref 23
  EXPECT_EQ(UpdateDecoder::decode(hex("010101000a0000")).error(), YjsError::EmptyStruct);  // Skip of 0
  EXPECT_EQ(UpdateDecoder::decode(hex("00000000")).error(), YjsError::TrailingBytes);
  EXPECT_EQ(UpdateDecoder::decode(hex("0101010007010174070000")).error(), YjsError::UnknownTypeRef);
  UpdateLimits small;
  small.maxUpdateBytes = 8;
  EXPECT_EQ(UpdateDecoder::decode(kText, small).error(), YjsError::TooLarge);
  small = UpdateLimits{};
  small.maxStructs = 2;
  EXPECT_EQ(UpdateDecoder::decode(kTextDeleted, small).error(), YjsError::TooManyStructs);
  // A GC of 2^53 - 1 units at clock 1 passes 2^53.
  EXPECT_EQ(UpdateDecoder::decode(hex("010101010" "0ffffffffffffff0f00")).error(), YjsError::ClockOverflow);
}

TEST(YjsUpdate, MergeJoinsAdjacentGcsAndFillsGapsWithSkipsAsYjsDoes) {
  // Two GC ranges of client 5; bytes expected from yjs's Y.mergeUpdates on the same inputs.
  const auto first = hex("01010500000200");
  const auto adjacent = hex("01010502000200");
  const auto apart = hex("01010505000200");
  auto joined = UpdateMerger::merge(std::vector<std::span<const uint8_t>>{first, adjacent});
  ASSERT_TRUE(joined);
  EXPECT_EQ(*joined, hex("01010500000400"));
  auto gapped = UpdateMerger::merge(std::vector<std::span<const uint8_t>>{first, apart});
  ASSERT_TRUE(gapped);
  EXPECT_EQ(*gapped, hex("0103050000020a03000200"));  // GC 0..2, Skip 2..5, GC 5..7
}

TEST(YjsUpdate, MergeRefusesInputsOverItsLimits) {
  UpdateLimits limits;
  limits.maxMergeStructs = 3;
  EXPECT_EQ(UpdateMerger::merge(std::vector<std::span<const uint8_t>>{kText, kTextDeleted}, limits).error(),
            YjsError::TooManyStructs);
  limits = UpdateLimits{};
  limits.maxMergeInputs = 1;
  EXPECT_EQ(UpdateMerger::merge(std::vector<std::span<const uint8_t>>{kText, kMap}, limits).error(),
            YjsError::TooManyUpdates);
  limits = UpdateLimits{};
  limits.maxMergeBytes = kText.size();
  EXPECT_EQ(UpdateMerger::merge(std::vector<std::span<const uint8_t>>{kText, kMap}, limits).error(), YjsError::TooLarge);
  EXPECT_EQ(UpdateMerger::merge(std::vector<std::span<const uint8_t>>{kText, hex("0101")}).error(), YjsError::Truncated);
}
