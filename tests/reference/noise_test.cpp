// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

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

// float32 code that does not move under changes of 1e-6 of its inputs (a saturated tanh in a
// float32 RNN; here 1e4 + x, whose float32 ulp is 9.8e-4) shows its float32 values only on the
// wide line: it is still single precision (review finding: read as double, with double's
// tolerance, its right gradient was left undecided).
TEST(Noise, Float32CodeFlatAtTheFineScalesIsSinglePrecision) {
  Target t = target_of([](const arma::mat& x) {
    float s = 0;
    for (double v : x) s += 1e4f + static_cast<float>(v) * 0.37f;
    return static_cast<double>(s);
  });
  std::vector<arma::mat> v{point(4)};
  arma::mat f0;
  t.f(v, f0);
  const Noise n = measure_noise(t, v, f0, 1);
  EXPECT_EQ(n.precision, Precision::kSingle) << n.evidence;
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
    // (A compiled expression is never float32 code: the float32-input function, frozen on the
    // fine line, is single as a callable and double when it claims to compute in double.)
    if (i == 2) {
      EXPECT_EQ(a.precision, Precision::kSingle);
      EXPECT_EQ(b.precision, Precision::kDouble);
      EXPECT_LE(b.sigma(0), a.sigma(0));  // the coarse line's noise, without the float32 floor
    } else {
      EXPECT_EQ(a.precision, b.precision);
    }
    if (i != 2) EXPECT_EQ(a.relative, b.relative);  // (single precision floors sigma at float32's)
    ASSERT_EQ(a.sigma.n_elem, b.sigma.n_elem);
    if (i != 2) EXPECT_EQ(a.sigma(0), b.sigma(0));
    // Frozen ones (1e7 + ... too) try two more directions, then measure the coarse line after all;
    // the callable rounding its inputs to float32 is confirmed by two evaluations at float32 points.
    const bool frozen = i >= 1;
    EXPECT_EQ(a.evaluations, b.evaluations + (frozen ? 0 : 10) + (i == 2 ? 2 : 0));
  }
}

// f = a' inv(X) b near a singular 2 x 2 X, as double code (a callable) and as a compiled
// expression would compute it.
double bilinear_inverse(const arma::mat& x) {
  const arma::vec a = {1.0, 2.0}, b = {0.3, -0.7};
  return arma::as_scalar(a.t() * arma::inv(arma::reshape(x, 2, 2)) * b);
}
arma::mat near_singular(double d) { return arma::vectorise(arma::mat{{1.0, 2.0}, {1.0, 2.0 + d}}); }

// At det X = 1e-10 the value carries a cancellation (terms of 1e10 leave 0.3: an ulp of 4e-6),
// and along the sign patterns that keep det X to first order f does not move under changes of
// 1e-12: frozen along one direction, which inputs rounded to float32 are along every one. Over
// seeds (so over first directions, 6 of 16 of them frozen), the precision stays double, for a
// callable and for an expression.
TEST(Noise, AnIllConditionedDoubleFunctionFrozenAlongOneDirectionIsNotFloat32) {
  Target callable = target_of(bilinear_inverse), expression = callable;
  expression.computed_in_double = true;
  int frozen_first = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE(seed);
    std::vector<arma::mat> v{near_singular(1e-10)};
    arma::mat f0;
    callable.f(v, f0);
    const Noise c = measure_noise(callable, v, f0, seed), e = measure_noise(expression, v, f0, seed);
    EXPECT_EQ(c.precision, Precision::kDouble) << c.evidence;
    EXPECT_EQ(e.precision, Precision::kDouble) << e.evidence;
    frozen_first += c.evaluations > 22;  // (more lines than the coarse and fine ones)
  }
  EXPECT_GT(frozen_first, 0);  // some first directions were frozen: the retry was exercised
}

// Double code with a large cancellation gives values on the grid of the cancelled terms' ulp:
// f = ((x0 - x1) 1e12 + x0 + 2^42) - 2^42 at x1 = x0 + 1e-9 is about -997 rounded to a multiple
// of 2^-10, a float32 number (20 bits of significand) whose last 4 bits are 0, and along the
// directions that move x0 and x1 together f still moves (by ~1e-3 over the coarse line), so its
// values there are all float32 numbers, several distinct. They are not float32 code's (which uses
// every bit of its significand): the precision is double at every seed. (The single precision
// they were read as, at about half the seeds, is what a' inv(X) b at det X = 1e-10 got from a
// BLAS that fuses its multiply-adds.) A float32 result is still single.
TEST(Noise, ValuesOnACoarseGridAreNotFloat32) {
  Target t = [] {
    Target target;
    target.f = [](const std::vector<arma::mat>& v, arma::mat& out) {
      const double big = std::ldexp(1.0, 42);
      volatile double shifted = (v[0](0) - v[0](1)) * 1e12 + v[0](0) + big;  // (volatile: not folded)
      out = arma::mat(1, 1, arma::fill::value(shifted - big));
    };
    return target;
  }();
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    std::vector<arma::mat> v{arma::mat{3.1, 3.1 + 1e-9}.t()};
    arma::mat f0;
    t.f(v, f0);
    const Noise n = measure_noise(t, v, f0, seed);
    EXPECT_EQ(n.precision, Precision::kDouble) << n.evidence;
  }
  Target single = target_of([](const arma::mat& x) { return static_cast<double>(static_cast<float>(x(0)) * 1.1f); });
  std::vector<arma::mat> v{arma::mat{3.1}};
  arma::mat f0;
  single.f(v, f0);
  EXPECT_EQ(measure_noise(single, v, f0, 1).precision, Precision::kSingle);
}

// Noise is the same at every scale; f's shape is not. Within 1e-12 or 1e-13 of singular the fine
// line (moves up to 5e-12) samples the singularity and reads it as noise of the order of |f|; the
// line at 1e-14 disagrees, and the noise is unresolved (never a small noise: the bound it gave
// held nothing). A well conditioned f spends no evaluation on the check.
TEST(Noise, ASigmaThatChangesWithTheScaleIsShapeNotNoise) {
  Target t = target_of(bilinear_inverse);
  t.computed_in_double = true;
  auto measured = [&](double d, std::uint64_t seed) {
    std::vector<arma::mat> v{near_singular(d)};
    arma::mat f0;
    t.f(v, f0);
    return measure_noise(t, v, f0, seed);
  };
  int unresolved = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE(seed);
    const Noise well = measured(0.5, seed);
    EXPECT_FALSE(well.unresolved);
    EXPECT_EQ(well.evaluations, 10u);  // the fine line alone
    // (Where two fine scales happen to agree, the noise they agree on is large.)
    const Noise near = measured(1e-13, seed);
    EXPECT_TRUE(near.unresolved || near.relative > 1e-5) << near.relative;
    unresolved += near.unresolved;
  }
  EXPECT_GT(unresolved, 0);
  int resolved = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const Noise n = measured(1e-12, seed);
    if (!n.unresolved) {
      ++resolved;
      EXPECT_LT(n.relative, 1e-2);  // (the fine line alone read 0.3 and more)
    }
  }
  EXPECT_GT(resolved, 0);
}

// Double code with a cancellation rounds every value to multiples of one quantum:
// (sum(exp(x)) + 6e8) - 6e8 lies on multiples of 2^-23. The coarse line can cross that lattice in
// even steps (each move exactly 3 quanta), whose higher differences are exactly 0: sigma read as
// eps |f| / 2, and a difference at a step below the quantum read 0 +- 3 eps |f| / h (review
// finding: a right derivative failed at 11 of 20 seeds). Wherever such code is read as double,
// its noise is at least half the quantum.
TEST(Noise, QuantisedDoubleCodeIsNeverReadAsNoiseless) {
  // And float32 code frozen on both lines, read on the wide one: c + sum(x.^2) accumulated in
  // float32 at c = 1e4, on multiples of 2^-10 (review finding: failed at 1 of 15 seeds).
  const auto in_float = [](const arma::mat& x) {
    float acc = 1e4f;
    for (double v : x) acc += static_cast<float>(v) * static_cast<float>(v);
    return static_cast<double>(acc);
  };
  const std::vector<std::pair<Target, double>> cases{
      {target_of([](const arma::mat& x) { return (arma::accu(arma::exp(x)) + 6e8) - 6e8; }), std::ldexp(1.0, -23)},
      {target_of(in_float), std::ldexp(1.0, -10)}};
  for (const auto& [t, quantum] : cases) {
    int double_reads = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      arma::mat x(3, 1);
      for (arma::uword i = 0; i < 3; ++i) x(i) = 0.3 + 0.3 * std::abs(std::sin(double(seed) * 1.7 + 2.3 * double(i)));
      std::vector<arma::mat> v{x};
      arma::mat f0;
      t.f(v, f0);
      const Noise n = measure_noise(t, v, f0, seed);
      if (n.precision != Precision::kDouble) continue;
      ++double_reads;
      EXPECT_GE(n.sigma(0), 0.5 * quantum) << "seed " << seed << ": " << n.evidence;
    }
    EXPECT_GT(double_reads, 0);
  }
}

}  // namespace
}  // namespace gradcheck::reference
