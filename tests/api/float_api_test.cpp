// SPDX-License-Identifier: MIT
// The float32 and raw-buffer forms of the C++ API (gradcheck.hpp) and of the assertions
// (gtest.hpp): which overload a call picks, how a buffer's storage order maps to the entries a
// report names, and the precision float code states.
//
// Verdicts asserted here do not depend on the engine's single-precision tolerances: passing
// float checks use a linear f at x = 0 (where float rounding is ~1e-7 relative to the step),
// failing ones a gradient wrong by far more than any tolerance.
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <vector>

#include "gradcheck/gradcheck.hpp"
#include "gradcheck/gtest.hpp"

namespace gradcheck {
namespace {

using ::testing::HasSubstr;

// f(x) = sum(a % x) on a 2 x 3 x, a = [1 2 4; -1 0.5 8]: df/dx = a.
const arma::mat kA{{1, 2, 4}, {-1, 0.5, 8}};

TEST(FloatApi, EachKindOfLambdaPicksItsOverload) {
  int double_calls = 0, float_calls = 0, float_buffer_calls = 0, double_buffer_calls = 0;
  const arma::mat x(2, 3, arma::fill::zeros);
  const arma::fmat xf(2, 3, arma::fill::zeros);
  const arma::fmat af = arma::conv_to<arma::fmat>::from(kA);

  auto f_double = [&](const arma::mat& X) { ++double_calls; return arma::accu(kA % X); };
  auto f_float = [&](const arma::fmat& X) { ++float_calls; return arma::accu(af % X); };
  EXPECT_EQ(check_gradient(f_double, x, kA).status, Status::kPass);
  EXPECT_EQ(check_gradient(f_float, xf, af).status, Status::kPass);
  // A callable gradient of each kind.
  EXPECT_EQ(check_gradient(f_double, x, [](const arma::mat&) { return kA; }).status, Status::kPass);
  EXPECT_EQ(check_gradient(f_float, xf, [&](const arma::fmat&) { return af; }).status, Status::kPass);
  // An Armadillo expression as the gradient.
  EXPECT_EQ(check_gradient(f_double, x, 2 * kA / 2).status, Status::kPass);
  EXPECT_EQ(check_gradient(f_float, xf, 2 * af / 2).status, Status::kPass);

  // Row-major buffers: a[i * 3 + j].
  const std::vector<float> a_rows{1, 2, 4, -1, 0.5f, 8};
  const std::vector<double> a_rows_d{1, 2, 4, -1, 0.5, 8};
  const std::vector<float> zeros(6, 0.0f);
  const std::vector<double> zeros_d(6, 0.0);
  auto f_buffer = [&](const float* p) {
    ++float_buffer_calls;
    float s = 0;
    for (int k = 0; k < 6; ++k) s += a_rows[k] * p[k];
    return s;
  };
  auto f_buffer_d = [&](const double* p) {
    ++double_buffer_calls;
    double s = 0;
    for (int k = 0; k < 6; ++k) s += a_rows_d[k] * p[k];
    return s;
  };
  EXPECT_EQ(check_gradient(f_buffer, {zeros.data(), 2, 3}, {a_rows.data(), 2, 3}).status, Status::kPass);
  EXPECT_EQ(check_gradient(f_buffer_d, {zeros_d.data(), 2, 3}, {a_rows_d.data(), 2, 3}).status, Status::kPass);
  // A plain function pointer and non-const buffers (BufferView<float> converts to <const float>).
  std::vector<float> x_mut(6, 0.0f), g_mut = a_rows;
  const BufferView<float> xv(x_mut.data(), 2, 3), gv(g_mut.data(), 2, 3);
  float (*fp)(const float*) = [](const float* p) { return p[0] + 2 * p[1] + 4 * p[2] - p[3] + 0.5f * p[4] + 8 * p[5]; };
  EXPECT_EQ(check_gradient(fp, xv, gv).status, Status::kPass);

  EXPECT_GT(double_calls, 0);
  EXPECT_GT(float_calls, 0);
  EXPECT_GT(float_buffer_calls, 0);
  EXPECT_GT(double_buffer_calls, 0);
}

TEST(FloatApi, ExistingDoubleCallsStillCompile) {
  // Forms the double API always took, with the float overloads beside them: braced inputs,
  // generic lambdas, functions, Armadillo column vectors.
  const arma::mat x(2, 3, arma::fill::zeros);
  auto generic = [](const auto& X) { return arma::accu(kA % X); };
  EXPECT_EQ(check_gradient(generic, x, kA).status, Status::kPass);
  const arma::vec v{0.5, -1.0};
  EXPECT_EQ(check_gradient([](const arma::mat& X) { return arma::accu(X % X); }, v, arma::mat(2 * v)).status,
            Status::kPass);
  const auto several = check_gradients([](const std::vector<arma::mat>& m) { return arma::accu(kA % m[0]); },
                                       {{"x", x}}, {kA});
  EXPECT_EQ(several.at(0).status, Status::kPass);
  const auto several_f = check_gradients(
      [](const std::vector<arma::fmat>& m) { return arma::accu(arma::conv_to<arma::fmat>::from(kA) % m[0]); },
      {{"x", arma::fmat(2, 3, arma::fill::zeros)}}, {arma::conv_to<arma::fmat>::from(kA)});
  EXPECT_EQ(several_f.at(0).status, Status::kPass);
  auto jf = [](const arma::fmat& X) { return arma::fmat(3 * X); };
  const arma::fmat xj(3, 1, arma::fill::zeros);
  EXPECT_EQ(check_jacobian(jf, xj, arma::fmat(3 * arma::eye<arma::fmat>(3, 3))).status, Status::kPass);
}

TEST(FloatApi, FloatCodeStatesSinglePrecision) {
  ApiOptions options;
  EXPECT_EQ(detail::float_code_options(options).precision, Precision::kSingle);
  options.precision = Precision::kDouble;
  EXPECT_EQ(detail::float_code_options(options).precision, Precision::kDouble);
  options.precision = Precision::kSingle;
  EXPECT_EQ(detail::float_code_options(options).precision, Precision::kSingle);
}

// A gradient wrong at entry (0, 2) only, in a buffer of each storage order: the report names
// x(0,2) either way.
TEST(FloatApi, BufferEntriesAreNamedByRowAndColumnWhateverTheOrder) {
  const std::vector<double> rows_d{1, 2, 4, -1, 0.5, 8};   // kA row by row
  const std::vector<double> cols_d{1, -1, 2, 0.5, 4, 8};   // kA column by column
  const std::vector<double> zeros(6, 0.0);
  auto f_rows = [](const double* p) {
    double s = 0;
    for (arma::uword i = 0; i < 2; ++i)
      for (arma::uword j = 0; j < 3; ++j) s += kA(i, j) * p[i * 3 + j];
    return s;
  };
  auto f_cols = [](const double* p) {
    double s = 0;
    for (arma::uword i = 0; i < 2; ++i)
      for (arma::uword j = 0; j < 3; ++j) s += kA(i, j) * p[j * 2 + i];
    return s;
  };
  ApiOptions options;
  options.name = "W";
  EXPECT_EQ(check_gradient(f_rows, {zeros.data(), 2, 3}, {rows_d.data(), 2, 3}, options).status, Status::kPass);
  const BufferView<const double> x_cols(zeros.data(), 2, 3, StorageOrder::kColumnMajor);
  EXPECT_EQ(check_gradient(f_cols, x_cols, {cols_d.data(), 2, 3, StorageOrder::kColumnMajor}, options).status,
            Status::kPass);

  std::vector<double> wrong_rows = rows_d, wrong_cols = cols_d;
  wrong_rows[0 * 3 + 2] = 40;  // (0, 2)
  wrong_cols[2 * 2 + 0] = 40;  // (0, 2)
  for (const CheckResult& r :
       {check_gradient(f_rows, {zeros.data(), 2, 3}, {wrong_rows.data(), 2, 3}, options),
        check_gradient(f_cols, x_cols, {wrong_cols.data(), 2, 3, StorageOrder::kColumnMajor}, options)}) {
    EXPECT_EQ(r.status, Status::kFail);
    EXPECT_EQ(r.worst.label, "W(0,2)") << describe(r);
    EXPECT_EQ(r.worst.index, (std::vector<arma::uword>{0, 2}));
    EXPECT_DOUBLE_EQ(r.worst.analytic, 40.0);
    ASSERT_EQ(r.worst_entries.size(), 1u) << describe(r);
  }
  // The same with float buffers.
  const std::vector<float> zeros_f(6, 0.0f);
  std::vector<float> wrong_f(rows_d.begin(), rows_d.end());
  wrong_f[2] = 40;
  auto f_rows_f = [](const float* p) {
    float s = 0;
    for (arma::uword i = 0; i < 2; ++i)
      for (arma::uword j = 0; j < 3; ++j) s += static_cast<float>(kA(i, j)) * p[i * 3 + j];
    return s;
  };
  const CheckResult r = check_gradient(f_rows_f, {zeros_f.data(), 2, 3}, {wrong_f.data(), 2, 3}, options);
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.worst.label, "W(0,2)");
}

TEST(FloatApi, TheScratchBufferHasXsLayoutAndXIsNotWritten) {
  // f sees x's values at x's offsets: f reads p[1] (row-major (0,1)); at x = 0 the gradient
  // must be e_(0,1).
  std::vector<float> x{0, 0, 0, 0, 0, 0};
  const std::vector<float> g{0, 1, 0, 0, 0, 0};
  const float* seen = nullptr;
  auto f = [&](const float* p) { seen = p; return p[1]; };
  EXPECT_EQ(check_gradient(f, {x.data(), 2, 3}, {g.data(), 2, 3}).status, Status::kPass);
  EXPECT_NE(seen, x.data());
  EXPECT_EQ(x, std::vector<float>(6, 0.0f));
  // Column-major: (0,1) is at p[2].
  const std::vector<float> gc{0, 0, 1, 0, 0, 0};
  const BufferView<const float> xc(x.data(), 2, 3, StorageOrder::kColumnMajor);
  EXPECT_EQ(check_gradient([](const float* p) { return p[2]; }, xc, {gc.data(), 2, 3, StorageOrder::kColumnMajor})
                .worst.label,
            "x(0,1)");
}

TEST(FloatApi, MismatchedBuffersAreUsageErrors) {
  const std::vector<float> x(6, 0.0f), g(6, 0.0f);
  auto f = [](const float* p) { return p[0]; };
  EXPECT_THROW(check_gradient(f, {x.data(), 2, 3}, {g.data(), 3, 2}), Error);
  EXPECT_THROW(check_gradient(f, {x.data(), 2, 3}, {g.data(), 2, 3, StorageOrder::kColumnMajor}), Error);
  EXPECT_THROW(check_gradient(f, {x.data(), 2, 3}, BufferView<const float>(nullptr, 2, 3)), Error);
}

// ---- the assertions ----

float linear_f(const arma::fmat& X) { return arma::accu(arma::conv_to<arma::fmat>::from(kA) % X); }
arma::fmat linear_f_grad(const arma::fmat&) { return arma::conv_to<arma::fmat>::from(kA); }
float linear_buffer(const float* p) { return p[0] + 2 * p[1] + 4 * p[2] - p[3] + 0.5f * p[4] + 8 * p[5]; }

TEST(FloatAssertions, FloatMatricesAndBuffers) {
  const arma::fmat X(2, 3, arma::fill::zeros);
  EXPECT_GRADIENT_MATCHES(linear_f, linear_f_grad, X);
  EXPECT_GRADIENT_MATCHES(linear_f, linear_f_grad(X), X);
  EXPECT_GRADIENT_MATCHES_OPTS(linear_f, linear_f_grad(X).t(), X, Layout::kNumerator, ApiOptions{});
  const std::vector<float> zeros(6, 0.0f), a{1, 2, 4, -1, 0.5f, 8};
  const BufferView<const float> W(zeros.data(), 2, 3), dW(a.data(), 2, 3);
  EXPECT_GRADIENT_MATCHES(linear_buffer, dW, W);
  const std::vector<gradcheck::FloatInput> inputs{{"X", X}};
  const std::vector<arma::fmat> gradients{linear_f_grad(X)};
  EXPECT_GRADIENTS_MATCH([](const std::vector<arma::fmat>& v) { return linear_f(v[0]); }, inputs, gradients);
  auto triple = [](const arma::fmat& Y) { return arma::fmat(3 * Y); };
  const arma::fmat y(3, 1, arma::fill::zeros);
  EXPECT_JACOBIAN_MATCHES(triple, arma::fmat(3 * arma::eye<arma::fmat>(3, 3)), y);
}

TEST(FloatAssertions, AFailingBufferCheckNamesTheEntryAfterTheBuffer) {
  const std::vector<float> zeros(6, 0.0f), wrong{1, 2, 40, -1, 0.5f, 8};
  const BufferView<const float> W(zeros.data(), 2, 3), dW(wrong.data(), 2, 3);
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    EXPECT_GRADIENT_MATCHES(linear_buffer, dW, W);
  }
  ASSERT_EQ(results.size(), 1);
  EXPECT_THAT(results.GetTestPartResult(0).message(), HasSubstr("W(0,2)"));
  EXPECT_THAT(results.GetTestPartResult(0).message(), HasSubstr("GRADIENT_MATCHES(linear_buffer, dW, W)"));
}

}  // namespace
}  // namespace gradcheck

namespace {

// float32 code with a large f: sum((W X + b).^2) / 16 at n = 32 (|f| ~ 1e3, float rounding
// ~ 1e-4 of it). At the rule's step its rounding leaves small entries undecided; the larger steps
// of the last tightening level decide them (f is quadratic in W: no truncation), so the right
// gradient passes, and one entry 5% off still fails.
TEST(FloatApi, LargeFloatFIsDecidedAtLargerSteps) {
  arma::arma_rng::set_seed(42);
  const arma::uword n = 32;
  const arma::fmat X = arma::randn<arma::fmat>(n, 16), b = arma::randn<arma::fmat>(n, 1), W = arma::randn<arma::fmat>(n, n);
  auto f = [&](const arma::fmat& w) { return float(arma::accu(arma::square(w * X + arma::repmat(b, 1, 16))) / 16); };
  const arma::fmat g = (2.0f / 16) * (W * X + arma::repmat(b, 1, 16)) * X.t();
  gradcheck::ApiOptions options;
  options.trials = 1;
  const gradcheck::CheckResult right = gradcheck::check_gradient(f, W, g, gradcheck::Layout::kDenominator, options);
  EXPECT_EQ(right.status, gradcheck::Status::kPass) << right.reason;
  arma::fmat wrong = g;
  wrong(1, 2) *= 1.05f;
  EXPECT_EQ(gradcheck::check_gradient(f, W, wrong, gradcheck::Layout::kDenominator, options).status,
            gradcheck::Status::kFail);
}

}  // namespace
