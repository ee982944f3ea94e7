// SPDX-License-Identifier: MIT
#include "compare/compare.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace gradcheck {
namespace {

TEST(Compare, AppliesTheToleranceFormulaPerEntry) {
  Tolerance t;
  t.rtol = 1e-3;
  t.atol = 1e-6;
  // Entry 0: |1.0005 - 1| = 5e-4 <= 1e-6 + 1e-3 -> pass. Entry 1: 0 vs 2e-6 -> 2e-6 > 1e-6 -> fail.
  const arma::mat a{{1.0005, 2e-6}};
  const arma::mat n{{1.0, 0.0}};
  const Comparison c = compare(a, n, t);
  EXPECT_FALSE(c.pass);
  ASSERT_EQ(c.failing.n_elem, 1u);
  EXPECT_EQ(c.failing(0), 1u);
  EXPECT_EQ(c.worst, 1u);
  EXPECT_NEAR(c.max_abs_error, 5e-4, 1e-15);
  EXPECT_NEAR(c.max_rel_error, 2.0, 1e-9);  // 2e-6 / max(0, atol)
}

TEST(Compare, ZeroAgainstZeroIsExactAndFinite) {
  const Comparison c = compare(arma::zeros(2, 2), arma::zeros(2, 2), Tolerance{});
  EXPECT_TRUE(c.pass);
  EXPECT_EQ(c.max_rel_error, 0.0);
  EXPECT_EQ(c.rel_error_norm, 0.0);
}

TEST(Compare, NonFiniteNeverPasses) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Comparison c = compare(arma::mat{{nan, 1.0}}, arma::mat{{nan, 1.0}}, Tolerance{});
  EXPECT_FALSE(c.pass);
  EXPECT_TRUE(c.nonfinite);
  EXPECT_EQ(c.worst, 0u);
}

TEST(Compare, FailingEntriesAreSortedWorstFirst) {
  const Comparison c = compare(arma::mat{{1.1, 5.0, 2.0}}, arma::mat{{1.0, 1.0, 1.0}}, Tolerance{});
  ASSERT_EQ(c.failing.n_elem, 3u);
  EXPECT_EQ(c.failing(0), 1u);
  EXPECT_EQ(c.failing(1), 2u);
  EXPECT_EQ(c.failing(2), 0u);
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

TEST(Compare, ZeroAtolStillPassesExactZeros) {
  // atol = 0 and a true 0: the spec's test is |a - n| <= 0, which 0 against 0 meets.
  Tolerance t;
  t.atol = 0.0;
  t.rtol = 1e-6;
  const Comparison c = compare(arma::mat{{0.0, 1.0}}, arma::mat{{0.0, 1.0}}, t);
  EXPECT_TRUE(c.pass);
  EXPECT_FALSE(compare(arma::mat{{1e-300, 1.0}}, arma::mat{{0.0, 1.0}}, t).pass);
}

}  // namespace
}  // namespace gradcheck
