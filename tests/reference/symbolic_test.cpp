// SPDX-License-Identifier: MIT
// Tests of harness/reference/symbolic.cpp: the exact reference, its rounding-only bound, and the
// finite-difference cross-check that stops a wrong rule from passing.
#include <gtest/gtest.h>

#include "gradcheck/error.hpp"
#include "reference/reference.hpp"

namespace gradcheck::reference {
namespace {

// f(W) = sum(exp(W) .* A): J = vec(exp(W) .* A)'.
Target target(bool wrong) {
  Target t;
  t.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat(1, 1).fill(arma::accu(arma::exp(v[0]) % v[1])); };
  t.jacobian = [wrong](const std::vector<arma::mat>& v) {
    arma::mat g = arma::exp(v[0]) % v[1];
    if (wrong) g(1, 2) *= 1.001;  // one entry off by 0.1%: a rule bug
    return arma::mat(arma::vectorise(g).t());
  };
  t.wrt = 0;
  return t;
}

TEST(SymbolicReference, IsTheFormulaWithARoundingOnlyBound) {
  arma::arma_rng::set_seed(3);
  std::vector<arma::mat> values = {arma::randn(3, 4), arma::randn(3, 4)};
  Noise noise;
  noise.sigma = arma::vec(1, arma::fill::value(1e-16));
  noise.relative = std::numeric_limits<double>::epsilon();
  arma::mat f0;
  target(false).f(values, f0);
  const Reference r = symbolic(target(false), values, f0, noise, 7, 12);  // every entry cross-checked
  EXPECT_EQ(r.method, ReferenceMethod::kSymbolic);
  const arma::mat want = arma::vectorise(arma::exp(values[0]) % values[1]).t();
  EXPECT_TRUE(arma::approx_equal(r.values, want, "absdiff", 0));
  EXPECT_LT(r.bound.max(), 1e-12);
  EXPECT_GT(r.bound.min(), 0);
  EXPECT_EQ(r.evaluations, 48u);  // 4 per cross-checked entry
}

TEST(SymbolicReference, AWrongRuleCannotPassSilently) {
  arma::arma_rng::set_seed(3);
  std::vector<arma::mat> values = {arma::randn(3, 4), arma::randn(3, 4)};
  Noise noise;
  noise.sigma = arma::vec(1, arma::fill::value(1e-16));
  noise.relative = std::numeric_limits<double>::epsilon();
  arma::mat f0;
  target(true).f(values, f0);
  // With every entry cross-checked the wrong one is found.
  try {
    symbolic(target(true), values, f0, noise, 7, 200);
    FAIL() << "the wrong entry was not found";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "reference.symbolic");
    EXPECT_NE(std::string(e.what()).find("entry (0, 7)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gradcheck::reference
