#pragma once
// What a viewer receives of one participant's media (`stage.setSubscribeType`; seeds/003's
// SubscribeType): NONE nothing, AUDIO_ONLY audio, AUDIO_VIDEO everything (the default).
#include <string_view>

namespace onair::stage {

struct SubscribeType {
  static constexpr std::string_view kNone = "NONE";
  static constexpr std::string_view kAudioOnly = "AUDIO_ONLY";
  static constexpr std::string_view kAudioVideo = "AUDIO_VIDEO";

  // Whether `type` lets a track of `kind` ("audio" or "video") through; an empty or unknown
  // type is the default, AUDIO_VIDEO.
  static bool allows(std::string_view type, std::string_view kind) {
    if (type == kNone) return false;
    if (type == kAudioOnly) return kind == "audio";
    return true;
  }
};

}  // namespace onair::stage
