// SPDX-License-Identifier: MIT
// Second-order checks (engine/second_order.cpp) with hand-built Problems: both references (the
// complex-step gradient differenced, second differences), every form, the diagnoses and slope.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "engine/second_order.hpp"
#include "gradcheck/error.hpp"

namespace gradcheck {
namespace {

// f(x, A) = x'Ax + sum(exp(x)) over x (n x 1) and A (n x n, general): H = A + A' + diag(exp(x)).
Problem quadratic(bool complex_extension, std::function<arma::mat(const std::vector<arma::mat>&)> expected) {
  Problem p;
  p.names = {"x", "A", "v"};
  p.shapes = {Shape{4, 1}, Shape{4, 4}, Shape{4, 1}};
  p.f_shape = Shape{1, 1};
  p.derivative_order = 2;
  p.form = FormSpec{Layout::kNumerator, Form::kVec, VecOrder::kColumnMajor, std::nullopt};
  p.f = [](const std::vector<arma::mat>& v, arma::mat& out) {
    out = v[0].t() * v[1] * v[0] + arma::accu(arma::exp(v[0]));
  };
  if (complex_extension)
    p.f_complex = [](const std::vector<arma::cx_mat>& v, arma::cx_mat& out) {
      out = v[0].st() * v[1] * v[0] + arma::accu(arma::exp(v[0]));
    };
  p.expected = std::move(expected);
  return p;
}

arma::mat hessian(const std::vector<arma::mat>& v) {
  return arma::mat(v[1] + v[1].t() + arma::diagmat(arma::exp(v[0])));
}

std::vector<std::vector<arma::mat>> points(int n) {
  std::vector<std::vector<arma::mat>> out;
  for (int t = 0; t < n; ++t) {
    arma::mat x(4, 1), a(4, 4), v(4, 1);
    for (arma::uword k = 0; k < 4; ++k) x(k) = std::sin(1.0 + t + 0.7 * k);
    for (arma::uword k = 0; k < 16; ++k) a(k) = std::cos(0.3 + t + 1.3 * k);
    for (arma::uword k = 0; k < 4; ++k) v(k) = std::cos(2.0 + 0.9 * k);
    out.push_back({x, a, v});
  }
  return out;
}

bool has(const CheckResult& r, const std::string& code) {
  for (const Diagnosis& d : r.diagnoses)
    if (d.code == code) return true;
  return false;
}

class BothReferences : public ::testing::TestWithParam<bool> {};

TEST_P(BothReferences, ARightHessianPassesWithTaylorSlopeThree) {
  const CheckResult r = run_check(quadratic(GetParam(), hessian), points(2), Options{});
  EXPECT_EQ(r.status, Status::kPass) << r.reference.detail;
  EXPECT_EQ(r.derivative_order, 2);
  EXPECT_EQ(r.wrt, "x");
  EXPECT_NEAR(r.taylor_slope, 3.0, 0.25);
  EXPECT_NE(r.reference.detail.find(GetParam() ? "complex-step gradient" : "second differences"), std::string::npos)
      << r.reference.detail;
}

TEST_P(BothReferences, AHessianWithoutTheTransposeFailsAsAsymmetric) {
  const CheckResult r = run_check(quadratic(GetParam(), [](const std::vector<arma::mat>& v) {
                                    return arma::mat(2 * v[1] + arma::diagmat(arma::exp(v[0])));
                                  }),
                                  points(1), Options{});
  EXPECT_EQ(r.status, Status::kFail);
  ASSERT_FALSE(r.diagnoses.empty());
  EXPECT_EQ(r.diagnoses.front().code, "asymmetric") << r.diagnoses.front().message;
  EXPECT_NE(r.diagnoses.front().message.find("(E + E')/2 matches"), std::string::npos) << r.diagnoses.front().message;
  // d'Ed sees only the symmetric part of E, and 2A has that of A + A': the slope cannot tell,
  // which is why asymmetric is decided from expected itself.
  EXPECT_NEAR(r.taylor_slope, 3.0, 0.25);
}

TEST_P(BothReferences, AScaledHessianIsScaleAndNeverLayoutTransposed) {
  const CheckResult r =
      run_check(quadratic(GetParam(), [](const std::vector<arma::mat>& v) { return arma::mat(0.5 * hessian(v)); }),
                points(1), Options{});
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_TRUE(has(r, "scale"));
  EXPECT_FALSE(has(r, "layout-transposed"));  // a symmetric block equals its transpose
  EXPECT_FALSE(has(r, "asymmetric"));
  EXPECT_NEAR(r.taylor_slope, 2.0, 0.25);
}

// sum(cos(x)) as a callable (second differences) at x = pi 2^13, where the rule's step is pi:
// D(1), D(2) and D(4) agree near 0 (review finding: the right Hessian failed and 0 passed at
// every seed). Their second opinion at s = 10^-1.5 contradicts them: neither is decided.
TEST(SecondOrder, SecondDifferencesAtAnAliasedStepDecideNothing) {
  auto check = [](double sign) {
    Problem p;
    p.names = {"x"};
    p.shapes = {Shape{1, 1}};
    p.f_shape = Shape{1, 1};
    p.derivative_order = 2;
    p.form = FormSpec{Layout::kNumerator, Form::kVec, VecOrder::kColumnMajor, std::nullopt};
    p.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat{std::cos(v[0](0))}; };
    p.expected = [sign](const std::vector<arma::mat>& v) { return arma::mat{-sign * std::cos(v[0](0))}; };
    return run_check(p, {{arma::mat{25735.927018207585}}}, Options{}).status;
  };
  EXPECT_NE(check(1.0), Status::kFail);
  EXPECT_NE(check(0.0), Status::kPass);
}

// H V of sum(sin(x / 1000)) at |x| ~ 1.5e6 with a complex extension: t sits at max|x| / max|V|,
// so the steps of t move x by the steps x would take; around t = 0, x + h V rounded the step by
// 4e-5 of itself and the right H V failed at 13 of 20 seeds (review finding).
TEST(SecondOrder, AHessianVectorProductAtLargeXTakesStepsOfXsScale) {
  Problem p;
  p.names = {"x", "v"};
  p.shapes = {Shape{3, 1}, Shape{3, 1}};
  p.f_shape = Shape{1, 1};
  p.derivative_order = 2;
  p.direction = 1;
  p.form = FormSpec{Layout::kNumerator, Form::kHvp, VecOrder::kColumnMajor, std::nullopt};
  p.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat{arma::accu(arma::sin(v[0] / 1000))}; };
  p.f_complex = [](const std::vector<arma::cx_mat>& v, arma::cx_mat& out) {
    out = arma::cx_mat(1, 1, arma::fill::value(arma::accu(arma::sin(v[0] / 1000.0))));
  };
  double sign = 1.0;
  p.expected = [&sign](const std::vector<arma::mat>& v) { return arma::mat(-sign * arma::sin(v[0] / 1000) % v[1] / 1e6); };
  for (int t = 0; t < 10; ++t) {
    const arma::mat x{1.1e6 + 8.3e4 * t, 1.7e6 - 5.9e4 * t, 1.4e6 + 3.1e4 * t};
    const arma::mat v{std::sin(1.0 + t), std::cos(2.0 + t), 0.5 + 0.1 * t};
    sign = 1.0;
    EXPECT_EQ(run_check(p, {{x.t(), v.t()}}, Options{}).status, Status::kPass) << "point " << t;
    sign = -1.0;
    EXPECT_EQ(run_check(p, {{x.t(), v.t()}}, Options{}).status, Status::kFail) << "point " << t;
  }
}

TEST_P(BothReferences, HessianVectorProductsRightAndWrong) {
  Problem p = quadratic(GetParam(), [](const std::vector<arma::mat>& v) { return arma::mat(hessian(v) * v[2]); });
  p.form.form = Form::kHvp;
  p.direction = 2;
  const CheckResult right = run_check(p, points(2), Options{});
  EXPECT_EQ(right.status, Status::kPass) << right.reason;
  EXPECT_EQ(right.direction, "v");
  EXPECT_NEAR(right.taylor_slope, 3.0, 0.25);
  p.expected = [](const std::vector<arma::mat>& v) { return arma::mat(-hessian(v) * v[2]); };
  const CheckResult wrong = run_check(p, points(1), Options{});
  EXPECT_EQ(wrong.status, Status::kFail);
  EXPECT_TRUE(has(wrong, "sign"));
  EXPECT_EQ(wrong.worst.label.find("/t"), std::string::npos) << wrong.worst.label;
}

INSTANTIATE_TEST_SUITE_P(SecondOrder, BothReferences, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "ComplexStepGradient" : "SecondDifferences"; });

TEST(SecondOrder, MixedBlockOfABilinearFormAndItsTranspose) {
  // f = x'Ay with x 2x1 and y 3x1: d2f/dx dy = A (2x3).
  Problem p;
  p.names = {"x", "A", "y"};
  p.shapes = {Shape{2, 1}, Shape{2, 3}, Shape{3, 1}};
  p.f_shape = Shape{1, 1};
  p.derivative_order = 2;
  p.wrt = 0;
  p.wrt2 = 2;
  p.form = FormSpec{Layout::kNumerator, Form::kVec, VecOrder::kColumnMajor, std::nullopt};
  p.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = v[0].t() * v[1] * v[2]; };
  p.expected = [](const std::vector<arma::mat>& v) { return v[1]; };
  std::vector<std::vector<arma::mat>> pt = {{arma::mat(arma::vec{0.3, -1.2}), arma::mat{{1, 2, 3}, {4, 5, 6}}, arma::mat(arma::vec{0.5, 0.1, -0.7})}};
  const CheckResult right = run_check(p, pt, Options{});
  EXPECT_EQ(right.status, Status::kPass);
  EXPECT_EQ(right.wrt, "x, y");
  EXPECT_NE(right.worst.label.find("d2f/dx("), std::string::npos) << right.worst.label;
  p.expected = [](const std::vector<arma::mat>& v) { return arma::mat(v[1].t()); };
  const CheckResult wrong = run_check(p, pt, Options{});
  EXPECT_EQ(wrong.status, Status::kFail);
  ASSERT_FALSE(wrong.diagnoses.empty());
  EXPECT_EQ(wrong.diagnoses.front().code, "shape-mismatch");
  EXPECT_NE(wrong.diagnoses.front().message.find("numel(x) x numel(y) = 2x3"), std::string::npos)
      << wrong.diagnoses.front().message;
  // No entry was compared: no label (it once read "d2f/dxd", a Hessian label made of nothing).
  EXPECT_TRUE(wrong.worst.label.empty()) << wrong.worst.label;
  for (const TrialResult& t : wrong.trials) EXPECT_TRUE(t.worst.label.empty()) << t.worst.label;
}

// The gradient target calls f's complex extension itself, and an expression's is one evaluator
// with its own buffers: a second-order check never calls it from two threads at once, whatever
// Options::threads says, and its results are those of one thread.
TEST(SecondOrder, ThreadsNeverCallTheFunctionConcurrently) {
  std::atomic<int> inside{0}, overlaps{0}, calls{0};
  Problem p = quadratic(true, hessian);
  const auto plain = p.f_complex;
  p.f_complex = [&, plain](const std::vector<arma::cx_mat>& v, arma::cx_mat& out) {
    if (inside.fetch_add(1) > 0) ++overlaps;
    ++calls;
    plain(v, out);
    for (volatile int spin = 0; spin < 2000; ++spin) {
    }
    inside.fetch_sub(1);
  };
  Options one, two;
  two.threads = 2;
  const CheckResult a = run_check(p, points(2), one), b = run_check(p, points(2), two);
  EXPECT_GT(calls.load(), 32);
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(a.status, Status::kPass);
  EXPECT_EQ(b.status, a.status);
  EXPECT_EQ(b.max_abs_error, a.max_abs_error);
  EXPECT_EQ(b.reference.max_error_bound, a.reference.max_error_bound);
}

TEST(SecondOrder, ANonScalarFunctionIsAFormError) {
  Problem p = quadratic(true, hessian);
  p.f_shape = Shape{2, 1};
  EXPECT_THROW(gradient_problem(p), Error);
}

TEST(ParseHessianIndices, ReadsTwoSidesSeparatedByAComma) {
  const IndexSpec s = parse_hessian_indices("X[i,j], X[k,l]", "X", "X");
  EXPECT_EQ(s.f_name, "X");
  EXPECT_EQ(s.x_name, "X");
  EXPECT_EQ(s.free_letters, (std::vector<std::string>{"i", "j", "k", "l"}));
  EXPECT_EQ(s.text, "X[i,j], X[k,l]");
}

TEST(ParseHessianIndices, ErrorsPointAtTheTextAsWritten) {
  try {
    parse_hessian_indices("X[i,j] X[k,l]", "X", "X");
    FAIL() << "no error";
  } catch (const ExprError& e) {
    EXPECT_EQ(e.id(), "expr.syntax");
    EXPECT_EQ(e.text(), "X[i,j] X[k,l]");
  }
  try {
    parse_hessian_indices("X[i,j], Y[k,l]", "X", "X");
    FAIL() << "no error";
  } catch (const ExprError& e) {
    EXPECT_EQ(e.id(), "expr.index");
    EXPECT_EQ(e.column(), 9u);  // under Y
  }
}

}  // namespace
}  // namespace gradcheck
