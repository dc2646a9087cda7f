#include "stage/SubscribeType.hpp"

#include <gtest/gtest.h>

namespace onair::stage {
namespace {

TEST(SubscribeType, NoneLetsNothingThrough) {
  EXPECT_FALSE(SubscribeType::allows("NONE", "audio"));
  EXPECT_FALSE(SubscribeType::allows("NONE", "video"));
}

TEST(SubscribeType, AudioOnlyLetsAudioThroughOnly) {
  EXPECT_TRUE(SubscribeType::allows("AUDIO_ONLY", "audio"));
  EXPECT_FALSE(SubscribeType::allows("AUDIO_ONLY", "video"));
}

TEST(SubscribeType, AudioVideoAndTheDefaultLetEverythingThrough) {
  for (const char* type : {"AUDIO_VIDEO", ""}) {
    EXPECT_TRUE(SubscribeType::allows(type, "audio")) << type;
    EXPECT_TRUE(SubscribeType::allows(type, "video")) << type;
  }
}

}  // namespace
}  // namespace onair::stage
