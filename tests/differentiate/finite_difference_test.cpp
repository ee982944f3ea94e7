// SPDX-License-Identifier: MIT
#include "differentiate/finite_difference.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace gradcheck::fd {
namespace {

// f(x) = [sum(exp(x)); x(0) * x(1)^2]: J row 0 = exp(x)', row 1 = [x1^2, 2 x0 x1, 0].
struct Smooth {
  arma::mat x = arma::mat(arma::vec{0.3, -1.2, 2.0});
  Evaluate f() {
    return [this](arma::mat& out) {
      out.set_size(2, 1);
      out(0) = arma::accu(arma::exp(x));
      out(1) = x(0) * x(1) * x(1);
    };
  }
  arma::mat truth() const {
    arma::mat j(2, 3, arma::fill::zeros);
    j.row(0) = arma::exp(x).t();
    j(1, 0) = x(1) * x(1);
    j(1, 1) = 2 * x(0) * x(1);
    return j;
  }
};

double max_error(FdMethod method) {
  Smooth s;
  arma::mat f0;
  s.f()(f0);
  FdOptions options;
  options.method = method;
  const Jacobian j = jacobian(s.x, s.f(), f0, options, Structure::kNone);
  return arma::abs(j.values - s.truth()).max();
}

TEST(FiniteDifference, CentralIsAccurateOnSmoothFunctions) { EXPECT_LT(max_error(FdMethod::kCentral), 1e-9); }
TEST(FiniteDifference, ForwardAndBackwardAreFirstOrder) {
  EXPECT_LT(max_error(FdMethod::kForward), 1e-6);
  EXPECT_LT(max_error(FdMethod::kBackward), 1e-6);
  EXPECT_GT(max_error(FdMethod::kForward), max_error(FdMethod::kCentral));
}
TEST(FiniteDifference, RichardsonAndRiddersBeatCentral) {
  EXPECT_LT(max_error(FdMethod::kRichardson), 1e-10);
  EXPECT_LT(max_error(FdMethod::kRidders), 1e-10);
}

TEST(FiniteDifference, RestoresXExactly) {
  Smooth s;
  const arma::mat before = s.x;
  arma::mat f0;
  s.f()(f0);
  for (FdMethod m : {FdMethod::kCentral, FdMethod::kForward, FdMethod::kRichardson, FdMethod::kRidders}) {
    FdOptions options;
    options.method = m;
    jacobian(s.x, s.f(), f0, options, Structure::kNone);
    EXPECT_TRUE(arma::all(arma::vectorise(s.x == before))) << to_string(m);
  }
}

TEST(FiniteDifference, CountsEvaluations) {
  Smooth s;
  arma::mat f0;
  s.f()(f0);
  FdOptions options;
  EXPECT_EQ(jacobian(s.x, s.f(), f0, options, Structure::kNone).evaluations, 6u);  // 2 per entry
  options.method = FdMethod::kForward;
  EXPECT_EQ(jacobian(s.x, s.f(), f0, options, Structure::kNone).evaluations, 3u);
}

TEST(FiniteDifference, StepRuleScalesWithTheEntry) {
  FdOptions options;
  EXPECT_NEAR(base_step(options), std::cbrt(2.220446049250313e-16), 1e-20);
  options.method = FdMethod::kForward;
  EXPECT_NEAR(base_step(options), std::sqrt(2.220446049250313e-16), 1e-20);
  options.step = 1e-4;
  EXPECT_EQ(base_step(options), 1e-4);
  // A large entry: a fixed absolute step would lose every digit to rounding; the relative one keeps them.
  arma::mat x(1, 1, arma::fill::value(1e8));
  arma::mat f0;
  const Evaluate f = [&](arma::mat& out) { out = arma::mat(1, 1, arma::fill::value(std::log(x(0)))); };
  f(f0);
  const Jacobian j = jacobian(x, f, f0, FdOptions{}, Structure::kNone);
  EXPECT_NEAR(j.values(0, 0), 1e-8, 1e-15);
}

TEST(FiniteDifference, SymmetricStructureMovesPairsTogether) {
  // f(X) = tr(A X) with X symmetric: the derivative is A + A' - diag(diag(A)).
  arma::mat a{{1, 2}, {3, 4}};
  arma::mat x{{0.5, 0.1}, {0.1, 0.7}};
  arma::mat f0;
  const Evaluate f = [&](arma::mat& out) { out = arma::mat(1, 1, arma::fill::value(arma::trace(a * x))); };
  f(f0);
  const Jacobian j = jacobian(x, f, f0, FdOptions{}, Structure::kSymmetric);
  const arma::mat truth = a + a.t() - arma::diagmat(a);
  // J is 1 x 4, column-major entries of X; truth is symmetric in the same order.
  for (arma::uword k = 0; k < 4; ++k) EXPECT_NEAR(j.values(0, k), truth(k), 1e-9) << "entry " << k;
  EXPECT_EQ(coordinates(x, Structure::kSymmetric).size(), 3u);  // (0,0), (1,0)+(0,1), (1,1)
}

}  // namespace
}  // namespace gradcheck::fd

namespace gradcheck::fd {
namespace {

TEST(FiniteDifference, RichardsonStaysNearSmallEntries) {
  // log x at x = 0.002: the Richardson step is capped at |x|/100, so it stays accurate.
  arma::mat x = arma::mat(arma::vec{0.005, 0.002});
  arma::mat f0;
  const Evaluate f = [&](arma::mat& out) { out = arma::mat(1, 1, arma::fill::value(arma::accu(arma::log(x)))); };
  f(f0);
  FdOptions options;
  options.method = FdMethod::kRichardson;
  const Jacobian j = jacobian(x, f, f0, options, Structure::kNone);
  EXPECT_NEAR(j.values(0, 1) * 0.002, 1.0, 1e-7);
  EXPECT_NEAR(j.values(0, 0) * 0.005, 1.0, 1e-7);
}

}  // namespace
}  // namespace gradcheck::fd
