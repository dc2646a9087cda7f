// Awareness updates: bytes written by y-protocols 1.0.7 encodeAwarenessUpdate (printed by a
// script), and hostile ones.
#include <gtest/gtest.h>

#include "YjsTestBytes.hpp"

#include <string>
#include <vector>

#include "collab/yjs/AwarenessUpdate.hpp"
#include "collab/yjs/Lib0Writer.hpp"

using namespace onair::collab::yjs;

namespace {

using fixtures::hex;

// Client 1, clock 1, state {"user":{"name":"é","color":"#f00"}}.
const auto kOne = hex("010101257b2275736572223a7b226e616d65223a22c3a9222c22636f6c6f72223a2223663030227d7d");
// Client 1 after setLocalState(null): clock 2, state null.
const auto kRemoved = hex("010102046e756c6c");

std::vector<uint8_t> entries(const std::vector<std::pair<uint64_t, std::string>>& states) {
  Lib0Writer writer;
  writer.writeVarUint(states.size());
  for (const auto& [client, state] : states) {
    writer.writeVarUint(client);
    writer.writeVarUint(1);
    writer.writeVarString(state);
  }
  return writer.take();
}

}  // namespace

TEST(AwarenessUpdate, DecodesAClientsStateAsItsJsonText) {
  auto update = AwarenessUpdate::decode(kOne);
  ASSERT_TRUE(update) << describe(update.error());
  ASSERT_EQ(update->entries.size(), 1u);
  const auto& entry = update->entries[0];
  EXPECT_EQ(entry.clientId, 1u);
  EXPECT_EQ(entry.clock, 1u);
  EXPECT_EQ(entry.state, "{\"user\":{\"name\":\"\xC3\xA9\",\"color\":\"#f00\"}}");
  EXPECT_FALSE(entry.removed);
  EXPECT_EQ(update->encode(), kOne);
}

TEST(AwarenessUpdate, ANullStateIsARemoval) {
  auto update = AwarenessUpdate::decode(kRemoved);
  ASSERT_TRUE(update);
  ASSERT_EQ(update->entries.size(), 1u);
  EXPECT_TRUE(update->entries[0].removed);
  EXPECT_EQ(update->entries[0], AwarenessUpdate::Entry::removal(1, 2));
  AwarenessUpdate built;
  built.entries.push_back(AwarenessUpdate::Entry::removal(1, 2));
  EXPECT_EQ(built.encode(), kRemoved);
  // Whitespace around null is still null to JSON.parse.
  auto spaced = AwarenessUpdate::decode(entries({{7, " null "}}));
  ASSERT_TRUE(spaced);
  EXPECT_TRUE(spaced->entries[0].removed);
}

TEST(AwarenessUpdate, KeepsEveryEntryInOrder) {
  auto update = AwarenessUpdate::decode(entries({{3, "{}"}, {4294967295, "[1,2]"}, {5, "\"x\""}, {6, "null"}}));
  ASSERT_TRUE(update) << describe(update.error());
  ASSERT_EQ(update->entries.size(), 4u);
  EXPECT_EQ(update->entries[1].clientId, 4294967295u);
  EXPECT_EQ(update->entries[2].state, "\"x\"");
  EXPECT_FALSE(update->entries[2].removed);
  EXPECT_TRUE(update->entries[3].removed);
  EXPECT_EQ(update->encode(), entries({{3, "{}"}, {4294967295, "[1,2]"}, {5, "\"x\""}, {6, "null"}}));
  auto empty = AwarenessUpdate::decode(hex("00"));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->entries.empty());
}

TEST(AwarenessUpdate, StatesThatAreNotOneJsonValueAreRefused) {
  EXPECT_EQ(AwarenessUpdate::decode(entries({{1, "{"}})).error(), YjsError::BadJson);
  EXPECT_EQ(AwarenessUpdate::decode(entries({{1, ""}})).error(), YjsError::BadJson);
  EXPECT_EQ(AwarenessUpdate::decode(entries({{1, "{} {}"}})).error(), YjsError::BadJson);
  EXPECT_EQ(AwarenessUpdate::decode(entries({{1, "undefined"}})).error(), YjsError::BadJson);
  EXPECT_EQ(AwarenessUpdate::decode(entries({{1, "{}"}, {2, "nul"}})).error(), YjsError::BadJson);
  EXPECT_EQ(AwarenessUpdate::decode(entries({{1, std::string(40, '[') + std::string(40, ']')}})).error(), YjsError::BadJson);
  EXPECT_TRUE(AwarenessUpdate::decode(entries({{1, std::string(20, '[') + std::string(20, ']')}})));
}

TEST(AwarenessUpdate, LoneSurrogateEscapesAreJsonAsJsonParseReadsThem) {
  // JSON.stringify("\ud800") and friends: kept byte for byte.
  for (const std::string state : {"{\"name\":\"\\ud800\"}", "\"\\uDC00x\"", "\"\\ud83d\\ude00\"", "\"a\\\\ud800\""}) {
    auto update = AwarenessUpdate::decode(entries({{1, state}}));
    ASSERT_TRUE(update) << state << ": " << describe(update.error());
    EXPECT_EQ(update->entries[0].state, state);
  }
  EXPECT_EQ(AwarenessUpdate::decode(entries({{1, "\"\\ud8\""}})).error(), YjsError::BadJson);
  EXPECT_EQ(AwarenessUpdate::decode(entries({{1, "\"\\ud8zz\""}})).error(), YjsError::BadJson);
  EXPECT_EQ(AwarenessUpdate::decode(entries({{1, "\\ud800"}})).error(), YjsError::BadJson);
}

TEST(AwarenessUpdate, HostileUpdatesAreRefusedWithACode) {
  EXPECT_EQ(AwarenessUpdate::decode(hex("")).error(), YjsError::Truncated);
  EXPECT_EQ(AwarenessUpdate::decode(hex("ffffff0f010101")).error(), YjsError::TooManyEntries);
  EXPECT_EQ(AwarenessUpdate::decode(hex("05010101")).error(), YjsError::Truncated);  // five claimed, bytes for one
  EXPECT_EQ(AwarenessUpdate::decode(hex("010101056e756c6c")).error(), YjsError::Truncated);
  EXPECT_EQ(AwarenessUpdate::decode(hex("01010102c0af")).error(), YjsError::BadUtf8);
  EXPECT_EQ(AwarenessUpdate::decode(hex("010102046e756c6c00")).error(), YjsError::TrailingBytes);
  MessageLimits limits;
  limits.maxAwarenessStateBytes = 8;
  EXPECT_EQ(AwarenessUpdate::decode(kOne, limits).error(), YjsError::TooLarge);
  limits = MessageLimits{};
  limits.maxAwarenessEntries = 1;
  EXPECT_EQ(AwarenessUpdate::decode(entries({{1, "{}"}, {2, "{}"}}), limits).error(), YjsError::TooManyEntries);
  limits = MessageLimits{};
  limits.maxMessageBytes = 4;
  EXPECT_EQ(AwarenessUpdate::decode(kOne, limits).error(), YjsError::TooLarge);
}
