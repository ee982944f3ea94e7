// SPDX-License-Identifier: MIT
// The GoogleTest assertions of gradcheck/gtest.hpp: passing ones stay silent, failing ones carry
// the text report of the check (figures, worst entries, diagnoses).
#include "gradcheck/gtest.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <stdexcept>

namespace {

using gradcheck::ApiOptions;
using gradcheck::Input;
using gradcheck::Layout;
using ::testing::HasSubstr;

// L(X) = sum(X.^2) / m over the m columns of X: dL/dX = 2 X / m.
double mean_square(const arma::mat& X) { return arma::accu(arma::square(X)) / static_cast<double>(X.n_cols); }
arma::mat mean_square_grad(const arma::mat& X) { return 2 * X / static_cast<double>(X.n_cols); }
// The usual slip: the 1/m of the mean forgotten.
arma::mat mean_square_grad_no_mean(const arma::mat& X) { return 2 * X; }

arma::mat point() { return arma::reshape(arma::linspace(-1, 1.2, 12), 3, 4); }

// Returns the message of the one non-fatal failure `statement` reports.
template <typename Statement>
std::string failure_message(Statement&& statement) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    statement();
  }
  if (results.size() != 1) return "(" + std::to_string(results.size()) + " failures)";
  return results.GetTestPartResult(0).message();
}

TEST(GtestAssertions, GradientAsMatrixExpressionOrCallablePasses) {
  const arma::mat X = point();
  EXPECT_GRADIENT_MATCHES(mean_square, mean_square_grad(X), X);
  EXPECT_GRADIENT_MATCHES(mean_square, 2 * X / 4.0, X);  // an Armadillo expression
  EXPECT_GRADIENT_MATCHES(mean_square, mean_square_grad, X);
  ASSERT_GRADIENT_MATCHES(
      mean_square, [](const arma::mat& Y) { return arma::mat(Y / 2.0); }, X);
}

TEST(GtestAssertions, OptionsAndLayout) {
  // f(A) = sum(A * v): df/dA[i,j] = v[j]; numerator layout wants the n x m transpose.
  const arma::mat A{{1, 2, 3}, {4, 5, 6}};
  const arma::vec v{0.5, -1, 2};
  auto f = [v](const arma::mat& M) { return arma::accu(M * v); };
  ApiOptions options;
  options.tolerance.rtol = 1e-8;
  options.fd.method = gradcheck::FdMethod::kRichardson;
  EXPECT_GRADIENT_MATCHES_OPTS(f, arma::mat(arma::repmat(v, 1, 2)), A, Layout::kNumerator, options);
  ASSERT_GRADIENT_MATCHES_OPTS(f, arma::mat(arma::repmat(v.t(), 2, 1)), A, Layout::kDenominator, options);
}

TEST(GtestAssertions, JacobianPasses) {
  const arma::mat x = arma::mat(arma::vec{0.2, -0.5, 1.0});
  auto f = [](const arma::mat& X) { return arma::mat(arma::tanh(X)); };
  auto jacobian = [](const arma::mat& X) { return arma::mat(arma::diagmat(1 - arma::square(arma::tanh(X)))); };
  EXPECT_JACOBIAN_MATCHES(f, jacobian, x);
  ASSERT_JACOBIAN_MATCHES(f, jacobian(x), x);
  EXPECT_JACOBIAN_MATCHES_OPTS(f, jacobian(x).t(), x, Layout::kDenominator, ApiOptions{});
}

// L = sum(W x + b) / 2: dL/dW = 1 x' / 2, dL/dx = W' 1 / 2, dL/db = 1 / 2.
double linear_sum(const std::vector<arma::mat>& v) { return arma::accu(v[0] * v[1] + v[2]) / 2.0; }

TEST(GtestAssertions, SeveralInputsPass) {
  const arma::mat W{{1, 2, 3}, {4, 5, 6}}, x = arma::mat(arma::vec{0.5, -1, 2}), b = arma::mat(arma::vec{0.1, 0.2});
  const arma::mat ones(2, 1, arma::fill::ones);
  const std::vector<Input> inputs{{"W", W}, {"x", x}, {"b", b}};
  const std::vector<arma::mat> gradients{ones * x.t() / 2, W.t() * ones / 2, ones / 2};
  EXPECT_GRADIENTS_MATCH(linear_sum, inputs, gradients);
  const std::vector<gradcheck::MultiGradient> callables{
      [](const std::vector<arma::mat>& v) { return arma::mat(arma::ones(2, 1) * v[1].t() / 2); },
      [](const std::vector<arma::mat>& v) { return arma::mat(v[0].t() * arma::ones(2, 1) / 2); },
      [](const std::vector<arma::mat>&) { return arma::mat(arma::ones(2, 1) / 2); }};
  ASSERT_GRADIENTS_MATCH_OPTS(linear_sum, inputs, callables, Layout::kDenominator, ApiOptions{});
}

TEST(GtestAssertions, FailureIsNonFatalAndNamesTheDiagnosis) {
  const arma::mat X = point();
  EXPECT_NONFATAL_FAILURE(EXPECT_GRADIENT_MATCHES(mean_square, mean_square_grad_no_mean, X), "[scale]");
  EXPECT_NONFATAL_FAILURE(EXPECT_GRADIENT_MATCHES(mean_square, mean_square_grad_no_mean, X),
                          "GRADIENT_MATCHES(mean_square, mean_square_grad_no_mean, X)");
}

TEST(GtestAssertions, FailureMessageIsTheReport) {
  const arma::mat X = point();
  ApiOptions options;
  options.dims = {{"m", 4}, {"n", 3}};
  const std::string message = failure_message(
      [&] { EXPECT_GRADIENT_MATCHES_OPTS(mean_square, mean_square_grad_no_mean, X, Layout::kDenominator, options); });
  // The check's line, named after the call's identifiers...
  EXPECT_THAT(message, HasSubstr("FAIL   GRADIENT_MATCHES(mean_square, mean_square_grad_no_mean, X, "
                                 "Layout::kDenominator, options)  d mean_square/d X (denominator, auto)"));
  // ...the table of worst entries, in X's own indices...
  EXPECT_THAT(message, HasSubstr("entry"));
  EXPECT_THAT(message, HasSubstr("rel error"));
  EXPECT_THAT(message, HasSubstr("X(2,3)"));
  // ...and the diagnosis with the factor named after the batch size.
  EXPECT_THAT(message, HasSubstr("[scale] expected is 4 = m times the reference derivative"));
  EXPECT_THAT(message, HasSubstr("multiply it by 1/4 = 1/m"));
}

TEST(GtestAssertions, TransposedJacobianIsDiagnosed) {
  // f(x) = A x, J = A (2x3); A' is the denominator layout.
  const arma::mat A{{1, 2, 3}, {4, 5, 6}};
  auto f = [A](const arma::mat& x) { return arma::mat(A * x); };
  const arma::mat x = arma::mat(arma::vec{1, -1, 0.5});
  const std::string message = failure_message([&] { EXPECT_JACOBIAN_MATCHES(f, A.t(), x); });
  EXPECT_THAT(message, HasSubstr("[layout-transposed]"));
  EXPECT_THAT(message, HasSubstr("d vec(f)/d vec(x)"));
}

TEST(GtestAssertions, SeveralInputsReportEveryCheck) {
  const arma::mat W{{1, 2, 3}, {4, 5, 6}}, x = arma::mat(arma::vec{0.5, -1, 2}), b = arma::mat(arma::vec{0.1, 0.2});
  const arma::mat ones(2, 1, arma::fill::ones);
  const std::vector<Input> inputs{{"W", W}, {"x", x}, {"b", b}};
  const std::vector<arma::mat> gradients{ones * x.t() / 2, W.t() * ones / 2, -ones / 2};  // b's sign flipped
  const std::string message = failure_message([&] { EXPECT_GRADIENTS_MATCH(linear_sum, inputs, gradients); });
  EXPECT_THAT(message, HasSubstr("PASS   GRADIENTS_MATCH(linear_sum, inputs, gradients)  d linear_sum/d W"));
  EXPECT_THAT(message, HasSubstr("PASS   GRADIENTS_MATCH(linear_sum, inputs, gradients)  d linear_sum/d x"));
  EXPECT_THAT(message, HasSubstr("FAIL   GRADIENTS_MATCH(linear_sum, inputs, gradients)  d linear_sum/d b"));
  EXPECT_THAT(message, HasSubstr("[sign]"));
}

// EXPECT_FATAL_FAILURE's statement may not use locals: the assertion reads these.
const arma::mat kFatalPoint = point();

TEST(GtestAssertions, AssertReturnsFromTheTest) {
  EXPECT_FATAL_FAILURE(ASSERT_GRADIENT_MATCHES(mean_square, mean_square_grad_no_mean, kFatalPoint), "[scale]");
}

TEST(GtestAssertions, ExceptionsFailTheAssertionWithTheirMessage) {
  const arma::mat X = point();
  auto throws = [](const arma::mat&) -> arma::mat { throw std::runtime_error("gradient not implemented"); };
  const std::string message = failure_message([&] { EXPECT_GRADIENT_MATCHES(mean_square, throws, X); });
  EXPECT_THAT(message, HasSubstr("GRADIENT_MATCHES(mean_square, throws, X)"));
  EXPECT_THAT(message, HasSubstr("gradient not implemented"));
  // A matrix-valued f is a Jacobian's job: the engine refuses the gradient check.
  auto matrix_valued = [](const arma::mat& Y) { return arma::mat(2 * Y); };
  const std::string refused = failure_message(
      [&] { EXPECT_JACOBIAN_MATCHES_OPTS(matrix_valued, arma::mat(2, 2), X, Layout::kNumerator, ApiOptions{}); });
  EXPECT_THAT(refused, HasSubstr("FAIL"));
}

TEST(GtestAssertions, ResultsComputedElsewhere) {
  const arma::mat X = point();
  const gradcheck::CheckResult good = gradcheck::check_gradient(mean_square, X, mean_square_grad(X));
  EXPECT_GRADCHECK_PASSES(good);
  const gradcheck::CheckResult bad = gradcheck::check_gradient(mean_square, X, mean_square_grad_no_mean(X));
  EXPECT_NONFATAL_FAILURE(EXPECT_GRADCHECK_PASSES(bad), "[scale]");
  EXPECT_NONFATAL_FAILURE(EXPECT_GRADCHECK_PASSES((std::vector<gradcheck::CheckResult>{good, bad})), "PASS   ");
}

TEST(GtestAssertions, IdentifiersOnlyNameTheReport) {
  EXPECT_TRUE(gradcheck::gtest::detail::is_identifier("W_1"));
  EXPECT_FALSE(gradcheck::gtest::detail::is_identifier("layer.W"));
  EXPECT_FALSE(gradcheck::gtest::detail::is_identifier("2x"));
  EXPECT_FALSE(gradcheck::gtest::detail::is_identifier(""));
}

}  // namespace
