// SPDX-License-Identifier: MIT
// IndexExpression: evaluation (Einstein summation, diagonals, the seed derivations, embedded
// matrix expressions) checked against hand-built tensors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include <complex>
#include <stdexcept>

#include "expr/complex_step_util.hpp"
#include "gradcheck/index_notation.hpp"
#include "index/error_text.hpp"

namespace gradcheck {
namespace {

// Variables A (3x4), B (4x5), X (3x3), x (4x1), r (1x4 row), s (1x1), dims N = 3, M = 4; each
// filled with seeded random values.
class IndexExpressionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    arma::arma_rng::set_seed(20261122);
    add("A", 3, 4);
    add("B", 4, 5);
    add("X", 3, 3);
    add("x", 4, 1);
    add("r", 1, 4);
    add("s", 1, 1);
    symbols.add_dim("N", 3);
    symbols.add_dim("M", 4);
  }
  void add(const std::string& name, arma::uword rows, arma::uword cols) {
    symbols.add_variable(name, Shape{rows, cols});
    values.push_back(arma::randn<arma::mat>(rows, cols));
  }
  const arma::mat& value(const std::string& name) { return values[symbols.find_variable(name)->slot]; }

  // Compiles and evaluates `expected` against `indices`, f and x shaped as given.
  arma::vec eval(const std::string& expected, const std::string& indices, Shape f, Shape x, bool explicit_sums = false) {
    IndexExpression e = IndexExpression::compile(expected, IndexSpec::parse(indices), f, x, symbols, explicit_sums);
    return e.evaluate(values);
  }

  Symbols symbols;
  std::vector<arma::mat> values;
};

constexpr double kTol = 1e-12;

TEST_F(IndexExpressionTest, EinsteinSumEqualsExplicitSumAndAHandLoop) {
  const Shape f{3, 5}, x{1, 1};
  const arma::vec einstein = eval("A[i,j]*B[j,k]", "C[i,k] / s", f, x);
  const arma::vec explicit_sum = eval("sum(j, A[i,j]*B[j,k])", "C[i,k] / s", f, x, true);
  arma::mat hand(3, 5, arma::fill::zeros);
  for (arma::uword i = 0; i < 3; ++i)
    for (arma::uword k = 0; k < 5; ++k)
      for (arma::uword j = 0; j < 4; ++j) hand(i, k) += value("A")(i, j) * value("B")(j, k);
  EXPECT_TRUE(arma::approx_equal(einstein, arma::vectorise(hand), "absdiff", kTol));
  EXPECT_TRUE(arma::approx_equal(explicit_sum, einstein, "absdiff", kTol));
}

TEST_F(IndexExpressionTest, EmbeddedProductEqualsEinsteinSum) {
  const arma::vec embedded = eval("(A*B)[i,k]", "C[i,k] / s", {3, 5}, {1, 1});
  const arma::vec einstein = eval("A[i,j]*B[j,k]", "C[i,k] / s", {3, 5}, {1, 1});
  EXPECT_TRUE(arma::approx_equal(embedded, einstein, "absdiff", kTol));
}

TEST_F(IndexExpressionTest, FirstFreeLetterVariesFastest) {
  // E[k,i] = A[i,k]: the result runs over k first, then i.
  const arma::vec v = eval("A[i,k]", "y[k] / z[i]", {4, 1}, {3, 1});
  ASSERT_EQ(v.n_elem, 12u);
  for (arma::uword i = 0; i < 3; ++i)
    for (arma::uword k = 0; k < 4; ++k) EXPECT_EQ(v(k + 4 * i), value("A")(i, k));
}

TEST_F(IndexExpressionTest, RangesFollowTheSpec) {
  IndexExpression e =
      IndexExpression::compile("A[i,l]*B[l,k]*0 + delta(i,j)", IndexSpec::parse("Z[i,k] / H[j,m]"), {3, 5}, {3, 2}, symbols);
  EXPECT_EQ(e.free_letters(), (std::vector<std::string>{"i", "k", "j", "m"}));
  EXPECT_EQ(e.ranges(), (std::vector<arma::uword>{3, 5, 3, 2}));
  EXPECT_EQ(e.evaluate(values).n_elem, 90u);
}

// Seed 000: z = W a + b, dz_i/dW_kj = delta(i,k) a_j.
TEST_F(IndexExpressionTest, SeedLayerWithRespectToWeights) {
  // z 3x1, W 3x4 (A plays W), a 4x1 (x plays a).
  const arma::vec v = eval("delta(i,k)*x[j]", "z[i] / W[k,j]", {3, 1}, {3, 4});
  ASSERT_EQ(v.n_elem, 36u);
  for (arma::uword i = 0; i < 3; ++i)
    for (arma::uword k = 0; k < 3; ++k)
      for (arma::uword j = 0; j < 4; ++j)
        EXPECT_EQ(v(i + 3 * k + 9 * j), i == k ? value("x")(j) : 0.0) << i << k << j;
}

// Seed 000, the "row-wise" derivative: G_ik = F_iik = dz_i/dW_ik = x_k for z = W x.
TEST_F(IndexExpressionTest, SeedRowWiseDiagonal) {
  const arma::vec v = eval("x[k]", "z[i] / W[i,k]", {3, 1}, {3, 4});
  ASSERT_EQ(v.n_elem, 12u);
  for (arma::uword i = 0; i < 3; ++i)
    for (arma::uword k = 0; k < 4; ++k) EXPECT_EQ(v(i + 3 * k), value("x")(k));
  // The full tensor restricted to its diagonal gives the same.
  const arma::vec full = eval("delta(i,m)*x[k]", "z[i] / W[m,k]", {3, 1}, {3, 4});
  for (arma::uword i = 0; i < 3; ++i)
    for (arma::uword k = 0; k < 4; ++k) EXPECT_EQ(v(i + 3 * k), full(i + 3 * i + 9 * k));
}

// Seed 001: y = W' x, dy_i/dW_kl = delta(i,l) x_k, with W 4x3 and x 4x1 (so y is 3x1).
TEST_F(IndexExpressionTest, SeedTransposedProduct) {
  const arma::vec v = eval("delta(i,l)*x[k]", "y[i] / W[k,l]", {3, 1}, {4, 3});
  ASSERT_EQ(v.n_elem, 36u);
  for (arma::uword i = 0; i < 3; ++i)
    for (arma::uword k = 0; k < 4; ++k)
      for (arma::uword l = 0; l < 3; ++l) EXPECT_EQ(v(i + 3 * k + 12 * l), i == l ? value("x")(k) : 0.0);
}

// Seed 003: Z = A H W, dZ_il/dH_jk = A_ij W_kl, and in vec form kron(W', A).
TEST_F(IndexExpressionTest, SeedThreeFactorProduct) {
  // A 3x3 (X plays A), H 3x4, W 4x5 (B plays W): Z is 3x5.
  const arma::vec v = eval("X[i,j]*B[k,l]", "Z[i,l] / H[j,k]", {3, 5}, {3, 4});
  const arma::mat& a = value("X");
  const arma::mat& w = value("B");
  ASSERT_EQ(v.n_elem, 180u);
  const arma::mat kron = arma::kron(w.t(), a);  // d vec(Z) / d vec(H)
  for (arma::uword i = 0; i < 3; ++i)
    for (arma::uword l = 0; l < 5; ++l)
      for (arma::uword j = 0; j < 3; ++j)
        for (arma::uword k = 0; k < 4; ++k) {
          const double e = v(i + 3 * l + 15 * j + 45 * k);
          EXPECT_EQ(e, a(i, j) * w(k, l));
          EXPECT_NEAR(e, kron(i + 3 * l, j + 3 * k), kTol);
        }
  // The same tensor read out of the embedded Kronecker product.
  const arma::vec via_kron = eval("kron(B',X)[a,b]", "Z[a] / H[b]", {15, 1}, {12, 1});
  EXPECT_TRUE(arma::approx_equal(via_kron, arma::vectorise(kron), "absdiff", kTol));
}

TEST_F(IndexExpressionTest, EmbeddedInverseTransposed) {
  const arma::vec v = eval("inv(X)[j,i]", "q / X[i,j]", {1, 1}, {3, 3});
  EXPECT_TRUE(arma::approx_equal(v, arma::vectorise(arma::inv(value("X")).t()), "absdiff", 1e-10));
  const arma::vec w = eval("-(inv(X)*inv(X))[j,i]", "q / X[i,j]", {1, 1}, {3, 3});
  const arma::mat xi = arma::inv(value("X"));
  EXPECT_TRUE(arma::approx_equal(w, arma::vectorise(-(xi * xi).t()), "absdiff", 1e-10));
}

TEST_F(IndexExpressionTest, EmbeddedExpressionIsEvaluatedAtEachCall) {
  IndexExpression e = IndexExpression::compile("(A')[k,i] + tr(X)", IndexSpec::parse("y[k] / z[i]"), {4, 1}, {3, 1}, symbols);
  const arma::vec first = e.evaluate(values);
  EXPECT_NEAR(first(0), value("A")(0, 0) + arma::trace(value("X")), kTol);
  values[symbols.find_variable("A")->slot](0, 0) += 1;
  EXPECT_NEAR(e.evaluate(values)(0), first(0) + 1, kTol);
}

TEST_F(IndexExpressionTest, TraceDiagonalAndRowVectors) {
  EXPECT_NEAR(eval("X[k,k]", "q / s", {1, 1}, {1, 1})(0), arma::trace(value("X")), kTol);
  EXPECT_NEAR(eval("r[k]*x[k]", "q / s", {1, 1}, {1, 1})(0), arma::dot(value("r"), value("x")), kTol);
  // Free letters repeated are never summed: E[j] = x[j]^2.
  const arma::vec sq = eval("x[j]*x[j]", "y[j] / s", {4, 1}, {1, 1});
  EXPECT_TRUE(arma::approx_equal(sq, arma::square(value("x")), "absdiff", kTol));
}

TEST_F(IndexExpressionTest, ScalarsDimsNumbersAndFunctions) {
  const arma::vec v = eval("s * N - 2^M + x[k]^2 / 4 - -1", "y[k] / s", {4, 1}, {1, 1});
  const double s = value("s")(0);
  for (arma::uword k = 0; k < 4; ++k)
    EXPECT_NEAR(v(k), s * 3 - 16 + value("x")(k) * value("x")(k) / 4 + 1, kTol);
  const arma::vec f = eval("exp(x[k]) + sigmoid(x[k]) + relu(x[k]) + sign(x[k]) + square(x[k]) + abs(x[k]) + "
                           "tanh(x[k]) + sin(x[k]) + cos(x[k]) + softplus(x[k]) + log(abs(x[k])) + sqrt(abs(x[k]))",
                           "y[k] / s", {4, 1}, {1, 1});
  for (arma::uword k = 0; k < 4; ++k) {
    const double t = value("x")(k);
    const double want = std::exp(t) + 1 / (1 + std::exp(-t)) + std::max(t, 0.0) + (t > 0 ? 1 : -1) + t * t +
                        std::abs(t) + std::tanh(t) + std::sin(t) + std::cos(t) + std::log(1 + std::exp(t)) +
                        std::log(std::abs(t)) + std::sqrt(std::abs(t));
    EXPECT_NEAR(f(k), want, 1e-10);
  }
}

TEST_F(IndexExpressionTest, LettersOpenInsideAFactorMeetTheirPartnerOutside) {
  // exp(x[k]) * r[k] sums over k; so does (x[k] + 1) * r[k].
  double e = 0, g = 0;
  for (arma::uword k = 0; k < 4; ++k) {
    e += std::exp(value("x")(k)) * value("r")(k);
    g += (value("x")(k) + 1) * value("r")(k);
  }
  EXPECT_NEAR(eval("exp(x[k]) * r[k]", "q / s", {1, 1}, {1, 1})(0), e, 1e-10);
  EXPECT_NEAR(eval("(x[k] + 1) * r[k]", "q / s", {1, 1}, {1, 1})(0), g, 1e-10);
  // Inside exp, j is summed there: exp(sum_j A[i,j] x[j]).
  const arma::vec h = eval("exp(A[i,j]*x[j])", "y[i] / s", {3, 1}, {1, 1});
  EXPECT_TRUE(arma::approx_equal(h, arma::exp(value("A") * value("x")), "absdiff", 1e-10));
}

TEST_F(IndexExpressionTest, EachSummationHasItsOwnRange) {
  // l runs over 4 in the first term and over 5 in the second.
  const arma::vec v = eval("sum(l, x[l]) + sum(l, B[i,l])", "y[i] / s", {4, 1}, {1, 1});
  for (arma::uword i = 0; i < 4; ++i)
    EXPECT_NEAR(v(i), arma::accu(value("x")) + arma::accu(value("B").row(i)), kTol);
}

TEST_F(IndexExpressionTest, CopiesEvaluateIndependently) {
  IndexExpression a = IndexExpression::compile("inv(X)[i,j]", IndexSpec::parse("q / X[i,j]"), {1, 1}, {3, 3}, symbols);
  IndexExpression b = a;
  const arma::vec va = a.evaluate(values);
  std::vector<arma::mat> other = values;
  other[symbols.find_variable("X")->slot] = arma::eye(3, 3);
  EXPECT_TRUE(arma::approx_equal(b.evaluate(other), arma::vectorise(arma::eye(3, 3)), "absdiff", kTol));
  EXPECT_TRUE(arma::approx_equal(a.evaluate(values), va, "absdiff", kTol));
}

// Issue 12, item 2: index notation and the expression language apply the same scalar functions,
// bit for bit, NaN and infinities included. (relu and sign used to turn NaN into 0 in index form
// only, so 1 + relu(log(x - 10)) was nonfinite in one form and finite in the other.)
TEST(IndexScalarFunctions, AgreeWithTheExpressionLanguageIncludingNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const arma::mat x = {-inf, -30, -2.5, -1, -1e-3, -0.0, 0, 1e-3, 0.5, 1, 3, 40, inf, nan};
  const arma::mat xc = x.t();
  Symbols symbols;
  symbols.add_variable("x", Shape{xc.n_rows, 1});
  const std::vector<arma::mat> values = {xc};
  const IndexSpec spec = IndexSpec::parse("y[i] / x[i]");
  for (const char* f : {"exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "softplus", "sin", "cos", "tan",
                        "sinh", "cosh", "log1p", "expm1", "square", "sign"}) {
    SCOPED_TRACE(f);
    const std::string call = std::string(f) + "(x)";
    Expression e = Expression::compile(call, symbols);
    const arma::mat want = e.evaluate(values);
    IndexExpression ie = IndexExpression::compile(std::string(f) + "(x[i])", spec, {xc.n_rows, 1}, {xc.n_rows, 1},
                                                  symbols);
    const arma::vec got = ie.evaluate(values);
    ASSERT_EQ(got.n_elem, want.n_elem);
    for (arma::uword k = 0; k < got.n_elem; ++k) {
      if (std::isnan(want[k])) {
        EXPECT_TRUE(std::isnan(got[k])) << f << "(" << xc[k] << ") = " << got[k] << ", expected NaN";
      } else {
        EXPECT_EQ(got[k], want[k]) << f << "(" << xc[k] << ")";
      }
    }
  }
}

TEST(IndexScalarFunctions, ReluOfNaNStaysNaNInBothForms) {
  Symbols symbols;
  symbols.add_variable("x", Shape{2, 1});
  const std::vector<arma::mat> values = {arma::mat("3; 12")};
  const arma::mat auto_form = Expression::compile("1 + relu(log(x - 10))", symbols).evaluate(values);
  const arma::vec index_form = IndexExpression::compile("1 + relu(log(x[i] - 10))", IndexSpec::parse("y[i] / x[i]"),
                                                        {2, 1}, {2, 1}, symbols)
                                   .evaluate(values);
  EXPECT_TRUE(std::isnan(auto_form[0]));
  EXPECT_TRUE(std::isnan(index_form[0]));
  EXPECT_EQ(index_form[1], auto_form[1]);
}

// ---------------------------------------------------------------------------------------------
// Complex evaluation: Im E(x + i h e_b) / h against Richardson differences of the real E, and
// the real part of every complex evaluation against the real evaluation.

class IndexComplexTest : public IndexExpressionTest {
 protected:
  void SetUp() override {
    IndexExpressionTest::SetUp();
    values[symbols.find_variable("X")->slot] += 3 * arma::eye(3, 3);  // well conditioned for inv, det
  }
  void check(const std::string& expected, const std::string& indices, Shape f, Shape x, double rtol = 1e-8) {
    SCOPED_TRACE(expected + "   [" + indices + "]");
    IndexExpression e = IndexExpression::compile(expected, IndexSpec::parse(indices), f, x, symbols);
    ASSERT_TRUE(e.has_complex_extension()) << e.complex_obstacle();
    EXPECT_EQ(e.complex_obstacle(), "");
    const test::Evaluator ev{[&e](const std::vector<arma::mat>& v) -> arma::vec { return e.evaluate(v); },
                             [&e](const std::vector<arma::cx_mat>& v) -> arma::cx_vec { return e.evaluate_complex(v); }};
    std::vector<std::size_t> slots(values.size());
    for (std::size_t k = 0; k < slots.size(); ++k) slots[k] = k;
    test::expect_complex_step_matches(ev, values, slots, expected, rtol, 1e-14);
  }
};

TEST_F(IndexComplexTest, SumsProductsAndDiagonals) {
  check("A[i,j]*B[j,k]", "C[i,k] / s", {3, 5}, {1, 1});
  check("sum(j, A[i,j]*B[j,k]) * s", "C[i,k] / s", {3, 5}, {1, 1});
  check("delta(i,k)*x[j]*s", "z[i] / W[k,j]", {3, 1}, {3, 4});
  check("x[k]*x[k]*r[k]", "y[k] / s", {4, 1}, {1, 1});
  check("X[k,k] + r[k]*x[k]", "q / s", {1, 1}, {1, 1});
  check("sum(l, x[l]) + sum(l, B[i,l])", "y[i] / s", {4, 1}, {1, 1});
  check("-A[i,k] / (2 + s*s) - x[k]", "y[k] / z[i]", {4, 1}, {3, 1});
}

TEST_F(IndexComplexTest, ScalarFunctionsAndPowers) {
  for (arma::uword k = 0; k < 4; ++k) ASSERT_GT(std::abs(value("x")(k)), 0.05);  // away from the kinks
  check("exp(x[k]) + sigmoid(x[k]) + relu(x[k]) + sign(x[k])*x[k] + square(x[k]) + abs(x[k]) + tanh(x[k]) + "
        "sin(x[k]) + cos(x[k]) + tan(x[k] / 4) + softplus(x[k]) + log(1 + square(x[k])) + sqrt(2 + x[k])",
        "y[k] / s", {4, 1}, {1, 1});
  check("sinh(x[k]) + cosh(x[k]) + log1p(square(x[k])) + expm1(x[k])", "y[k] / s", {4, 1}, {1, 1});
  check("x[k]^2 / 4 + s^3 + 2^x[k] + (1 + square(x[k]))^s + x[k]^-3", "y[k] / s", {4, 1}, {1, 1});
  check("exp(A[i,j]*x[j])", "y[i] / s", {3, 1}, {1, 1});
  check("exp(x[k]) * r[k]", "q / s", {1, 1}, {1, 1});
}

TEST_F(IndexComplexTest, EmbeddedMatrixExpressions) {
  check("inv(X)[j,i]", "q / X[i,j]", {1, 1}, {3, 3});
  check("-(inv(X)*inv(X))[j,i]", "q / X[i,j]", {1, 1}, {3, 3});
  check("det(X) * inv(X)[j,i] + logdet(X)", "q / X[i,j]", {1, 1}, {3, 3});
  check("(A*B)[i,k]", "C[i,k] / s", {3, 5}, {1, 1});
  check("kron(B',X)[a,b]", "Z[a] / H[b]", {15, 1}, {12, 1});
  check("(A')[k,i] + tr(X)", "y[k] / z[i]", {4, 1}, {3, 1});
  check("chol(X*X')[i,j] * exp(s)", "Z[i,j] / s", {3, 3}, {1, 1});
}

TEST_F(IndexComplexTest, AnEmbeddedPinvHasNoComplexExtension) {
  IndexExpression e = IndexExpression::compile("pinv(A)[j,i] + x[j]", IndexSpec::parse("q / A[i,j]"), {1, 1}, {3, 4},
                                               symbols);
  EXPECT_FALSE(e.has_complex_extension());
  EXPECT_EQ(e.complex_obstacle(), "pinv");
  EXPECT_EQ(e.evaluate(values).n_elem, 12u);  // the real evaluation still works
  try {
    e.evaluate_complex(test::complexify(values));
    ADD_FAILURE() << "expected gradcheck::Error";
  } catch (const Error& err) {
    EXPECT_EQ(err.id(), "expr.complex");
    EXPECT_NE(err.message().find("pinv"), std::string::npos) << err.message();
  }
}

TEST_F(IndexComplexTest, WrongValuesAreRejectedAndCopiesAreIndependent) {
  IndexExpression a = IndexExpression::compile("inv(X)[i,j] * s", IndexSpec::parse("q / X[i,j]"), {1, 1}, {3, 3},
                                               symbols);
  EXPECT_THROW(a.evaluate_complex({}), std::invalid_argument);
  const std::vector<arma::cx_mat> z = test::complexify(values);
  const arma::cx_vec first = a.evaluate_complex(z);
  IndexExpression b = a;
  std::vector<arma::cx_mat> w = z;
  w[symbols.find_variable("s")->slot](0) = std::complex<double>(0, 1);
  const arma::cx_vec& other = b.evaluate_complex(w);
  EXPECT_NE(&other, &a.evaluate_complex(z));
  for (arma::uword k = 0; k < 9; ++k) {
    EXPECT_EQ(a.evaluate_complex(z)(k), first(k));
    EXPECT_NEAR(other(k).imag(), first(k).real() / value("s")(0), 1e-12);
  }
}

}  // namespace
}  // namespace gradcheck
