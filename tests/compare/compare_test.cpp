// SPDX-License-Identifier: MIT
#include "compare/compare.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <random>

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

TEST(Compare, AnInfiniteReferenceFailsBesideEntriesThatPass) {
  // tol = atol + rtol |r| is infinite there, and so is |a - r| + e: a test that took them as
  // numbers would pass the entry.
  const double inf = std::numeric_limits<double>::infinity();
  for (double r : {inf, -inf}) {
    const Comparison c = compare(arma::mat{{2.0, 1.0}}, arma::mat{{2.0, r}}, arma::mat{{0.0, 0.0}}, Tolerance{});
    EXPECT_FALSE(c.pass);
    EXPECT_TRUE(c.fail);
    EXPECT_TRUE(c.nonfinite);
    ASSERT_EQ(c.failing.n_elem, 1u);
    EXPECT_EQ(c.worst, 1u);
  }
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

namespace gradcheck {
namespace {

// The figures of compare() from their definitions (compare.hpp), one quotient per entry: what the
// block passes of compare.cpp must reproduce exactly.
struct Plain {
  double max_abs = 0, max_rel = 0, resolution = std::numeric_limits<double>::quiet_NaN(), max_bound = 0;
  arma::uword worst = 0;
  std::vector<arma::uword> failing, undecided;
};
Plain plain(const arma::mat& a, const arma::mat& r, const arma::mat& e, const Tolerance& t) {
  const double inf = std::numeric_limits<double>::infinity();
  Plain p;
  double worst = -inf;
  std::vector<std::pair<double, arma::uword>> fail, undecided;
  for (arma::uword k = 0; k < a.n_elem; ++k) {
    const double d = std::abs(a(k) - r(k));
    const bool finite = std::isfinite(a(k)) && std::isfinite(r(k));
    p.max_abs = std::max(p.max_abs, finite ? d : inf);
    p.max_rel = std::max(p.max_rel, finite ? d / std::max(std::abs(r(k)), t.atol) : inf);
    p.max_bound = std::max(p.max_bound, std::isnan(e(k)) ? inf : e(k));
    const double tol = t.atol + t.rtol * std::abs(r(k));
    if (r(k) != 0 && std::isfinite(r(k)) && std::isfinite((tol + e(k)) / std::abs(r(k))) &&
        !((tol + e(k)) / std::abs(r(k)) >= p.resolution))
      p.resolution = (tol + e(k)) / std::abs(r(k));
    const double x = excess(a(k), r(k), e(k), t);
    if (x > worst) {
      worst = x;
      p.worst = k;
    }
    const EntryVerdict v = decide(a(k), r(k), e(k), t);
    if (v == EntryVerdict::kFail) fail.emplace_back(x, k);
    if (v == EntryVerdict::kUndecided) undecided.emplace_back(tol > 0 ? (d + e(k)) / tol : inf, k);
  }
  auto first = [](const auto& x, const auto& y) { return x.first > y.first; };
  std::stable_sort(fail.begin(), fail.end(), first);
  std::stable_sort(undecided.begin(), undecided.end(), first);
  for (const auto& f : fail) p.failing.push_back(f.second);
  for (const auto& u : undecided) p.undecided.push_back(u.second);
  if (fail.empty() && !undecided.empty()) p.worst = undecided.front().second;
  return p;
}

// Every figure of c exactly as its definition p gives it.
void expect_as_defined(const Comparison& c, const Plain& p) {
  EXPECT_EQ(c.max_abs_error, p.max_abs);
  EXPECT_EQ(c.max_rel_error, p.max_rel);
  EXPECT_EQ(c.max_bound, p.max_bound);
  if (std::isnan(p.resolution)) EXPECT_TRUE(std::isnan(c.resolution));
  else EXPECT_EQ(c.resolution, p.resolution);
  EXPECT_EQ(c.worst, p.worst);
  EXPECT_EQ(std::vector<arma::uword>(c.failing.begin(), c.failing.end()), p.failing);
  EXPECT_EQ(std::vector<arma::uword>(c.undecided.begin(), c.undecided.end()), p.undecided);
  EXPECT_EQ(c.pass, p.failing.empty() && p.undecided.empty());
  EXPECT_EQ(c.fail, !p.failing.empty());
}

// compare() at atol and rtol 1e-5, every figure checked against its definition; the comparison.
Comparison compare_as_defined(const arma::mat& a, const arma::mat& r, const arma::mat& e, double atol) {
  Tolerance t;
  t.atol = atol;
  t.rtol = 1e-5;
  const Comparison c = compare(a, r, e, t);
  expect_as_defined(c, plain(a, r, e, t));
  return c;
}

TEST(Compare, FiguresEqualTheirDefinitionsOnRandomEntries) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (int round = 0; round < 300; ++round) {
    const arma::uword n = 1 + round % 97;
    arma::mat a(n, 1), r(n, 1), e(n, 1);
    const double spread = std::pow(10.0, -12 + round % 13);  // from exact agreement to gross errors
    for (arma::uword k = 0; k < n; ++k) {
      r(k) = uniform(rng) < 0.1 ? 0.0 : normal(rng) * std::pow(10.0, normal(rng) * 3);
      a(k) = r(k) * (1 + spread * normal(rng)) + (uniform(rng) < 0.05 ? spread * normal(rng) : 0.0);
      e(k) = std::abs(normal(rng)) * spread * std::abs(r(k));
      const double odd = uniform(rng);
      if (round % 5 == 4 && odd < 0.03) e(k) = inf;
      if (round % 5 == 4 && odd > 0.97) e(k) = nan;
      if (round % 7 == 6 && odd < 0.02) a(k) = odd < 0.01 ? nan : inf;
      if (round % 11 == 10 && k == n / 2) r(k) = a(k);  // an exact entry beside the others
      if (round % 13 == 12 && k == n / 3) r(k) = odd < 0.5 ? inf : -inf;  // beside finite a
    }
    SCOPED_TRACE(round);
    compare_as_defined(a, r, e, round % 3 == 0 ? 0.0 : 1e-7);
  }
}

// The same over many blocks (compare.cpp takes 64 entries at a time, a block of finite entries
// in one branch-free pass, any other entry by entry): mostly passing entries, with an extreme, a
// failing, an undecided or a non-finite entry placed late, in a block of its own. Every figure as defined; the error norm up to the order of its sums.
TEST(Compare, FiguresEqualTheirDefinitionsAcrossBlocks) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (int round = 0; round < 60; ++round) {
    const arma::uword n = std::vector<arma::uword>{63, 64, 65, 1000, 3000}[round % 5];
    arma::mat a(n, 1), r(n, 1), e(n, 1);
    for (arma::uword k = 0; k < n; ++k) {
      r(k) = uniform(rng) < 0.05 ? 0.0 : normal(rng);
      a(k) = uniform(rng) < 0.3 ? r(k) : r(k) * (1 + 1e-9 * normal(rng));
      e(k) = uniform(rng) < 0.5 ? 0.0 : 1e-10 * std::abs(normal(rng));
    }
    const arma::uword late = n - 1 - static_cast<arma::uword>(uniform(rng) * double(std::min<arma::uword>(200, n - 1)));
    switch (round % 6) {
      case 0: break;                                 // all passing
      case 1: r(late) = 1e3, a(late) = 1e3; break;   // a new resolution late
      case 2: a(late) = r(late) + 1.0; break;         // a failing entry late
      case 3: e(late) = 1e-4; break;                 // an undecided entry (and a new max bound)
      case 4: a(late) = round % 12 == 4 ? nan : inf; break;
      case 5: e(late) = round % 12 == 5 ? nan : inf; break;
    }
    SCOPED_TRACE(round);
    const double atol = round % 4 == 0 ? 0.0 : 1e-7;
    const Comparison c = compare_as_defined(a, r, e, atol);
    const bool finite = a.is_finite() && r.is_finite();
    EXPECT_EQ(c.nonfinite, !finite);
    if (finite) {
      const double norm = arma::norm(a - r, "fro") / std::max(arma::norm(r, "fro"), atol);
      EXPECT_NEAR(c.rel_error_norm, norm, 1e-12 * norm);
    }
  }
}

// Entries tied at the worst excess, two of them in one block of 64 and one in another: the worst
// is the first of them, as one pass in order finds it.
TEST(Compare, TheWorstOfTiedEntriesIsTheFirst) {
  arma::mat r(200, 1, arma::fill::ones), a = r, e(200, 1, arma::fill::zeros);
  for (arma::uword k : {90u, 70u, 150u}) a(k) = 1.0 + 1e-6;  // passing: 1e-6 <= 1e-7 + 1e-5
  Tolerance t;
  t.atol = 1e-7;
  t.rtol = 1e-5;
  const Comparison c = compare(a, r, e, t);
  EXPECT_TRUE(c.pass);
  EXPECT_EQ(c.worst, 70u);
  expect_as_defined(c, plain(a, r, e, t));
}

TEST(Compare, ThroughAFormMapEqualsComparingTheArrangedReference) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  const Shape f{3, 2}, x{2, 4};
  for (Layout layout : {Layout::kNumerator, Layout::kDenominator})
    for (VecOrder order : {VecOrder::kColumnMajor, VecOrder::kRowMajor}) {
      const FormMap map = make_form_map(FormSpec{layout, Form::kVec, order, std::nullopt}, f, x, "Z", "H");
      EXPECT_EQ(map.identity, layout == Layout::kNumerator && order == VecOrder::kColumnMajor);
      arma::mat j(6, 8), e(6, 8);
      for (double& v : j) v = normal(rng);
      for (double& v : e) v = 1e-6 * std::abs(normal(rng));
      arma::mat a = map.arrange(j);
      for (double& v : a) v += 1e-5 * normal(rng);
      const Comparison by_map = compare(a, map, j, e, Tolerance{});
      const Comparison arranged = compare(a, map.arrange(j), map.arrange(e), Tolerance{});
      EXPECT_EQ(by_map.worst, arranged.worst);
      EXPECT_EQ(by_map.max_rel_error, arranged.max_rel_error);
      EXPECT_EQ(by_map.resolution, arranged.resolution);
      EXPECT_TRUE(arma::all(by_map.failing == arranged.failing));
      EXPECT_TRUE(arma::all(by_map.undecided == arranged.undecided));
      for (arma::uword k = 0; k < map.size(); ++k) EXPECT_EQ(map.at(j, k), map.arrange(j)(k));
    }
}

}  // namespace
}  // namespace gradcheck
