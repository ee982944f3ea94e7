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

// Found with a 5 MiB "layout" value: the distance table of every candidate took ~600 MB. A word
// whose length is far from every candidate's has no suggestion, found without a table.
TEST(Suggest, AVeryLongWordHasNoSuggestion) {
  EXPECT_EQ(suggest(std::string(5 << 20, 'q'), {"denominator", "numerator"}), "");
  EXPECT_EQ(suggest("numeratorr", {"denominator", "numerator"}), "numerator");
}

}  // namespace
}  // namespace gradcheck
