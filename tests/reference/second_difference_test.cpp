// SPDX-License-Identifier: MIT
// second_differences: the bound holds over smooth functions of every scale, and shrinks the
// entries it cannot decide into +inf rather than a wrong small bound.
#include <gtest/gtest.h>

#include <cmath>

#include "reference/reference.hpp"

namespace gradcheck::reference {
namespace {

struct Known {
  std::string name;
  std::function<double(const arma::vec&)> f;
  std::function<arma::mat(const arma::vec&)> hessian;
};

std::vector<Known> battery() {
  return {
      {"exp_sum", [](const arma::vec& x) { return arma::accu(arma::exp(x)); },
       [](const arma::vec& x) { return arma::mat(arma::diagmat(arma::exp(x))); }},
      {"product", [](const arma::vec& x) { return x(0) * x(1) * x(2); },
       [](const arma::vec& x) {
         return arma::mat{{0, x(2), x(1)}, {x(2), 0, x(0)}, {x(1), x(0), 0}};
       }},
      {"offset_1e6", [](const arma::vec& x) { return 1e6 + arma::accu(arma::square(x)); },
       [](const arma::vec& x) { return arma::mat(2 * arma::eye(x.n_elem, x.n_elem)); }},
      {"steep", [](const arma::vec& x) { return arma::accu(arma::exp(20 * x)); },
       [](const arma::vec& x) { return arma::mat(arma::diagmat(400 * arma::exp(20 * x))); }},
      {"log", [](const arma::vec& x) { return arma::accu(arma::log(x + 2.0)); },
       [](const arma::vec& x) { return arma::mat(arma::diagmat(-1 / arma::square(x + 2.0))); }},
  };
}

TEST(SecondDifferences, TheBoundHoldsOverABattery) {
  for (const Known& k : battery()) {
    for (int trial = 0; trial < 5; ++trial) {
      arma::vec x(3);
      for (arma::uword i = 0; i < 3; ++i) x(i) = 0.5 * std::sin(1.0 + 3.1 * trial + 1.7 * i);
      Target t;
      t.gradient_of = [&k](const std::vector<arma::mat>& v, arma::mat& out) {
        out = arma::mat(1, 1, arma::fill::value(k.f(v[0])));
      };
      t.wrt = 0;
      t.gradient_of_wrt = 0;
      std::vector<arma::mat> values = {x};
      Reference r = second_differences(t, values, FdOptions{});
      const arma::mat truth = k.hessian(x);
      ASSERT_EQ(r.values.n_rows, 3u);
      for (arma::uword e = 0; e < truth.n_elem; ++e) {
        EXPECT_LE(std::abs(r.values(e) - truth(e)), r.bound(e)) << k.name << " trial " << trial << " entry " << e;
        // Not vacuous: the bound is small next to the Hessian's scale (next to f's own scale for the
        // large offset, whose rounding 3 sigma / h^2 is 1e-16 |f| / 1.5e-8).
        const double scale = std::max(1.0, arma::abs(truth).max()) * (k.name == "offset_1e6" ? 1e2 : 1.0);
        EXPECT_TRUE(std::isfinite(r.bound(e))) << k.name;
        EXPECT_LT(r.bound(e), 1e-3 * scale) << k.name;
      }
      EXPECT_TRUE(r.values.is_symmetric());
    }
  }
}

TEST(SecondDifferences, TighteningKeepsTheBoundAndNeverLoosensIt) {
  Target t;
  t.gradient_of = [](const std::vector<arma::mat>& v, arma::mat& out) {
    out = arma::mat(1, 1, arma::fill::value(arma::accu(arma::exp(30 * v[0]))));
  };
  std::vector<arma::mat> values = {arma::vec{0.2, -0.1}};
  Reference r = second_differences(t, values, FdOptions{});
  const arma::mat before = r.bound;
  EXPECT_TRUE(tighten_second_differences(t, values, {0, 1}, 0, r));
  EXPECT_FALSE(tighten_second_differences(t, values, {0, 1}, 1, r));
  const arma::vec x = values[0];
  const arma::mat truth = arma::diagmat(900 * arma::exp(30 * x));
  for (arma::uword e = 0; e < 4; ++e) {
    EXPECT_LE(r.bound(e), before(e));
    EXPECT_LE(std::abs(r.values(e) - truth(e)), r.bound(e));
  }
}

TEST(SecondDifferences, MixedBlockOfTwoVariables) {
  Target t;
  t.gradient_of_wrt = 0;
  t.wrt = 1;
  std::vector<arma::mat> values = {arma::mat{{1, 2}, {3, 4}}, arma::mat{{0.5, -1}, {2, 0.25}}};
  // f = sum(X .* Y) of two 2x2 matrices.
  t.gradient_of = [](const std::vector<arma::mat>& v, arma::mat& out) {
    out = arma::mat(1, 1, arma::fill::value(arma::accu(v[0] % v[1])));
  };
  Reference r = second_differences(t, values, FdOptions{});
  const arma::mat truth = arma::eye(4, 4);  // d2 sum(X .* Y) / dX_a dY_b = delta(a, b)
  for (arma::uword e = 0; e < 16; ++e) EXPECT_LE(std::abs(r.values(e) - truth(e)), r.bound(e)) << e;
}

// float32 log-sum-exp (the review's lse program): at the rule's step the rounding 3 sigma /
// (h_a h_b) alone is ~1.5e-3, above a float32 tolerance of ~1.2e-3, and the step tightening
// re-chose from differences within their rounding stayed as small (17 of 20 seeds inconclusive).
// Doubled while they stay within rounding, every bound holds and falls below 1e-3.
TEST(SecondDifferences, Float32RoundingIsTightenedAwayByLargerSteps) {
  Target t;
  t.gradient_of = [](const std::vector<arma::mat>& v, arma::mat& out) {
    const arma::fvec z = arma::conv_to<arma::fvec>::from(v[0]);
    const float m = z.max();
    out = arma::mat(1, 1, arma::fill::value(static_cast<double>(m + std::log(arma::accu(arma::exp(z - m))))));
  };
  for (int trial = 0; trial < 10; ++trial) {
    arma::vec x(6);
    for (arma::uword i = 0; i < 6; ++i) x(i) = std::sin(1.0 + 2.3 * trial + 1.1 * i);
    std::vector<arma::mat> values = {x};
    Reference r = second_differences(t, values, FdOptions{});
    std::vector<arma::uword> columns(6);
    for (arma::uword b = 0; b < 6; ++b) columns[b] = b;
    ASSERT_TRUE(tighten_second_differences(t, values, columns, 0, r));
    const arma::vec p = arma::exp(x - x.max()) / arma::accu(arma::exp(x - x.max()));
    const arma::mat truth = arma::diagmat(p) - p * p.t();
    for (arma::uword e = 0; e < truth.n_elem; ++e) {
      EXPECT_LE(std::abs(r.values(e) - truth(e)), r.bound(e)) << "trial " << trial << " entry " << e;
      EXPECT_LT(r.bound(e), 1e-3) << "trial " << trial << " entry " << e;
    }
  }
}

// cos(x) at x in [1e5, 1e6] (the review's C2): the rule's step c |x| spans periods, and D(s),
// D(2s), D(4s) alias together, at the rule's step, at its second opinion's, and at the step
// re-chosen from them (2 s h near 2 pi). After tightening the bound holds at every point: the
// opinions at 10^-1.5 and at the scale of 1 see f rough, void the bound, and a smaller step is
// taken only where its own opinion confirms it. (The right Hessian failed at 20 seeds of 20.)
TEST(SecondDifferences, APeriodicFAtLargeXKeepsItsBoundThroughTightening) {
  Target t;
  t.gradient_of = [](const std::vector<arma::mat>& v, arma::mat& out) {
    out = arma::mat(1, 1, arma::fill::value(arma::accu(arma::cos(v[0]))));
  };
  int decided = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const double x0 = 1e5 + 9e5 * (0.5 + 0.5 * std::sin(3.7 * trial + 0.4));
    std::vector<arma::mat> values = {arma::mat{x0}};
    Reference r = second_differences(t, values, FdOptions{});
    ASSERT_TRUE(tighten_second_differences(t, values, {0}, 0, r));
    EXPECT_LE(std::abs(r.values(0) + std::cos(x0)), r.bound(0)) << "x = " << x0 << ": " << r.detail;
    decided += std::isfinite(r.bound(0)) && r.bound(0) < 1e-2;
  }
  // Not vacuous everywhere: where the smaller steps confirm each other, the bound is small.
  EXPECT_GT(decided, 0);
}

// float32 code at |x| in [1e2, 1e3] (x^3 / 6 and a product, computed in float32): the code
// rounds the moved inputs itself, x + h to 2^-24 |x|, which moves each of the four values by
// |g| 2^-24 |x|; the bound carries that term and holds at every point.
TEST(SecondDifferences, Float32CodeRoundsItsMovedInputsAndTheBoundSaysSo) {
  Target t;
  t.gradient_of = [](const std::vector<arma::mat>& v, arma::mat& out) {
    const arma::fvec z = arma::conv_to<arma::fvec>::from(v[0]);
    out = arma::mat(1, 1, arma::fill::value(static_cast<double>(arma::accu(arma::pow(z, 3.0f)) / 6.0f + z(0) * z(1))));
  };
  for (int trial = 0; trial < 20; ++trial) {
    arma::vec x(2);
    for (arma::uword i = 0; i < 2; ++i) x(i) = 550.0 + 450.0 * std::sin(1.7 * trial + 2.3 * double(i));
    std::vector<arma::mat> values = {x};
    Reference r = second_differences(t, values, FdOptions{});
    ASSERT_TRUE(tighten_second_differences(t, values, {0, 1}, 0, r));
    const arma::mat truth{{x(0), 1.0}, {1.0, x(1)}};
    for (arma::uword e = 0; e < 4; ++e)
      EXPECT_LE(std::abs(r.values(e) - truth(e)), r.bound(e)) << "trial " << trial << " entry " << e;
  }
}

}  // namespace
}  // namespace gradcheck::reference
