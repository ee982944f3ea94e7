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

// f = a' inv(S + 1e-6 B) b at a point where the inputs' rounding moves a central difference's
// step by ~2e-5 of itself (S has entries 1..8, 1e-6 B a few thousand of their ulps): the
// differences accused the right rule (review finding, 'a derivative rule is wrong'). With a
// complex extension the accusation stands only where the complex step agrees with it; a wrong
// rule is still accused.
Target inverse_bilinear(bool wrong) {
  Target t;
  const arma::mat S{{1, 2, 3, 4}, {2, 4, 6, 8}, {1, 0, 1, 0}, {0, 1, 0, 1}};
  const arma::vec a{-0.3491744056105854, -0.7453993872295915, -1.0285237639995952, -1.7284212619767172};
  const arma::vec b{-0.9569521979349749, -0.8917639262644961, 1.212308835532056, -0.14165064106931413};
  t.f = [=](const std::vector<arma::mat>& v, arma::mat& out) {
    out = arma::mat(1, 1, arma::fill::value(arma::as_scalar(a.t() * arma::inv(S + 1e-6 * v[0]) * b)));
  };
  t.f_complex = [=](const std::vector<arma::cx_mat>& v, arma::cx_mat& out) {
    const arma::cx_mat M = arma::conv_to<arma::cx_mat>::from(S) + 1e-6 * v[0];
    out = arma::cx_mat(1, 1);
    out(0) = arma::as_scalar(arma::conv_to<arma::cx_vec>::from(a).st() * arma::solve(M, arma::conv_to<arma::cx_vec>::from(b)));
  };
  t.jacobian = [=](const std::vector<arma::mat>& v) {
    const arma::mat Mi = arma::inv(S + 1e-6 * v[0]);
    arma::mat g = -1e-6 * Mi.t() * a * b.t() * Mi.t();
    if (wrong) g = -1e-6 * Mi * a * b.t() * Mi;  // the transposes forgotten
    return arma::mat(arma::vectorise(g).t());
  };
  t.wrt = 0;
  return t;
}

TEST(SymbolicReference, ARuleTheComplexStepVouchesForIsNotAccused) {
  std::vector<arma::mat> values = {arma::mat{{0.46042285261661486, 0.371919861366132, 0.49418920482661904, -1.2935850523500367},
                                             {1.4163162857403704, -1.5320491810616255, 0.4637661253953357, -0.31252788985076163},
                                             {-1.540571310734075, -0.3904061612874987, 0.2129770920837829, -0.13018510170213704},
                                             {0.063692485812125, 1.1715304215980136, 1.6133224443482452, 0.5262346764630957}}};
  Noise noise;
  noise.sigma = arma::vec(1, arma::fill::value(1e-16));
  noise.relative = std::numeric_limits<double>::epsilon();
  arma::mat f0;
  inverse_bilinear(false).f(values, f0);
  // Every entry cross-checked (200 draws of 16): the differences are ~2e-5 off at B(1, 3).
  EXPECT_NO_THROW(symbolic(inverse_bilinear(false), values, f0, noise, 7, 200));
  Target no_complex = inverse_bilinear(false);
  no_complex.f_complex = nullptr;
  EXPECT_THROW(symbolic(no_complex, values, f0, noise, 7, 200), Error) << "the differences alone accuse it";
  try {
    symbolic(inverse_bilinear(true), values, f0, noise, 7, 200);
    FAIL() << "the wrong rule was not found";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "reference.symbolic");
  }
}

}  // namespace
}  // namespace gradcheck::reference
