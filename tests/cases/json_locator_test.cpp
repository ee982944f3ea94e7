// SPDX-License-Identifier: MIT
#include "cases/json_locator.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace gradcheck {
namespace {

TEST(JsonLocator, FindsValuesAndKeysByPointer) {
  const std::string text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c/d\": 2\n}";
  const JsonLocator loc(text);
  EXPECT_EQ(loc.value("/a").line, 2u);
  EXPECT_EQ(loc.value("/a").column, 8u);
  EXPECT_EQ(loc.value("/a/1/b").column, 18u);
  EXPECT_EQ(loc.key("/a/1/b").column, 13u);
  EXPECT_EQ(loc.value("/c~1d").line, 3u);
  // Unknown pointers fall back to the nearest known parent.
  EXPECT_EQ(loc.value("/a/1/zzz").column, 12u);
}

TEST(JsonLocator, ReportsDuplicateKeys) {
  const JsonLocator loc("{\"a\": 1, \"a\": 2}");
  ASSERT_EQ(loc.duplicates().size(), 1u);
  EXPECT_EQ(loc.duplicates()[0], "/a");
}

// Found by hand: a suite of 60000 small cases (8 MB) did not finish loading in a minute. Every
// position was counted from the start of the file, so loading was quadratic in its size (2000
// cases 0.8 s, 8000 cases 14 s). A position is a lookup now.
TEST(JsonLocator, PositionsOfAManyLineFileAreCheap) {
  std::string text = "[\n";
  for (int i = 0; i < 200000; ++i) text += "  {\"k\": " + std::to_string(i) + "},\n";
  text += "  0\n]";
  const JsonLocator loc(text);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200000; i += 7) {
    const TextPosition p = loc.value("/" + std::to_string(i) + "/k");
    ASSERT_EQ(p.line, static_cast<std::size_t>(i) + 2);
    ASSERT_EQ(p.column, 9u);
    ASSERT_EQ(loc.key("/" + std::to_string(i) + "/k").column, 4u);
  }
  EXPECT_EQ(loc.value("/200000").line, 200002u);
  EXPECT_EQ(loc.value("/200000").column, 3u);
  // Counting from the start each time takes minutes here; a lookup takes milliseconds.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

TEST(JsonLocator, StringColumnsMapDecodedBytesToTheFile) {
  const std::string text = R"({"e": "a\"b\u00e9c", "p": "plain"})";  // the locator keeps a reference
  const JsonLocator loc(text);
  // Decoded: a " b é(2 bytes) c -> raw offsets 0, 1, 3, 4, 4, 10, end 11.
  EXPECT_EQ(loc.string_columns("/e"), (std::vector<std::size_t>{0, 1, 3, 4, 4, 10, 11}));
  EXPECT_TRUE(loc.string_columns("/p").empty());  // no escapes: the identity
}

}  // namespace
}  // namespace gradcheck
