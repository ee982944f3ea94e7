// SPDX-License-Identifier: MIT
// A consumer's test: the assertions of <gradcheck/gtest.hpp> on a tiny function.
#include <gtest/gtest-spi.h>

#include <gradcheck/gtest.hpp>

namespace {

// f(x) = sum(x.^2) / 2 + sum(sin(x)): df/dx = x + cos(x).
double f(const arma::mat& x) { return arma::accu(arma::square(x)) / 2 + arma::accu(arma::sin(x)); }
arma::mat df(const arma::mat& x) { return x + arma::cos(x); }

TEST(Consumer, GradientMatches) {
  const arma::mat x{{0.5, -1.0}, {2.0, 0.25}};
  EXPECT_GRADIENT_MATCHES(f, df, x);
  EXPECT_GRADIENT_MATCHES(f, df(x), x);
}

TEST(Consumer, WrongGradientFailsWithItsDiagnosis) {
  const arma::mat x{{0.5, -1.0}, {2.0, 0.25}};
  auto wrong = [](const arma::mat& y) { return arma::mat(-df(y)); };
  EXPECT_NONFATAL_FAILURE(EXPECT_GRADIENT_MATCHES(f, wrong, x), "[sign]");
}

}  // namespace
