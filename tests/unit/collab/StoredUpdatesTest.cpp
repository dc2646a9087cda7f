// StoredUpdates: the entry form of a document's stream — one update as a string, a batch as an
// array — round-trips, and anything else is refused rather than half-read.
#include "collab/StoredUpdates.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace onair::collab {
namespace {

using Updates = std::vector<std::vector<uint8_t>>;

TEST(StoredUpdates, OneUpdateIsABase64UrlString) {
  const Updates one = {{0x01, 0x02, 0xfb, 0xff}};
  EXPECT_EQ(StoredUpdates::encode(one), "\"AQL7_w\"");
  EXPECT_EQ(StoredUpdates::decode("\"AQL7_w\""), one);
}

TEST(StoredUpdates, ABatchIsAnArrayInOrder) {
  const Updates batch = {{0x01}, {0x02, 0x03}, {}, {0x04, 0x05, 0x06}};
  const std::string json = StoredUpdates::encode(batch);
  EXPECT_EQ(json, R"(["AQ","AgM","","BAUG"])");
  EXPECT_EQ(StoredUpdates::decode(json), batch);
}

TEST(StoredUpdates, AnythingElseIsRefused) {
  for (const std::string bad : {"", "\"", "\"AQ", "AQ", "\"A!\"", "\"AQ\"x", "[]", "[", "[\"AQ\"", "[\"AQ\",]", "[\"AQ\" ,\"Ag\"]",
                                "[\"AQ\"]x", "[\"AQ\",\"A\"]", "{\"a\":\"AQ\"}", "[[\"AQ\"]]", "null"}) {
    EXPECT_FALSE(StoredUpdates::decode(bad).has_value()) << bad;
  }
}

TEST(StoredUpdates, AnEntryHoldsAtMostTheLimit) {
  std::string json = "[";
  for (size_t i = 0; i < StoredUpdates::kMaxUpdates; ++i) json += i ? ",\"AQ\"" : "\"AQ\"";
  EXPECT_EQ(StoredUpdates::decode(json + "]")->size(), StoredUpdates::kMaxUpdates);
  EXPECT_FALSE(StoredUpdates::decode(json + ",\"AQ\"]").has_value());
}

}  // namespace
}  // namespace onair::collab
