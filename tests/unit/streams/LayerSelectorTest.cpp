#include "streams/LayerSelector.hpp"

#include <gtest/gtest.h>

using namespace onair::streams;
using namespace std::chrono_literals;

namespace {

const LayerSelector::TimePoint now = LayerSelector::TimePoint{} + 100s;

}  // namespace

TEST(LayerSelector, QualityNamesAnEncoding) {
  EXPECT_EQ(LayerSelector::target("low", 3), 0u);
  EXPECT_EQ(LayerSelector::target("medium", 3), 1u);
  EXPECT_EQ(LayerSelector::target("high", 3), 2u);
  EXPECT_EQ(LayerSelector::target("medium", 2), 0u);
  EXPECT_EQ(LayerSelector::target("high", 1), 0u);
  EXPECT_FALSE(LayerSelector::target("ultra", 3));
  EXPECT_FALSE(LayerSelector::target("high", 0));
}

TEST(LayerSelector, TakesTheTargetWhenItArrives) {
  EXPECT_EQ(LayerSelector::choose({now, now, now}, 2, now), 2u);
  EXPECT_EQ(LayerSelector::choose({now, now, now}, 0, now), 0u);
}

TEST(LayerSelector, FallsToTheBestArrivingEncodingBelowTheTarget) {
  // The publisher stopped its top encoding 2 s ago; the middle one still arrives.
  EXPECT_EQ(LayerSelector::choose({now, now - 200ms, now - 2s}, 2, now), 1u);
  // Only the lowest arrives (a browser starting up).
  EXPECT_EQ(LayerSelector::choose({now, std::nullopt, std::nullopt}, 2, now), 0u);
  // Never above the target, even when a higher one arrives.
  EXPECT_EQ(LayerSelector::choose({now - 5s, now, now}, 0, now), 0u);
}

TEST(LayerSelector, KeepsTheTargetWhenNothingArrives) {
  EXPECT_EQ(LayerSelector::choose({std::nullopt, std::nullopt, std::nullopt}, 1, now), 1u);
  EXPECT_EQ(LayerSelector::choose({now - 3s, now - 3s}, 1, now), 1u);
  EXPECT_EQ(LayerSelector::choose({now}, 5, now), 0u);
}
