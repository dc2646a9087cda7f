#include "engine/memory/MemoryRegistry.hpp"

#include <gtest/gtest.h>

namespace onair::engine::memory {
namespace {

template <class T>
T now(const std::function<void(std::function<void(Outcome<T>)>)>& start) {
  std::optional<Outcome<T>> out;
  start([&](Outcome<T> r) { out = std::move(r); });
  return std::get<T>(std::move(*out));  // completions run before the call returns
}

TEST(MemoryRegistry, PutChecksTheExpectedVersion) {
  MemoryRegistry r;
  auto first = now<PutResult>([&](auto done) { r.put("k", "1", 0, done); });
  EXPECT_FALSE(first.conflict);
  EXPECT_EQ(first.record.version, 1u);
  auto stale = now<PutResult>([&](auto done) { r.put("k", "2", 0, done); });
  EXPECT_TRUE(stale.conflict);
  EXPECT_EQ(stale.record.value, "1");
  auto unchecked = now<PutResult>([&](auto done) { r.put("k", "3", std::nullopt, done); });
  EXPECT_EQ(unchecked.record.version, 2u);
  now<Done>([&](auto done) { r.remove("k", done); });
  EXPECT_FALSE(now<std::optional<Record>>([&](auto done) { r.get("k", done); }));
}

TEST(MemoryRegistry, RemoveIfRemovesOnlyTheExpectedVersion) {
  MemoryRegistry r;
  now<PutResult>([&](auto done) { r.put("k", "1", std::nullopt, done); });
  now<PutResult>([&](auto done) { r.put("k", "2", std::nullopt, done); });
  EXPECT_FALSE(now<bool>([&](auto done) { r.removeIf("k", 1, done); }));
  EXPECT_TRUE(now<std::optional<Record>>([&](auto done) { r.get("k", done); }));
  EXPECT_TRUE(now<bool>([&](auto done) { r.removeIf("k", 2, done); }));
  EXPECT_FALSE(now<std::optional<Record>>([&](auto done) { r.get("k", done); }));
  EXPECT_FALSE(now<bool>([&](auto done) { r.removeIf("k", 0, done); }));
}

TEST(MemoryRegistry, SetsKeepOrderAndReportChanges) {
  MemoryRegistry r;
  EXPECT_TRUE(now<bool>([&](auto done) { r.addMember("s", "a", done); }));
  EXPECT_TRUE(now<bool>([&](auto done) { r.addMember("s", "b", done); }));
  EXPECT_FALSE(now<bool>([&](auto done) { r.addMember("s", "a", done); }));
  EXPECT_TRUE(now<bool>([&](auto done) { r.removeMember("s", "a", done); }));
  EXPECT_FALSE(now<bool>([&](auto done) { r.removeMember("none", "a", done); }));
  auto set = now<std::optional<Record>>([&](auto done) { r.get("s", done); });
  EXPECT_EQ(set->value, "[\"b\"]");
  EXPECT_EQ(set->version, 3u);
}

TEST(MemoryRegistry, ASetOpOnANonSetFailsUnchanged) {
  MemoryRegistry r;
  now<PutResult>([&](auto done) { r.put("k", "{}", 0, done); });
  std::optional<Outcome<bool>> out;
  r.addMember("k", "a", [&](Outcome<bool> o) { out = o; });
  EXPECT_TRUE(std::holds_alternative<EngineError>(*out));
  EXPECT_EQ(now<std::optional<Record>>([&](auto done) { r.get("k", done); })->value, "{}");
}

}  // namespace
}  // namespace onair::engine::memory
