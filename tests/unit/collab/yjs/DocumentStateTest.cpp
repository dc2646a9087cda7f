// DocumentState on updates written by npm yjs 13.6.33 (the fixtures of YjsUpdateTest: fixed
// client ids), on updates out of order, and on hostile ones. The differential test against yjs
// on random editing sessions is tests/integration/yjs-document.test.mjs.
#include <gtest/gtest.h>

#include "YjsTestBytes.hpp"

#include <string>
#include <vector>

#include "collab/yjs/DocumentState.hpp"
#include "collab/yjs/UpdateDecoder.hpp"
#include "collab/yjs/UpdateDiff.hpp"
#include "collab/yjs/UpdateMerger.hpp"

using namespace onair::collab::yjs;

namespace {

using fixtures::hex;

using fixtures::kText;
using fixtures::kTextDeleted;
using fixtures::kMap;
using fixtures::kEmpty;

std::vector<uint8_t> merged(const std::vector<std::vector<uint8_t>>& updates) {
  const std::vector<std::span<const uint8_t>> spans(updates.begin(), updates.end());
  auto bytes = UpdateMerger::merge(spans);
  EXPECT_TRUE(bytes);
  return *bytes;
}

}  // namespace

TEST(DocumentState, AnEmptyDocumentAnswersTheEmptyUpdate) {
  DocumentState doc;
  EXPECT_TRUE(doc.stateVector().clocks().empty());
  EXPECT_EQ(*doc.fullState(), kEmpty);
  EXPECT_EQ(*doc.diff(StateVector{}), kEmpty);
  EXPECT_EQ(doc.storedBytes(), 0u);
  EXPECT_FALSE(doc.needsCompaction());
}

TEST(DocumentState, AppendKeepsTheStateVectorAndFullStateIsTheMerge) {
  DocumentState doc;
  ASSERT_EQ(doc.append(kText), YjsError::None);
  EXPECT_EQ(doc.stateVector().clock(1), 5u);
  ASSERT_EQ(doc.append(kMap), YjsError::None);
  ASSERT_EQ(doc.append(kTextDeleted), YjsError::None);
  EXPECT_EQ(doc.updates().size(), 3u);
  EXPECT_EQ(doc.storedBytes(), kText.size() + kMap.size() + kTextDeleted.size());
  EXPECT_EQ(doc.stateVector().clock(1), 5u);
  EXPECT_EQ(doc.stateVector().clock(2), 2u);
  const auto expected = merged({kText, kMap, kTextDeleted});
  EXPECT_EQ(*doc.fullState(), expected);
  EXPECT_EQ(doc.updates().size(), 1u) << "answering compacted the updates";
  auto decoded = UpdateDecoder::decode(expected);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(doc.stateVector(), StateVector::fromUpdate(*decoded));
}

TEST(DocumentState, AMalformedUpdateIsRefusedAndChangesNothing) {
  DocumentState doc;
  ASSERT_EQ(doc.append(kText), YjsError::None);
  const auto before = doc.stateVector();
  EXPECT_EQ(doc.append(hex("0101")), YjsError::Truncated);
  EXPECT_EQ(doc.append(hex("0101010017000000")), YjsError::UnknownContent);
  auto trailing = kMap;
  trailing.push_back(0);
  EXPECT_EQ(doc.append(trailing), YjsError::TrailingBytes);
  EXPECT_EQ(doc.updates().size(), 1u);
  EXPECT_EQ(doc.storedBytes(), kText.size());
  EXPECT_EQ(doc.stateVector(), before);
}

TEST(DocumentState, AnUpdateWithRunsInAnotherOrderThanYjsIsRefused) {
  // Client 1 then client 2 (yjs writes clients descending), and client 1 twice. Merged, such an
  // update lost structs and repeated others (found by fuzz_yjs_sync).
  const auto ascending = hex("02010100040101740161010200040101740162" "00");
  const auto repeated = hex("02010100040101740161010102040101740162" "00");
  ASSERT_TRUE(UpdateDecoder::decode(ascending));
  ASSERT_TRUE(UpdateDecoder::decode(repeated));
  DocumentState doc;
  EXPECT_EQ(doc.append(ascending), YjsError::UnorderedRuns);
  EXPECT_EQ(doc.append(repeated), YjsError::UnorderedRuns);
  EXPECT_TRUE(doc.updates().empty());
  const auto descending = hex("02010200040101740162010100040101740161" "00");
  EXPECT_EQ(doc.append(descending), YjsError::None);
  EXPECT_EQ(doc.stateVector().clock(1), 1u);
  EXPECT_EQ(doc.stateVector().clock(2), 1u);
}

TEST(DocumentState, AnUpdateWithNothingInItIsNotStored) {
  DocumentState doc;
  EXPECT_EQ(doc.append(kEmpty), YjsError::None);
  EXPECT_TRUE(doc.updates().empty());
}

TEST(DocumentState, UpdatesOutOfOrderCountOnlyOnceTheHoleIsFilled) {
  auto late = UpdateDiff::diff(kTextDeleted, hex("010102"));  // client 1 from clock 2 on
  ASSERT_TRUE(late);
  DocumentState doc;
  ASSERT_EQ(doc.append(*late), YjsError::None);
  EXPECT_EQ(doc.stateVector().clock(1), 0u) << "clocks 0..2 are missing";
  ASSERT_EQ(doc.append(kMap), YjsError::None);
  EXPECT_EQ(doc.stateVector().clock(1), 0u);
  ASSERT_EQ(doc.append(kText), YjsError::None);
  EXPECT_EQ(doc.stateVector().clock(1), 5u);
  EXPECT_EQ(*doc.fullState(), merged({*late, kMap, kText}));
}

TEST(DocumentState, DiffAnswersWhatAPeerLacks) {
  DocumentState doc;
  ASSERT_EQ(doc.append(kText), YjsError::None);
  ASSERT_EQ(doc.append(kMap), YjsError::None);
  ASSERT_EQ(doc.append(kTextDeleted), YjsError::None);
  const auto all = merged({kText, kMap, kTextDeleted});
  for (const auto& sv : {hex("00"), hex("010103"), hex("0201050202"), hex("0101ff01")}) {
    auto expected = UpdateDiff::diff(all, sv);
    ASSERT_TRUE(expected);
    auto answer = doc.diff(sv);
    ASSERT_TRUE(answer) << describe(answer.error());
    EXPECT_EQ(*answer, *expected);
  }
  // A peer with everything gets the delete set only.
  auto upToDate = doc.diff(doc.stateVector());
  ASSERT_TRUE(upToDate);
  auto decoded = UpdateDecoder::decode(*upToDate);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->structs.empty());
  EXPECT_EQ(decoded->deleteSet.clients().size(), 2u);
  EXPECT_EQ(doc.diff(hex("0101")).error(), YjsError::Truncated);
}

TEST(DocumentState, CompactionIsDueAfterNUpdatesOrMBytesAndKeepsTheDocument) {
  DocumentLimits limits;
  limits.compactAfterUpdates = 3;
  limits.compactAfterBytes = 1000;
  DocumentState doc(limits);
  ASSERT_EQ(doc.append(kText), YjsError::None);
  EXPECT_FALSE(doc.needsCompaction()) << "one update is compact";
  ASSERT_EQ(doc.append(kText), YjsError::None);
  ASSERT_EQ(doc.append(kText), YjsError::None);
  EXPECT_FALSE(doc.needsCompaction());
  ASSERT_EQ(doc.append(kMap), YjsError::None);
  EXPECT_TRUE(doc.needsCompaction());
  const auto sv = doc.stateVector();
  ASSERT_EQ(doc.compact(), YjsError::None);
  EXPECT_FALSE(doc.needsCompaction());
  EXPECT_EQ(doc.updates().size(), 1u);
  EXPECT_EQ(doc.updates().front(), merged({kText, kMap}));
  EXPECT_EQ(doc.storedBytes(), doc.updates().front().size());
  EXPECT_EQ(doc.stateVector(), sv);

  limits.compactAfterUpdates = 100;
  limits.compactAfterBytes = kText.size() + 1;
  DocumentState bytes(limits);
  ASSERT_EQ(bytes.append(kMap), YjsError::None);
  ASSERT_EQ(bytes.compact(), YjsError::None);
  ASSERT_EQ(bytes.append(kText), YjsError::None);
  EXPECT_FALSE(bytes.needsCompaction()) << "the bytes count from the last compaction";
  ASSERT_EQ(bytes.append(kTextDeleted), YjsError::None);
  EXPECT_TRUE(bytes.needsCompaction());
}

TEST(DocumentState, TheDocumentLimitCompactsBeforeItRefuses) {
  DocumentLimits limits;
  limits.maxDocumentBytes = kText.size() + kMap.size();
  DocumentState doc(limits);
  ASSERT_EQ(doc.append(kText), YjsError::None);
  ASSERT_EQ(doc.append(kMap), YjsError::None);
  // A repeat of what the document holds fits once the repeats are merged away.
  ASSERT_EQ(doc.append(kText), YjsError::None);
  EXPECT_LE(doc.storedBytes(), limits.maxDocumentBytes);
  EXPECT_EQ(doc.append(kTextDeleted), YjsError::TooLarge);
  EXPECT_EQ(doc.stateVector().clock(2), 2u);

  limits = DocumentLimits{};
  limits.maxDocumentStructs = 2;
  DocumentState structs(limits);
  ASSERT_EQ(structs.append(kMap), YjsError::None);
  ASSERT_EQ(structs.append(kMap), YjsError::None);
  EXPECT_EQ(structs.append(kText), YjsError::TooManyStructs);
  EXPECT_EQ(structs.updates().size(), 1u);
}

TEST(DocumentState, ASavedStateIsBoundByTheDocumentNotByOneClientUpdate) {
  DocumentLimits limits;
  limits.update.maxUpdateBytes = std::max(kText.size(), kMap.size());
  DocumentState writer(limits);
  ASSERT_EQ(writer.append(kText), YjsError::None);
  ASSERT_EQ(writer.append(kMap), YjsError::None);
  const auto saved = *writer.fullState();
  ASSERT_GT(saved.size(), limits.update.maxUpdateBytes);

  DocumentState reader(limits);
  EXPECT_EQ(reader.append(saved), YjsError::TooLarge) << "a client may not send that much at once";
  ASSERT_EQ(reader.appendSaved(saved), YjsError::None);
  EXPECT_EQ(reader.stateVector(), writer.stateVector());
  EXPECT_EQ(*reader.fullState(), saved);

  // Nor refused for the document's own limit: a compaction may grow a little past it, or it was
  // lowered since the save (decoding still bounds a saved state, at twice the limit).
  limits.maxDocumentBytes = saved.size() - 1;
  DocumentState smaller(limits);
  ASSERT_EQ(smaller.appendSaved(saved), YjsError::None);
  EXPECT_EQ(*smaller.fullState(), saved);
}

TEST(DocumentState, MemoryAccountingFollowsWhatIsHeld) {
  DocumentState doc;
  const size_t empty = doc.memoryBytes();
  ASSERT_EQ(doc.append(kText), YjsError::None);
  ASSERT_EQ(doc.append(kMap), YjsError::None);
  EXPECT_GE(doc.memoryBytes(), empty + doc.storedBytes());
  DocumentState many;
  for (int i = 0; i < 50; ++i) ASSERT_EQ(many.append(kTextDeleted), YjsError::None);
  const size_t before = many.memoryBytes();
  ASSERT_EQ(many.compact(), YjsError::None);
  EXPECT_LT(many.memoryBytes(), before);
}
