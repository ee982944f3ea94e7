// SPDX-License-Identifier: MIT
#include "cases/json_locator.hpp"

#include <gtest/gtest.h>

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

TEST(PositionOf, CountsLinesAndColumns) {
  EXPECT_EQ(position_of("ab\ncd", 4).line, 2u);
  EXPECT_EQ(position_of("ab\ncd", 4).column, 2u);
}

}  // namespace
}  // namespace gradcheck
