// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "common/random.hpp"
#include "gradcheck/expression.hpp"
#include "compare/compare.hpp"
#include "reference/reference.hpp"

namespace gradcheck::reference {
namespace {

// A scalar function of a vector with its exact gradient, and the range its points are drawn from.
struct Known {
  std::string name;
  double lo, hi;
  std::function<double(const arma::vec&)> f;
  std::function<arma::vec(const arma::vec&)> grad;
};

std::vector<Known> battery() {
  return {
      {"exp", -2, 2, [](const arma::vec& x) { return arma::accu(arma::exp(x)); },
       [](const arma::vec& x) { return arma::vec(arma::exp(x)); }},
      {"cubic_plus_1e7", -2, 2, [](const arma::vec& x) { return arma::accu(arma::pow(x, 3)) + 1e7; },
       [](const arma::vec& x) { return arma::vec(3 * arma::square(x)); }},
      {"log_near_zero", 1e-5, 1e-2, [](const arma::vec& x) { return arma::accu(arma::log(x)); },
       [](const arma::vec& x) { return arma::vec(1 / x); }},
      {"sqrt_near_zero", 1e-6, 1e-3, [](const arma::vec& x) { return arma::accu(arma::sqrt(x)); },
       [](const arma::vec& x) { return arma::vec(0.5 / arma::sqrt(x)); }},
      {"near_pole", -0.999, -0.99, [](const arma::vec& x) { return arma::accu(1 / (x + 1.0)); },
       [](const arma::vec& x) { return arma::vec(-1 / arma::square(x + 1.0)); }},
      {"oscillating", -1, 1, [](const arma::vec& x) { return arma::accu(arma::sin(100 * x)); },
       [](const arma::vec& x) { return arma::vec(100 * arma::cos(100 * x)); }},
      {"steep_exp", -0.3, 0.3, [](const arma::vec& x) { return arma::accu(arma::exp(50 * x)); },
       [](const arma::vec& x) { return arma::vec(50 * arma::exp(50 * x)); }},
      {"huge_scale", -1, 1, [](const arma::vec& x) { return 1e8 * arma::accu(arma::square(x)); },
       [](const arma::vec& x) { return arma::vec(2e8 * x); }},
      {"tiny_scale", -1, 1, [](const arma::vec& x) { return 1e-8 * arma::accu(arma::square(x)); },
       [](const arma::vec& x) { return arma::vec(2e-8 * x); }},
      {"large_entries", 1e3, 1e4, [](const arma::vec& x) { return arma::accu(arma::log(x)) * arma::accu(x); },
       [](const arma::vec& x) {
         return arma::vec(arma::accu(x) / x + arma::accu(arma::log(x)));
       }},
      {"coupled", -1, 1, [](const arma::vec& x) { return std::log(1 + arma::dot(x, x)) * arma::accu(x); },
       [](const arma::vec& x) {
         const double q = 1 + arma::dot(x, x);
         return arma::vec(2 * x / q * arma::accu(x) + std::log(q));
       }},
      // Polynomials of degree <= 2 (through propagation: one step, E = 6 sigma / h): a large
      // offset, large entries, cross terms.
      {"quadratic_plus_1e10", -2, 2, [](const arma::vec& x) { return arma::accu(arma::square(3 * x + 1)) + 1e10; },
       [](const arma::vec& x) { return arma::vec(6 * (3 * x + 1)); }},
      {"quadratic_large_x", 1e5, 1e6, [](const arma::vec& x) { return arma::accu(arma::square(x)); },
       [](const arma::vec& x) { return arma::vec(2 * x); }},
      {"square_of_sum", -3, 3, [](const arma::vec& x) { return std::pow(arma::accu(x), 2) - 2 * arma::dot(x, x); },
       [](const arma::vec& x) { return arma::vec(2 * arma::accu(x) - 4 * x); }},
      // Of degree <= 1 (through propagation: one evaluation per entry, E = 12 sigma / h): a large
      // offset, a tiny slope.
      {"linear_plus_1e10", -2, 2, [](const arma::vec& x) { return arma::accu(3 * x + 1) + 1e10; },
       [](const arma::vec& x) { return arma::vec(x.n_elem, arma::fill::value(3.0)); }},
      {"linear_tiny", -3, 3, [](const arma::vec& x) { return 1e-8 * arma::accu(x); },
       [](const arma::vec& x) { return arma::vec(x.n_elem, arma::fill::value(1e-8)); }},
  };
}

Target target_of(const Known& k) {
  Target t;
  t.f = [k](const std::vector<arma::mat>& v, arma::mat& out) {
    out = arma::mat(1, 1, arma::fill::value(k.f(arma::vectorise(v[0]))));
  };
  return t;
}

// Every finite bound holds: |r - true| <= e.
int violations(const Reference& r, const arma::vec& truth, std::string* where) {
  int bad = 0;
  for (arma::uword b = 0; b < truth.n_elem; ++b) {
    const double e = r.bound(0, b);
    if (std::isfinite(e) && !(std::abs(r.values(0, b) - truth(b)) <= e)) {
      ++bad;
      *where += " x(" + std::to_string(b) + "): r " + std::to_string(r.values(0, b)) + " true " +
                std::to_string(truth(b)) + " e " + std::to_string(e) + ";";
    }
  }
  return bad;
}

// The battery as expressions, for the propagated evaluator (Target::perturbed).
const std::map<std::string, std::string>& battery_expressions() {
  static const std::map<std::string, std::string> e = {
      {"exp", "sum(exp(x))"},
      {"cubic_plus_1e7", "sum(x.^3) + 1e7"},
      {"log_near_zero", "sum(log(x))"},
      {"sqrt_near_zero", "sum(sqrt(x))"},
      {"near_pole", "sum(1 ./ (x + 1))"},
      {"oscillating", "sum(sin(100 * x))"},
      {"steep_exp", "sum(exp(50 * x))"},
      {"huge_scale", "1e8 * sum(x.^2)"},
      {"tiny_scale", "1e-8 * sum(x.^2)"},
      {"large_entries", "sum(log(x)) * sum(x)"},
      {"coupled", "log(1 + dot(x, x)) * sum(x)"},
      {"quadratic_plus_1e10", "sum((3 * x + 1).^2) + 1e10"},
      {"quadratic_large_x", "sum(x.^2)"},
      {"square_of_sum", "sum(x)^2 - 2 * dot(x, x)"},
      {"linear_plus_1e10", "sum(3 * x + 1) + 1e10"},
      {"linear_tiny", "1e-8 * sum(x)"},
  };
  return e;
}

// f from the compiled expression of k, with its perturbed evaluator.
Target propagated_target_of(const Known& k) {
  Symbols symbols;
  symbols.add_variable("x", Shape{5, 1});
  auto e = std::make_shared<Expression>(Expression::compile(battery_expressions().at(k.name), symbols));
  Target t;
  t.f = [e](const std::vector<arma::mat>& v, arma::mat& out) { out = e->evaluate(v); };
  t.perturbed = [e] { return e->perturbed(0); };
  t.polynomial_degree = e->polynomial_degree(0);
  return t;
}

// The property the verdict stands on: for a battery of functions with known derivatives,
// including points near a pole or the edge of the domain, large offsets and extreme scales, over
// many seeds, the true derivative lies within [r - e, r + e] for every method and after every
// tightening level.
void expect_bounds_hold(const std::function<Target(const Known&)>& make_target) {
  int checked = 0, finite = 0;
  for (const Known& k : battery()) {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      Random random(mix_seed(seed, 77));
      arma::vec x0(5);
      for (double& v : x0) v = random.uniform(k.lo, k.hi);
      const arma::vec truth = k.grad(x0);
      const Target t = make_target(k);
      std::vector<arma::mat> values{arma::mat(x0)};
      arma::mat f0;
      t.f(values, f0);
      const Noise noise = measure_noise(t, values, f0, seed);
      for (FdMethod m : {FdMethod::kCentral, FdMethod::kForward, FdMethod::kBackward, FdMethod::kRichardson,
                         FdMethod::kRidders}) {
        FdOptions fd;
        fd.method = m;
        Reference r = finite_differences(t, values, f0, noise, fd);
        std::string where;
        EXPECT_EQ(violations(r, truth, &where), 0) << k.name << " seed " << seed << " " << to_string(m) << where;
        if (m == FdMethod::kCentral) {
          const std::vector<arma::uword> all{0, 1, 2, 3, 4};
          for (int level = 0; tighten(t, values, f0, noise, all, level, r); ++level) {
            where.clear();
            EXPECT_EQ(violations(r, truth, &where), 0) << k.name << " seed " << seed << " level " << level << where;
          }
        }
        for (arma::uword b = 0; b < 5; ++b) finite += std::isfinite(r.bound(0, b));
        checked += 5;
      }
      EXPECT_EQ(values[0](1), x0(1));  // x restored exactly
    }
  }
  // The bounds are not vacuous: most entries get a finite one.
  EXPECT_GT(finite, checked * 8 / 10);
}

TEST(ReferenceBounds, TheTrueDerivativeLiesWithinEveryBound) { expect_bounds_hold(target_of); }

// The same through perturbation propagation: its evaluations keep the error model an upper bound.
TEST(ReferenceBounds, TheTrueDerivativeLiesWithinEveryBoundThroughPropagation) {
  expect_bounds_hold(propagated_target_of);
}

// Threads: the reference is bit-identical to one thread's, values, bounds, steps and kinks, for
// a callable f and through the propagated evaluator, also for a symmetric x.
TEST(ReferenceThreads, ColumnsInParallelGiveTheSameReference) {
  Symbols symbols;
  symbols.add_variable("X", Shape{6, 6});
  symbols.add_variable("A", Shape{6, 6});
  auto e = std::make_shared<Expression>(
      Expression::compile("abs(X) * A + logdet(X * X' + eye(6)) + sum(tanh(A * X).^2, 1)'", symbols));
  Random random(3);
  std::vector<arma::mat> values{arma::mat(6, 6), arma::mat(6, 6)};
  for (arma::mat& v : values)
    for (double& d : v) d = random.normal();
  values[0](2, 3) = 0.0;  // a kink of abs
  for (int kind = 0; kind < 4; ++kind) {
    Target t;
    if (kind % 2 == 0) {
      t.f = [e](const std::vector<arma::mat>& v, arma::mat& out) {
        Expression own(*e);  // thread-safe: each call its own buffers
        out = own.evaluate(v);
      };
    } else {
      t.f = [e](const std::vector<arma::mat>& v, arma::mat& out) { out = e->evaluate(v); };
      t.perturbed = [e] { return e->perturbed(0); };
    }
    t.structure = kind >= 2 ? Structure::kSymmetric : Structure::kNone;
    std::vector<arma::mat> at = values;
    if (kind >= 2) {
      at[0] = at[0] + at[0].t();
      at[0](2, 3) = at[0](3, 2) = 0.0;
    }
    arma::mat f0;
    t.f(at, f0);
    const Noise noise = measure_noise(t, at, f0, 1);
    t.threads = 1;
    const Reference one = finite_differences(t, at, f0, noise, FdOptions{});
    t.threads = 3;
    const Reference three = finite_differences(t, at, f0, noise, FdOptions{});
    SCOPED_TRACE(kind);
    EXPECT_EQ(one.evaluations, three.evaluations);
    ASSERT_EQ(one.values.n_elem, three.values.n_elem);
    for (arma::uword k = 0; k < one.values.n_elem; ++k) {
      EXPECT_EQ(std::memcmp(&one.values(k), &three.values(k), sizeof(double)), 0) << k;
      EXPECT_EQ(std::memcmp(&one.bound(k), &three.bound(k), sizeof(double)), 0) << k;
    }
    EXPECT_TRUE(arma::all(one.steps == three.steps));
    ASSERT_EQ(one.kinks.size(), three.kinks.size());
    EXPECT_FALSE(one.kinks.empty());
    for (std::size_t k = 0; k < one.kinks.size(); ++k) {
      EXPECT_EQ(one.kinks[k].a, three.kinks[k].a);
      EXPECT_EQ(one.kinks[k].b, three.kinks[k].b);
    }
    EXPECT_EQ(one.step_notes, three.step_notes);
    // Tightening every column at every level: the same on three threads too.
    std::vector<arma::uword> all(one.values.n_cols);
    for (arma::uword b = 0; b < all.size(); ++b) all[b] = b;
    Reference one_t = one, three_t = three;
    for (int level = 0; level <= 4; ++level) {
      t.threads = 1;
      const bool did = tighten(t, at, f0, noise, all, level, one_t);
      t.threads = 3;
      EXPECT_EQ(did, tighten(t, at, f0, noise, all, level, three_t));
      SCOPED_TRACE(level);
      EXPECT_EQ(one_t.evaluations, three_t.evaluations);
      for (arma::uword k = 0; k < one_t.values.n_elem; ++k) {
        EXPECT_EQ(std::memcmp(&one_t.values(k), &three_t.values(k), sizeof(double)), 0) << k;
        EXPECT_EQ(std::memcmp(&one_t.bound(k), &three_t.bound(k), sizeof(double)), 0) << k;
      }
      EXPECT_TRUE(arma::all(one_t.steps == three_t.steps));
      EXPECT_EQ(one_t.kinks.size(), three_t.kinks.size());
      EXPECT_EQ(one_t.detail, three_t.detail);
    }
  }
}

// An evaluation that throws in a worker rethrows, as with one thread.
TEST(ReferenceThreads, AnErrorInAWorkerIsRethrown) {
  Target t;
  t.f = [](const std::vector<arma::mat>& v, arma::mat& out) {
    if (v[0](5) != 0.0) throw std::runtime_error("f failed");
    out = arma::mat(1, 1, arma::fill::value(arma::accu(v[0])));
  };
  t.threads = 2;
  std::vector<arma::mat> values{arma::mat(4, 2, arma::fill::zeros)};
  arma::mat f0;
  t.f(values, f0);
  Noise noise;
  noise.sigma = arma::vec(1, arma::fill::value(1e-16));
  EXPECT_THROW(finite_differences(t, values, f0, noise, FdOptions{}), std::runtime_error);
}

// A target whose f answers another number of values off the point (a callable that does not
// check its own shape) is an error with the id check.function, not a read past the answer's end.
TEST(ReferenceErrors, AnAnswerOfAnotherSizeAlongACoordinateIsAnError) {
  Target t;
  t.f = [](const std::vector<arma::mat>& v, arma::mat& out) {
    out = arma::mat(v[0](0) == 1.0 ? 3 : 2, 1, arma::fill::value(std::sin(v[0](0))));
  };
  std::vector<arma::mat> values{arma::mat(1, 1, arma::fill::value(1.0))};
  arma::mat f0;
  t.f(values, f0);
  Noise noise;
  noise.sigma = arma::vec(3, arma::fill::value(1e-16));
  try {
    finite_differences(t, values, f0, noise, FdOptions{});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "check.function");
  }
}

TEST(ReferenceBounds, BoundsAreTightOnWellConditionedFunctions) {
  const Known k = battery()[0];
  const Target t = target_of(k);
  std::vector<arma::mat> values{arma::mat(arma::vec{0.3, -1.2, 2.0})};
  arma::mat f0;
  t.f(values, f0);
  const Reference r = finite_differences(t, values, f0, measure_noise(t, values, f0, 1), FdOptions{});
  EXPECT_LT(r.bound.max(), 1e-8);
  EXPECT_LT(arma::abs(r.values.t() - k.grad(arma::vectorise(values[0]))).max(), 1e-9);
  EXPECT_EQ(r.evaluations, 12u);  // f at x +- h and x +- 2h per entry
}

TEST(ReferenceSteps, AStepThatLeavesTheDomainIsShrunkAndSaysSo) {
  // log x at x = 1e-7: x - h with the rule's h = 6e-6 is negative.
  Known k{"log", 0, 0, [](const arma::vec& x) { return arma::accu(arma::log(x)); },
          [](const arma::vec& x) { return arma::vec(1 / x); }};
  const Target t = target_of(k);
  std::vector<arma::mat> values{arma::mat(arma::vec{1e-7, 0.5})};
  arma::mat f0;
  t.f(values, f0);
  const Reference r = finite_differences(t, values, f0, measure_noise(t, values, f0, 1), FdOptions{});
  EXPECT_TRUE(r.values.is_finite());
  EXPECT_LT(r.steps(0), 1e-7);
  EXPECT_NE(r.step_notes[0].find("not finite"), std::string::npos) << r.step_notes[0];
  EXPECT_TRUE(r.step_notes[1].empty());
}

TEST(ReferenceSteps, OneSidedWhenOnlyOneSideIsFinite) {
  // sqrt(x) at x = 0: only x + h is in the domain.
  Known k{"sqrt1", 0, 0, [](const arma::vec& x) { return std::sqrt(x(0)) + x(0) * x(0); },
          [](const arma::vec& x) { return arma::vec{2 * x(0)}; }};
  const Target t = target_of(k);
  std::vector<arma::mat> values{arma::mat(arma::vec{0.0})};
  arma::mat f0;
  t.f(values, f0);
  const Reference r = finite_differences(t, values, f0, measure_noise(t, values, f0, 1), FdOptions{});
  EXPECT_NE(r.step_notes[0].find("one-sided (forward)"), std::string::npos) << r.step_notes[0];
}

TEST(ReferenceKinks, AKinkAtThePointIsFoundAndASmoothFunctionHasNone) {
  Known abs{"abs", 0, 0, [](const arma::vec& x) { return arma::accu(arma::abs(x)); },
            [](const arma::vec& x) { return arma::vec(arma::sign(x)); }};
  const Target t = target_of(abs);
  std::vector<arma::mat> values{arma::mat(arma::vec{1.5, 0.0, -0.4})};
  arma::mat f0;
  t.f(values, f0);
  const Noise noise = measure_noise(t, values, f0, 1);
  Reference r = finite_differences(t, values, f0, noise, FdOptions{});
  ASSERT_EQ(r.kinks.size(), 1u);
  EXPECT_EQ(r.kinks[0].b, 1u);
  EXPECT_NEAR(r.kinks[0].forward, 1.0, 1e-9);
  EXPECT_NEAR(r.kinks[0].backward, -1.0, 1e-9);
  EXPECT_GE(r.bound(0, 1), 1.0);  // the value is unknown between the slopes
  // Tightening at a 100 times smaller step keeps a kink that sits at the point.
  tighten(t, values, f0, noise, {1}, 0, r);
  EXPECT_EQ(r.kinks.size(), 1u);

  // A strongly curved smooth function: one-sided slopes differ by h f'' but scale with h.
  const Known steep = battery()[6];
  const Target ts = target_of(steep);
  std::vector<arma::mat> v2{arma::mat(arma::vec{0.2, -0.1})};
  t.f(v2, f0);
  ts.f(v2, f0);
  EXPECT_TRUE(finite_differences(ts, v2, f0, measure_noise(ts, v2, f0, 1), FdOptions{}).kinks.empty());
}

// f = sum(sqrt(x.^2 + 1e-18)): smooth, but a corner 1e-9 wide at x = 0, far narrower than any
// step the rule takes: its one-sided slopes at h and 2h are +-1, as for abs. Declared smooth
// (Target::smooth, what Expression::smooth gives the case runner), it is no kink: the entry is
// left with the wide bound those slopes give (undecided), never a "nondifferentiable" claim.
TEST(ReferenceKinks, ASmoothFunctionNeverHasAKinkHoweverNarrowItsFeature) {
  Known corner{"corner", 0, 0, [](const arma::vec& x) { return arma::accu(arma::sqrt(arma::square(x) + 1e-18)); },
               [](const arma::vec& x) { return arma::vec(x / arma::sqrt(arma::square(x) + 1e-18)); }};
  Target t = target_of(corner);
  std::vector<arma::mat> values{arma::mat(arma::vec{1.5, 0.0})};
  arma::mat f0;
  t.f(values, f0);
  const Noise noise = measure_noise(t, values, f0, 1);
  const Reference seen = finite_differences(t, values, f0, noise, FdOptions{});
  EXPECT_EQ(seen.kinks.size(), 1u);  // not declared smooth: it looks like abs at 0
  t.smooth = true;
  Reference r = finite_differences(t, values, f0, noise, FdOptions{});
  EXPECT_TRUE(r.kinks.empty());
  EXPECT_GE(r.bound(0, 1), 0.5);                        // as wide as the slopes say
  EXPECT_LE(std::abs(r.values(0, 1) - 0.0), r.bound(0, 1));  // f'(0) = 0 within it
  for (int level = 0; level <= 4; ++level) tighten(t, values, f0, noise, {1}, level, r);
  EXPECT_TRUE(r.kinks.empty());
  EXPECT_EQ(scan_kinks(t, values, f0, noise, r), 0u);
  EXPECT_TRUE(r.kinks.empty());
}

TEST(ReferenceKinks, AKinkBesideThePointDisappearsAtASmallerStep) {
  // relu(x) at x = 1e-7, inside the rule's step of 6e-6.
  Known relu{"relu", 0, 0, [](const arma::vec& x) { return std::max(x(0), 0.0); },
             [](const arma::vec&) { return arma::vec{1.0}; }};
  const Target t = target_of(relu);
  std::vector<arma::mat> values{arma::mat(arma::vec{1e-7})};
  arma::mat f0;
  t.f(values, f0);
  const Noise noise = measure_noise(t, values, f0, 1);
  Reference r = finite_differences(t, values, f0, noise, FdOptions{});
  tighten(t, values, f0, noise, {0}, 0, r);
  EXPECT_TRUE(r.kinks.empty());
  EXPECT_NEAR(r.values(0, 0), 1.0, 1e-9);
}

// abs at x = 1e-12: a kink closer than the rule's steps (6e-6 down to the smallest that can see
// it). Its f(x + h) - f(x - h) is 2x at every step, as a jump's would be, but its even part grows
// with the step, so it is no jump; and its one-sided slopes move with the step (the backward one
// is 2x / h - 1), so it is no kink at the point either: the entry is left undecided (bound +inf),
// never claimed nondifferentiable. (A kink nearer than the smallest step's resolution, rounding
// over that step, counts as at the point: abs at exactly 0 keeps its kink; a jump keeps its own
// test, cli.verdict.review_a_jump_is_nondifferentiable.) The second opinion of level 0, at a
// step 10^1.5 below the last one, may be below 1e-12 and then decides the entry by its slope.
TEST(ReferenceKinks, AKinkCloserThanAnyStepIsNeitherAJumpNorAKinkAtThePoint) {
  Known abs{"abs", 0, 0, [](const arma::vec& x) { return arma::accu(arma::abs(x)); },
            [](const arma::vec& x) { return arma::vec(arma::sign(x)); }};
  const Target t = target_of(abs);
  for (const arma::vec& x : {arma::vec{1e-12, 0.5}, arma::vec{0.0, 0.5}}) {
    std::vector<arma::mat> values{arma::mat(x)};
    arma::mat f0;
    t.f(values, f0);
    const Noise noise = measure_noise(t, values, f0, 1);
    Reference r = finite_differences(t, values, f0, noise, FdOptions{});
    for (const Reference::Kink& k : r.kinks) EXPECT_FALSE(k.jump) << "entry " << k.b;
    tighten(t, values, f0, noise, {0}, 0, r);
    if (x(0) != 0.0) {
      EXPECT_TRUE(r.kinks.empty());
      // Undecided (a wide bound), or decided by level 0's second opinion at a step below
      // 1e-12, where abs is smooth: its slope there, 1, within the bound.
      EXPECT_TRUE(!(r.bound(0, 0) < 0.5) || std::abs(r.values(0, 0) - 1.0) <= r.bound(0, 0))
          << r.values(0, 0) << " +- " << r.bound(0, 0) << " at h = " << r.steps(0);
    } else {
      ASSERT_EQ(r.kinks.size(), 1u);
      EXPECT_NEAR(r.kinks[0].forward, 1.0, 1e-6);
      EXPECT_NEAR(r.kinks[0].backward, -1.0, 1e-6);
    }
  }

}

TEST(ComplexStep, IsExactToWorkingPrecision) {
  Target t;
  t.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat(1, 1, arma::fill::value(arma::accu(arma::exp(v[0])))); };
  t.f_complex = [](const std::vector<arma::cx_mat>& v, arma::cx_mat& out) {
    out = arma::cx_mat(1, 1);
    out(0) = arma::accu(arma::exp(v[0]));
  };
  std::vector<arma::mat> values{arma::mat(arma::vec{0.3, -1.2, 2.0})};
  arma::mat f0;
  t.f(values, f0);
  const Reference r = complex_step(t, values, measure_noise(t, values, f0, 1));
  const arma::rowvec truth = arma::exp(values[0]).t();
  EXPECT_LT(arma::abs(r.values - truth).max(), 4e-16 * 8);
  EXPECT_TRUE(arma::all(arma::vectorise(arma::abs(r.values - truth) <= r.bound)));
  EXPECT_EQ(r.evaluations, 3u);
}

TEST(ComplexStep, ADisagreementWithFiniteDifferencesKeepsTheHullOfBoth) {
  // A complex extension with a bug (it drops the imaginary part): complex step says 0.
  Target t;
  t.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat(1, 1, arma::fill::value(arma::accu(arma::exp(v[0])))); };
  t.f_complex = [](const std::vector<arma::cx_mat>& v, arma::cx_mat& out) {
    out = arma::cx_mat(1, 1);
    out(0) = std::real(arma::accu(arma::exp(v[0])));
  };
  t.smooth = true;  // exp is: the hull and the vouching rule apply (not so for a jump, below)
  std::vector<arma::mat> values{arma::mat(arma::vec{0.3, -1.2})};
  arma::mat f0;
  t.f(values, f0);
  const Noise noise = measure_noise(t, values, f0, 1);
  Reference unknown = finite_differences(t, values, f0, noise, FdOptions{});
  Reference r = unknown;
  tighten(t, values, f0, noise, {0, 1}, 0, r);
  EXPECT_NE(r.detail.find("disagree"), std::string::npos);
  // Not declared smooth: the entry is unknown (+inf), for the later differences to decide.
  t.smooth = false;
  tighten(t, values, f0, noise, {0, 1}, 0, unknown);
  EXPECT_FALSE(std::isfinite(unknown.bound(0, 0)));
  EXPECT_TRUE(unknown.contradictions.empty());
  t.smooth = true;
  ASSERT_EQ(r.contradictions.size(), 2u);
  EXPECT_EQ(r.contradictions[0].value, 0.0);
  // The entry holds both 0 (the complex step) and exp(x) (the truth, the finite difference): no
  // value passes that only one of them supports, neither the truth nor the bug's 0.
  for (arma::uword b = 0; b < 2; ++b) {
    const double truth = std::exp(values[0](b));
    EXPECT_LE(std::abs(r.values(0, b) - truth), r.bound(0, b));
    EXPECT_LE(std::abs(r.values(0, b) - 0.0), r.bound(0, b));
    Tolerance tol;  // rtol 1e-5, atol 1e-7
    EXPECT_NE(decide(truth, r.values(0, b), r.bound(0, b), tol), EntryVerdict::kPass);
    EXPECT_NE(decide(0.0, r.values(0, b), r.bound(0, b), tol), EntryVerdict::kPass);
    // A value far outside both fails: the hull still decides that.
    EXPECT_EQ(decide(3 * truth, r.values(0, b), r.bound(0, b), tol), EntryVerdict::kFail);
  }
  // The later levels' finite differences agree with each other, not with the complex step: none
  // of them narrows the entry alone.
  const arma::mat hull = r.bound;
  for (int level = 1; level <= 4; ++level) tighten(t, values, f0, noise, {0, 1}, level, r);
  EXPECT_TRUE(arma::all(arma::vectorise(r.bound >= hull))) << r.bound << hull;
}

}  // namespace
}  // namespace gradcheck::reference

namespace gradcheck::reference {
namespace {

// f at x0 and its noise (seed 3), for references taken there.
struct AtPoint {
  AtPoint(const Target& t, const arma::vec& x0) : values{arma::mat(x0)} {
    t.f(values, f0);
    noise = measure_noise(t, values, f0, 3);
  }
  std::vector<arma::mat> values;
  arma::mat f0;
  Noise noise;
};

// The battery's function called `name`, or nullptr.
const Known* known(const std::string& name) {
  static const std::vector<Known> all = battery();
  for (const Known& c : all)
    if (c.name == name) return &c;
  return nullptr;
}

// A polynomial of degree <= 2 in x is differenced at x +- h alone (2 evaluations per entry, not
// 4), at a step of at least 1e-3 max(1, |x_b|), with E = 6 sigma / h plus the rounding of the
// change (about 3 eps |f'|), and its value is within that bound of the true derivative; degree 3,
// or a degree not stated, takes the general rule's 4.
TEST(ReferenceSteps, APolynomialOfDegreeTwoIsDifferencedAtOneStep) {
  for (const char* name : {"quadratic_plus_1e10", "square_of_sum", "cubic_plus_1e7"}) {
    SCOPED_TRACE(name);
    const Known* k = known(name);
    ASSERT_NE(k, nullptr);
    Target t = propagated_target_of(*k);
    const bool quadratic = std::string(name) != "cubic_plus_1e7";
    EXPECT_EQ(t.polynomial_degree, quadratic ? 2 : 3);
    const arma::vec x0{0.3, -1.2, 0.8, 1.9, -0.4};
    AtPoint at(t, x0);
    const Reference r = finite_differences(t, at.values, at.f0, at.noise, FdOptions{});
    EXPECT_EQ(r.evaluations, quadratic ? 10u : 20u);
    std::string where;
    EXPECT_EQ(violations(r, k->grad(x0), &where), 0) << where;
    if (quadratic) {
      for (arma::uword b = 0; b < 5; ++b) {
        EXPECT_GE(r.bound(0, b), 6 * at.noise.sigma(0) / r.steps(b));
        EXPECT_LE(r.bound(0, b), 6 * at.noise.sigma(0) / r.steps(b) + 1e-10 * std::abs(r.values(0, b)));
        EXPECT_GE(r.steps(b), 1e-3 * std::max(1.0, std::abs(x0(b))) * (1 - 1e-12));  // kQuadraticStep
      }
      t.polynomial_degree = -1;  // not stated: the general rule
      EXPECT_EQ(finite_differences(t, at.values, at.f0, at.noise, FdOptions{}).evaluations, 20u);
    }
  }
}

// A polynomial of degree <= 1 in x is differenced at x + h alone (1 evaluation per entry), at
// the degree-2 step, with E = 12 sigma / h plus the rounding of the change, and its value is
// within that bound of the true derivative; the degree not stated, the general rule's 4.
TEST(ReferenceSteps, APolynomialOfDegreeOneIsDifferencedOnOneSide) {
  for (const char* name : {"linear_plus_1e10", "linear_tiny"}) {
    SCOPED_TRACE(name);
    const Known* k = known(name);
    ASSERT_NE(k, nullptr);
    Target t = propagated_target_of(*k);
    EXPECT_EQ(t.polynomial_degree, 1);
    const arma::vec x0{0.3, -1.2, 0.8, 1.9, -0.4};
    AtPoint at(t, x0);
    const Reference r = finite_differences(t, at.values, at.f0, at.noise, FdOptions{});
    EXPECT_EQ(r.evaluations, 5u);
    std::string where;
    EXPECT_EQ(violations(r, k->grad(x0), &where), 0) << where;
    for (arma::uword b = 0; b < 5; ++b) {
      EXPECT_GE(r.bound(0, b), 12 * at.noise.sigma(0) / r.steps(b));
      EXPECT_LE(r.bound(0, b), 12 * at.noise.sigma(0) / r.steps(b) + 1e-10 * std::abs(r.values(0, b)));
      EXPECT_GE(r.steps(b), 1e-3 * std::max(1.0, std::abs(x0(b))) * (1 - 1e-12));  // kQuadraticStep
    }
    t.polynomial_degree = -1;
    EXPECT_EQ(finite_differences(t, at.values, at.f0, at.noise, FdOptions{}).evaluations, 20u);
  }
}

// The general central rule takes a column in one vectorised pass when no entry needs more than
// the formulas: value D(h) and bound 2/3 |D(h) - D(2h)| + 3 sigma / h, the same bits as the rule
// written entry by entry (computed here from f's own values at x +- h, x +- 2h); an entry with a
// kink (|x_2| at 0) sends its column through the entry-by-entry rule, which finds the kink. The
// test fails when the pass computes either figure another way, or skips a kink.
TEST(ReferenceSteps, TheGeneralRuleGivesTheFormulasBitsAndStillFindsKinks) {
  Target t;
  t.f = [](const std::vector<arma::mat>& v, arma::mat& out) {
    const arma::vec x = arma::vectorise(v[0]);
    out.set_size(4, 1);
    out(0) = std::exp(x(0)) * std::sin(x(1));
    out(1) = std::log(1 + x(0) * x(0)) + x(2) * x(1);
    out(2) = std::abs(x(2)) + x(0);
    out(3) = 1e6 * std::cos(x(1) - x(0));
  };
  AtPoint at(t, arma::vec{0.3, -1.2, 0.0});
  const Reference r = finite_differences(t, at.values, at.f0, at.noise, FdOptions{});
  ASSERT_EQ(r.kinks.size(), 1u);
  EXPECT_EQ(r.kinks[0].a, 2u);
  EXPECT_EQ(r.kinks[0].b, 2u);
  for (arma::uword b = 0; b < 2; ++b) {  // the columns without a kink
    const double h = r.steps(b);
    auto f_at = [&](double d) {
      std::vector<arma::mat> moved = at.values;
      moved[0](b) += d;
      arma::mat out;
      t.f(moved, out);
      return out;
    };
    const arma::mat plus = f_at(h), minus = f_at(-h), plus2 = f_at(2 * h), minus2 = f_at(-2 * h);
    for (arma::uword a = 0; a < 4; ++a) {
      SCOPED_TRACE(std::to_string(a) + "," + std::to_string(b));
      const double d1 = (plus(a) - minus(a)) / (2 * h), d2 = (plus2(a) - minus2(a)) / (4 * h);
      EXPECT_EQ(r.values(a, b), d1);
      EXPECT_EQ(r.bound(a, b), (2.0 / 3.0) * std::abs(d1 - d2) + 3 * at.noise.sigma(a) / h);
    }
  }
}

// probe_contradicts: a reference with one column off by 1e-3 of its value (far beyond its bound)
// is contradicted along every sign draw, with or without a complex extension; the reference
// as computed never is.
TEST(ReferenceProbe, OneWrongColumnContradictsTheProbeOfEveryColumn) {
  for (bool complex_extension : {false, true}) {
    Target t;
    t.wrt = 0;
    t.f = [](const std::vector<arma::mat>& v, arma::mat& out) {
      out = arma::mat{arma::accu(arma::exp(v[0])), arma::accu(arma::sin(3 * v[0]))};
      out = out.t();
    };
    if (complex_extension)
      t.f_complex = [](const std::vector<arma::cx_mat>& v, arma::cx_mat& out) {
        out = arma::cx_mat(2, 1);
        out(0) = arma::accu(arma::exp(v[0]));
        out(1) = arma::accu(arma::sin(3.0 * v[0]));
      };
    std::vector<arma::mat> values{arma::mat(arma::vec{0.3, -0.7, 1.1, 0.05, -1.4, 0.9})};
    arma::mat f0;
    t.f(values, f0);
    const Noise noise = measure_noise(t, values, f0, 7);
    const Reference right = finite_differences(t, values, f0, noise, FdOptions{});
    Random random(11);
    for (int draw = 0; draw < 20; ++draw) {
      const arma::vec signs = rademacher(random, 6);
      Reference r = right;
      EXPECT_FALSE(probe_contradicts(t, values, f0, noise, signs, r)) << complex_extension << " draw " << draw;
      Reference wrong = right;
      wrong.values(0, draw % 6) *= 1.001;
      EXPECT_TRUE(probe_contradicts(t, values, f0, noise, signs, wrong)) << complex_extension << " draw " << draw;
    }
    EXPECT_TRUE(arma::approx_equal(values[0], arma::mat(arma::vec{0.3, -0.7, 1.1, 0.05, -1.4, 0.9}), "absdiff", 0.0))
        << "x is restored";
  }
}

}  // namespace
}  // namespace gradcheck::reference
