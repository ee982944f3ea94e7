// SPDX-License-Identifier: MIT
#include "gradcheck/gradcheck.hpp"

#include <gtest/gtest.h>

namespace gradcheck {
namespace {

TEST(Api, CallableGradientIsTriedAtSeveralPoints) {
  ApiOptions options;
  options.trials = 4;
  const arma::mat x{{0.3, -0.2}, {1.1, 0.4}};
  auto f = [](const arma::mat& X) { return arma::accu(arma::exp(X)); };
  const CheckResult r = check_gradient(f, x, [](const arma::mat& X) { return arma::mat(arma::exp(X)); },
                                       Layout::kDenominator, options);
  EXPECT_EQ(r.status, Status::kPass);
  ASSERT_EQ(r.trials.size(), 4u);
  EXPECT_LT(r.max_rel_error, 1e-8);
}

TEST(Api, AFormulaRightAtOnePointOnlyFailsAnotherTrial) {
  // d/dx sum(x.^3) = 3 x.^2; "3 x" agrees where x = 1 only.
  ApiOptions options;
  options.trials = 3;
  const arma::mat x = arma::ones(3, 1);
  auto f = [](const arma::mat& X) { return arma::accu(arma::pow(X, 3)); };
  const CheckResult r = check_gradient(f, x, [](const arma::mat& X) { return arma::mat(3 * X); },
                                       Layout::kDenominator, options);
  EXPECT_EQ(r.trials[0].status, Status::kPass);
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_GT(r.worst_trial, 0);
}

TEST(Api, MultipleInputsOfALayer) {
  // L = sum(W x + b) / 2: dL/dW = 1 x' / 2, dL/dx = W' 1 / 2, dL/db = 1 / 2.
  const arma::mat w{{1, 2, 3}, {4, 5, 6}}, x = arma::mat(arma::vec{0.5, -1, 2}), b = arma::mat(arma::vec{0.1, 0.2});
  auto f = [](const std::vector<arma::mat>& v) { return arma::accu(v[0] * v[1] + v[2]) / 2.0; };
  const arma::mat ones(2, 1, arma::fill::ones);
  const auto r = check_gradients(f, {{"W", w}, {"x", x}, {"b", b}},
                                 {arma::mat(ones * x.t() / 2), arma::mat(w.t() * ones / 2), arma::mat(ones / 2)});
  ASSERT_EQ(r.size(), 3u);
  for (const CheckResult& c : r) EXPECT_EQ(c.status, Status::kPass) << describe(c);
  EXPECT_EQ(r[0].wrt, "W");
}

TEST(Api, JacobianCallable) {
  // y = tanh(x): J = diag(1 - tanh(x)^2).
  const arma::mat x = arma::mat(arma::vec{0.2, -0.5, 1.0});
  auto f = [](const arma::mat& X) { return arma::mat(arma::tanh(X)); };
  auto j = [](const arma::mat& X) { return arma::mat(arma::diagmat(1 - arma::square(arma::tanh(X)))); };
  EXPECT_EQ(check_jacobian(f, x, j).status, Status::kPass);
}

TEST(Api, DimsNameAStrayFactor) {
  // mean over m = 5 columns, gradient without the 1/m.
  const arma::mat x = arma::reshape(arma::linspace(0.5, 2, 10), 2, 5);
  auto f = [](const arma::mat& X) { return arma::accu(X % X) / 5.0; };
  ApiOptions options;
  options.dims = {{"m", 5}};
  const CheckResult r = check_gradient(f, x, arma::mat(2 * x), Layout::kDenominator, options);
  ASSERT_EQ(r.status, Status::kFail);
  ASSERT_FALSE(r.diagnoses.empty());
  EXPECT_EQ(r.diagnoses[0].code, "scale");
  EXPECT_NE(r.diagnoses[0].message.find("5 = m"), std::string::npos) << r.diagnoses[0].message;
  // check_gradients takes the same options (dims, f_name) and still a plain Options.
  auto g = [](const std::vector<arma::mat>& v) { return arma::accu(v[0] % v[0]) / 5.0; };
  const auto several = check_gradients(g, {{"X", x}}, {arma::mat(2 * x)}, Layout::kDenominator, options);
  EXPECT_NE(several[0].diagnoses.at(0).message.find("5 = m"), std::string::npos);
  Options plain;
  plain.tolerance.rtol = 1e-3;
  EXPECT_EQ(check_gradients(g, {{"X", x}}, {arma::mat(2 * x / 5)}, Layout::kDenominator, plain)[0].status,
            Status::kPass);
}

TEST(Api, WrongCountOfGradientsIsAnError) {
  EXPECT_THROW(check_gradients([](const std::vector<arma::mat>&) { return 0.0; }, {{"a", arma::mat(1, 1)}}, std::vector<arma::mat>{}),
               Error);
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

// Advice in the C++ API speaks C++: the other layout is Layout::kNumerator, not a case-file field.
TEST(ApiAdvice, LayoutAdviceNamesTheCppEnumerator) {
  const arma::mat A = arma::reshape(arma::regspace(1, 12), 3, 4) / 7.0;
  auto f = [&](const arma::mat& X) { return arma::accu(A % X); };
  const arma::mat X(3, 4, arma::fill::value(0.5));
  const CheckResult r = check_gradient(f, X, arma::mat(A.t()), Layout::kDenominator);
  ASSERT_EQ(r.status, Status::kFail);
  std::string all;
  for (const Diagnosis& d : r.diagnoses) all += d.message + "\n";
  EXPECT_NE(all.find("Layout::kNumerator"), std::string::npos) << all;
  EXPECT_EQ(all.find("\"layout\""), std::string::npos) << all;
  EXPECT_FALSE(r.precision.empty());
  EXPECT_EQ(r.reference.method, "fd");
}

// Float code through the API is single precision and passes at the defaults; the same gradient
// 3% off fails.
TEST(ApiPrecision, FloatCallableIsSinglePrecision) {
  auto f = [](const arma::fmat& X) { return arma::accu(arma::exp(X)); };
  const arma::fmat X = arma::fmat{{0.1f, -0.3f}, {0.7f, 0.2f}};
  const CheckResult right = check_gradient(f, X, arma::fmat(arma::exp(X)));
  EXPECT_EQ(right.status, Status::kPass) << describe(right);
  EXPECT_EQ(right.precision, "single");
  EXPECT_DOUBLE_EQ(right.tolerance.rtol, Tolerance::single().rtol);
  const CheckResult wrong = check_gradient(f, X, arma::fmat(1.03f * arma::exp(X)));
  EXPECT_EQ(wrong.status, Status::kFail);
}

}  // namespace
}  // namespace gradcheck
