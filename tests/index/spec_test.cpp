// SPDX-License-Identifier: MIT
// IndexSpec::parse: the `indices` field, and every error it reports.
#include <gtest/gtest.h>

#include "gradcheck/index_notation.hpp"
#include "index/error_text.hpp"

namespace gradcheck {
namespace {

using testing::error_text;
using Letters = std::vector<std::string>;

TEST(IndexSpec, ParsesMatrixOverMatrix) {
  const IndexSpec s = IndexSpec::parse("Z[i,l] / H[j,k]");
  EXPECT_EQ(s.f_name, "Z");
  EXPECT_EQ(s.f_letters, (Letters{"i", "l"}));
  EXPECT_EQ(s.x_name, "H");
  EXPECT_EQ(s.x_letters, (Letters{"j", "k"}));
  EXPECT_EQ(s.free_letters, (Letters{"i", "l", "j", "k"}));
  EXPECT_EQ(s.text, "Z[i,l] / H[j,k]");
  EXPECT_EQ(s.f_pos, 0u);
  EXPECT_EQ(s.x_pos, 9u);
  EXPECT_EQ(s.f_letter_pos, (std::vector<std::size_t>{2, 4}));
  EXPECT_EQ(s.x_letter_pos, (std::vector<std::size_t>{11, 13}));
}

TEST(IndexSpec, ScalarFHasNoLetters) {
  const IndexSpec s = IndexSpec::parse("q / B[j,k]");
  EXPECT_EQ(s.f_name, "q");
  EXPECT_TRUE(s.f_letters.empty());
  EXPECT_EQ(s.free_letters, (Letters{"j", "k"}));
}

TEST(IndexSpec, ScalarXHasNoLetters) {
  const IndexSpec s = IndexSpec::parse("y[i] / s");
  EXPECT_EQ(s.x_name, "s");
  EXPECT_TRUE(s.x_letters.empty());
  EXPECT_EQ(s.free_letters, (Letters{"i"}));
}

TEST(IndexSpec, LetterOnBothSidesIsOneFreeLetter) {
  const IndexSpec s = IndexSpec::parse("z[i] / W[i,k]");
  EXPECT_EQ(s.f_letters, (Letters{"i"}));
  EXPECT_EQ(s.x_letters, (Letters{"i", "k"}));
  EXPECT_EQ(s.free_letters, (Letters{"i", "k"}));
}

TEST(IndexSpec, WhitespaceAndLongerLettersAreFine) {
  const IndexSpec s = IndexSpec::parse("  Z_2 [ row , c1 ]/H[ j_a,k ]  ");
  EXPECT_EQ(s.f_name, "Z_2");
  EXPECT_EQ(s.f_letters, (Letters{"row", "c1"}));
  EXPECT_EQ(s.x_letters, (Letters{"j_a", "k"}));
  EXPECT_EQ(s.f_pos, 2u);
  EXPECT_EQ(s.f_letter_pos, (std::vector<std::size_t>{8, 14}));
}

TEST(IndexSpec, EmptyIsAnError) {
  EXPECT_EQ(error_text([] { IndexSpec::parse("  "); }),
            "[expr.syntax] column 1: the indices are empty: write them as Z[i,l] / H[j,k] (or q / B[j,k] for a "
            "scalar f)\n    \n  ^");
}

TEST(IndexSpec, MissingSlashIsAnError) {
  EXPECT_EQ(error_text([] { IndexSpec::parse("Z[i,l] H[j,k]"); }),
            "[expr.syntax] column 8: expected '/' between the indices of f and of x, as in Z[i,l] / H[j,k]\n"
            "  Z[i,l] H[j,k]\n"
            "         ^");
}

TEST(IndexSpec, UnclosedBracketIsAnError) {
  EXPECT_EQ(error_text([] { IndexSpec::parse("Z[i,l / H[j,k]"); }),
            "[expr.syntax] column 2: '[' is never closed\n"
            "  Z[i,l / H[j,k]\n"
            "   ^");
  EXPECT_EQ(error_text([] { IndexSpec::parse("Z[i,l] / H[j,k"); }),
            "[expr.syntax] column 11: '[' is never closed\n"
            "  Z[i,l] / H[j,k\n"
            "            ^");
}

TEST(IndexSpec, UnmatchedClosingBracketIsAnError) {
  EXPECT_EQ(error_text([] { IndexSpec::parse("Z[i,l]] / H[j,k]"); }),
            "[expr.syntax] column 7: ']' without a matching '['\n"
            "  Z[i,l]] / H[j,k]\n"
            "        ^");
  EXPECT_EQ(error_text([] { IndexSpec::parse("q / B j,k]"); }),
            "[expr.syntax] column 7: unexpected 'j' after the indices of x\n"
            "  q / B j,k]\n"
            "        ^");
}

TEST(IndexSpec, MoreThanTwoIndicesIsAnError) {
  EXPECT_EQ(error_text([] { IndexSpec::parse("Z[i,l,m] / H[j,k]"); }),
            "[expr.syntax] column 7: more than two indices: Z must be a scalar, a vector or a matrix\n"
            "  Z[i,l,m] / H[j,k]\n"
            "        ^");
}

TEST(IndexSpec, RepeatedLetterOnOneSideIsAnError) {
  EXPECT_EQ(error_text([] { IndexSpec::parse("Z[i,i] / H[j,k]"); }),
            "[expr.syntax] column 5: index 'i' is repeated in Z[i,i]: use a different letter (a diagonal is "
            "written across the two sides, z[i] / W[i,k])\n"
            "  Z[i,i] / H[j,k]\n"
            "      ^");
}

TEST(IndexSpec, BadLetterIsAnError) {
  EXPECT_EQ(error_text([] { IndexSpec::parse("Z[I,l] / H[j,k]"); }),
            "[expr.syntax] column 3: expected an index letter (a lowercase name such as i)\n"
            "  Z[I,l] / H[j,k]\n"
            "    ^");
  EXPECT_EQ(error_text([] { IndexSpec::parse("Z[] / H[j,k]"); }),
            "[expr.syntax] column 3: expected an index letter (a lowercase name such as i)\n"
            "  Z[] / H[j,k]\n"
            "    ^");
}

TEST(IndexSpec, MissingNameIsAnError) {
  EXPECT_EQ(error_text([] { IndexSpec::parse("Z[i,l] / "); }),
            "[expr.syntax] column 10: expected the name of x, as in Z[i,l] / H[j,k]\n"
            "  Z[i,l] / \n"
            "           ^");
  EXPECT_EQ(error_text([] { IndexSpec::parse("[i] / H[j,k]"); }),
            "[expr.syntax] column 1: expected the name of f, as in Z[i,l] / H[j,k]\n"
            "  [i] / H[j,k]\n"
            "  ^");
}

TEST(IndexSpec, TrailingTextIsAnError) {
  EXPECT_EQ(error_text([] { IndexSpec::parse("Z[i,l] / H[j,k] / W"); }),
            "[expr.syntax] column 17: unexpected '/' after the indices of x\n"
            "  Z[i,l] / H[j,k] / W\n"
            "                  ^");
}

}  // namespace
}  // namespace gradcheck
