// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "reference/reference.hpp"

namespace gradcheck::reference {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

Target target_of(std::function<double(const arma::mat&)> f) {
  Target t;
  t.f = [f](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat(1, 1, arma::fill::value(f(v[0]))); };
  return t;
}

arma::mat point(arma::uword n) {
  arma::mat x(n, 1);
  for (arma::uword i = 0; i < n; ++i) x(i) = std::sin(1.0 + i);
  return x;
}

TEST(Noise, DoubleCodeIsDoubleWithNoiseNearEps) {
  Target t = target_of([](const arma::mat& x) { return arma::accu(arma::exp(x)); });
  std::vector<arma::mat> v{point(6)};
  arma::mat f0;
  t.f(v, f0);
  const Noise n = measure_noise(t, v, f0, 1);
  EXPECT_EQ(n.precision, Precision::kDouble);
  EXPECT_LT(n.relative, 1e-14);
  EXPECT_GE(n.sigma(0), 0.5 * kEps * std::abs(f0(0)));  // never below the rounding of the result
  EXPECT_EQ(v[0](2), point(6)(2));                     // x restored exactly
}

TEST(Noise, ALargeOffsetShowsAsAbsoluteNoiseNotAsSinglePrecision) {
  Target t = target_of([](const arma::mat& x) { return arma::accu(arma::pow(x, 3)) + 1e7; });
  std::vector<arma::mat> v{point(4)};
  arma::mat f0;
  t.f(v, f0);
  const Noise n = measure_noise(t, v, f0, 1);
  EXPECT_EQ(n.precision, Precision::kDouble);
  EXPECT_GT(n.sigma(0), 1e-10);  // eps * 1e7 ~ 2e-9
  EXPECT_LT(n.sigma(0), 1e-7);
}

TEST(Noise, Float32ResultsAreSinglePrecision) {
  Target t = target_of([](const arma::mat& x) {
    float s = 0;
    for (double v : x) s += std::exp(static_cast<float>(v));
    return static_cast<double>(s);
  });
  std::vector<arma::mat> v{point(6)};
  arma::mat f0;
  t.f(v, f0);
  const Noise n = measure_noise(t, v, f0, 1);
  EXPECT_EQ(n.precision, Precision::kSingle);
  EXPECT_GT(n.relative, 1e-8);
}

TEST(Noise, Float32InputsInsideADoubleSumAreSinglePrecision) {
  // The C code rounds its inputs to float; its result is accumulated in double (not a float32
  // number): f is frozen under 1e-12 changes of x but moves under 1e-6 ones.
  Target t = target_of([](const arma::mat& x) {
    double s = 0;
    for (double v : x) s += 1.0 / 3.0 * static_cast<float>(v) * static_cast<float>(v);
    return s;
  });
  std::vector<arma::mat> v{point(6)};
  arma::mat f0;
  t.f(v, f0);
  EXPECT_EQ(measure_noise(t, v, f0, 1).precision, Precision::kSingle);
}

TEST(Noise, NearlySingularDoubleCodeStaysDouble) {
  // log|det| of a matrix 1e-8 from singular: noisy (cond 1e8), but double code.
  Target t = target_of([](const arma::mat& x) {
    arma::mat a = {{1.0, 0.0}, {0.0, 1e-8}};
    a(0, 1) = x(0);
    a(1, 0) = x(1) * 1e-9;
    double value, sign;
    arma::log_det(value, sign, a);
    return value;
  });
  std::vector<arma::mat> v{arma::mat(arma::vec{0.3, 0.2})};
  arma::mat f0;
  t.f(v, f0);
  EXPECT_EQ(measure_noise(t, v, f0, 1).precision, Precision::kDouble);
}

// An f computed in double skips the float32 line: the same measurement (noise, precision) from
// 10 evaluations fewer, including where it is frozen on the fine line (then the coarse line is
// taken after all, and the frozen-but-moving rule still reads it).
TEST(Noise, ComputedInDoubleMeasuresTheSameNoiseWithTenEvaluationsFewer) {
  const std::vector<std::function<double(const arma::mat&)>> functions{
      [](const arma::mat& x) { return arma::accu(arma::exp(x)); },
      [](const arma::mat& x) { return arma::accu(arma::pow(x, 3)) + 1e7; },
      [](const arma::mat& x) {  // inputs rounded to float32: frozen at 1e-12, moving at 1e-6
        double s = 0;
        for (double v : x) s += 1.0 / 3.0 * static_cast<float>(v) * static_cast<float>(v);
        return s;
      },
      [](const arma::mat& x) { return arma::accu(x) * 0.0 + 2.5; },  // constant: frozen everywhere
  };
  for (std::size_t i = 0; i < functions.size(); ++i) {
    SCOPED_TRACE(i);
    Target plain = target_of(functions[i]), known = plain;
    known.computed_in_double = true;
    std::vector<arma::mat> v{point(6)};
    arma::mat f0;
    plain.f(v, f0);
    const Noise a = measure_noise(plain, v, f0, 3), b = measure_noise(known, v, f0, 3);
    EXPECT_EQ(a.precision, b.precision);
    EXPECT_EQ(a.relative, b.relative);
    ASSERT_EQ(a.sigma.n_elem, b.sigma.n_elem);
    EXPECT_EQ(a.sigma(0), b.sigma(0));
    const bool frozen = i >= 1;  // (1e7 + ... too) the coarse line is measured after all
    EXPECT_EQ(a.evaluations, b.evaluations + (frozen ? 0 : 10));
  }
}

}  // namespace
}  // namespace gradcheck::reference
