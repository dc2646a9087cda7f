// DocumentSnapshot: the Registry record of a saved document round-trips, and anything another
// writer could have damaged is refused rather than loaded.
#include "collab/DocumentSnapshot.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "yjs/YjsTestBytes.hpp"

namespace onair::collab {
namespace {

TEST(DocumentSnapshot, RoundTripsThroughJson) {
  const DocumentSnapshot saved{yjs::fixtures::kText, 42, "epoch-1"};
  auto parsed = DocumentSnapshot::parse(saved.toJson());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->state, saved.state);
  EXPECT_EQ(parsed->through, 42u);
  EXPECT_EQ(parsed->epoch, "epoch-1");
}

TEST(DocumentSnapshot, AnEmptyStateAndTheLargestOffsetRoundTrip) {
  const DocumentSnapshot saved{{}, UINT64_MAX, ""};
  auto parsed = DocumentSnapshot::parse(saved.toJson());
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->state.empty());
  EXPECT_EQ(parsed->through, UINT64_MAX);
  EXPECT_EQ(parsed->epoch, "");
}

TEST(DocumentSnapshot, TheStateIsBase64Url) {
  const DocumentSnapshot saved{{0xfb, 0xff, 0x00}, 1, "e"};
  EXPECT_NE(saved.toJson().find(R"("state":"-_8A")"), std::string::npos) << saved.toJson();
}

TEST(DocumentSnapshot, DamagedJsonIsRefused) {
  for (const char* json : {"", "{", "[]", "null", "\"x\"", R"({"state":"AA","through":1,"epoch":"e"} x)",
                           R"({"state":"AA","through":1,"epoch":"e")"}) {
    EXPECT_FALSE(DocumentSnapshot::parse(json)) << json;
  }
}

TEST(DocumentSnapshot, DamagedBase64IsRefused) {
  for (const char* json : {R"({"state":"A=B","through":1,"epoch":"e"})", R"({"state":"A","through":1,"epoch":"e"})",
                           R"({"state":"AA+/","through":1,"epoch":"e"})", R"({"state":"A A","through":1,"epoch":"e"})"}) {
    EXPECT_FALSE(DocumentSnapshot::parse(json)) << json;
  }
}

TEST(DocumentSnapshot, MissingOrMistypedFieldsAreRefused) {
  for (const char* json : {
           R"({"through":1,"epoch":"e"})",                 // no state
           R"({"state":"AA","epoch":"e"})",                // no offset
           R"({"state":"AA","through":1})",                // no epoch
           R"({"state":1,"through":1,"epoch":"e"})",       // state not a string
           R"({"state":"AA","through":"1","epoch":"e"})",  // offset a string
           R"({"state":"AA","through":-1,"epoch":"e"})",   // negative offset
           R"({"state":"AA","through":1.5,"epoch":"e"})",  // fractional offset
           R"({"state":"AA","through":1,"epoch":7})",      // epoch not a string
       }) {
    EXPECT_FALSE(DocumentSnapshot::parse(json)) << json;
  }
}

}  // namespace
}  // namespace onair::collab
