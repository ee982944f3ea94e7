// SPDX-License-Identifier: MIT
// check_hessian, check_hvp, check_hessian_block and their assertions (api/hessian.cpp).
#include <gtest/gtest.h>

#include "gradcheck/gtest.hpp"

namespace gradcheck {
namespace {

// f(w) = logsumexp(A w) for a 3x2 A: H = A' (diag(p) - p p') A, p = softmax(A w).
const arma::mat kA = {{1.0, -0.5}, {0.3, 2.0}, {-1.2, 0.7}};

double lse(const arma::mat& w) {
  const arma::vec z = kA * w;
  return z.max() + std::log(arma::accu(arma::exp(z - z.max())));
}

arma::mat lse_hessian(const arma::mat& w) {
  const arma::vec z = kA * w;
  const arma::vec p = arma::exp(z - z.max()) / arma::accu(arma::exp(z - z.max()));
  return kA.t() * (arma::diagmat(p) - p * p.t()) * kA;
}

const arma::mat kW = arma::vec{0.4, -0.3};

TEST(CheckHessian, RightAndWrongHessiansOfACallable) {
  const CheckResult right = check_hessian(lse, kW, lse_hessian(kW));
  EXPECT_EQ(right.status, Status::kPass) << describe(right);
  EXPECT_EQ(right.derivative_order, 2);
  EXPECT_NEAR(right.taylor_slope, 3.0, 0.3);
  const CheckResult wrong = check_hessian(lse, kW, arma::mat(kA.t() * kA));
  EXPECT_EQ(wrong.status, Status::kFail);
  EXPECT_NE(describe(wrong).find("derivative order 2"), std::string::npos) << describe(wrong);
}

TEST(CheckHessian, ACallableHessianIsTriedAtSeveralPoints) {
  ApiOptions o;
  o.trials = 3;
  const CheckResult r = check_hessian(lse, kW, MatrixFunction(lse_hessian), VecOrder::kColumnMajor, o);
  EXPECT_EQ(r.status, Status::kPass) << describe(r);
  EXPECT_EQ(r.trials.size(), 3u);
}

TEST(CheckHvp, AlongADirection) {
  const arma::mat v = arma::vec{1.0, 2.0};
  EXPECT_EQ(check_hvp(lse, kW, v, arma::mat(lse_hessian(kW) * v)).status, Status::kPass);
  const CheckResult wrong = check_hvp(lse, kW, v, arma::mat(lse_hessian(kW) * v * 2));
  EXPECT_EQ(wrong.status, Status::kFail);
  ASSERT_FALSE(wrong.diagnoses.empty());
  EXPECT_EQ(wrong.diagnoses.front().code, "scale");
  EXPECT_THROW(check_hvp(lse, kW, arma::mat(3, 1, arma::fill::ones), arma::mat(2, 1)), Error);
}

TEST(CheckHessianBlock, MixedBlockOfTwoInputs) {
  // f(W, b) = sum(exp(W x + b)) with x fixed: d2f / d vec(W) d b = kron(x, I) diag(exp(z)) ... per entry:
  // d2f / dW[i,j] db[k] = delta(i,k) x[j] exp(z[i]).
  const arma::vec x = {0.5, -1.0};
  auto f = [x](const std::vector<arma::mat>& in) { return arma::accu(arma::exp(in[0] * x + in[1])); };
  const arma::mat W = {{0.1, 0.2}, {-0.3, 0.4}, {0.5, -0.6}};
  const arma::vec b = {0.1, 0.0, -0.2};
  const arma::vec e = arma::exp(W * x + b);
  arma::mat block(6, 3, arma::fill::zeros);
  for (arma::uword j = 0; j < 2; ++j)
    for (arma::uword i = 0; i < 3; ++i) block(i + 3 * j, i) = x(j) * e(i);
  const std::vector<Input> inputs = {{"W", W}, {"b", b}};
  const CheckResult right = check_hessian_block(f, inputs, 0, 1, block);
  EXPECT_EQ(right.status, Status::kPass) << describe(right);
  EXPECT_EQ(right.wrt, "W, b");
  const CheckResult wrong = check_hessian_block(f, inputs, 0, 1, arma::mat(block.t()));
  EXPECT_EQ(wrong.status, Status::kFail);
}

TEST(HessianAssertions, PassAndFailWithTheReport) {
  EXPECT_HESSIAN_MATCHES(lse, lse_hessian(kW), kW);
  EXPECT_HESSIAN_MATCHES(lse, lse_hessian, kW);
  const arma::mat v = arma::vec{1.0, -1.0};
  EXPECT_HVP_MATCHES(lse, arma::mat(lse_hessian(kW) * v), kW, v);
  const ::testing::AssertionResult r =
      gtest::hessian_matches("lse", "wrong", "kW", lse, arma::mat(2 * lse_hessian(kW)), kW);
  EXPECT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("[scale]"), std::string::npos) << r.message();
  EXPECT_NE(std::string(r.message()).find("d2 lse/d vec(kW)"), std::string::npos) << r.message();
}

}  // namespace
}  // namespace gradcheck
