// SPDX-License-Identifier: MIT
#include "common/suggest.hpp"

#include <gtest/gtest.h>

namespace gradcheck {
namespace {

TEST(Suggest, FindsCloseNamesOnly) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(suggest("numerater", {"denominator", "numerator"}), "numerator");
  EXPECT_EQ(suggest("Layout", {"layout"}), "layout");
  EXPECT_EQ(suggest("xyz", {"denominator", "numerator"}), "");
  EXPECT_EQ(suggest("ab", {"xy"}), "");
}

}  // namespace
}  // namespace gradcheck
