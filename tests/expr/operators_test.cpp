// SPDX-License-Identifier: MIT
// Tests of harness/expr/operators.cpp: values, shapes, broadcasting and the shape errors of each
// operator. Expected values are worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "complex_step_util.hpp"
#include "expr/kernels.hpp"
#include "expr_test_util.hpp"

using namespace gradcheck;
using test::error_of;
using test::eval;
using test::eval1;
using test::Vars;
using test::expect_near;
using test::reference_symbols;
using test::shape_of;

namespace {

const arma::mat M = {{1, 2}, {3, 4}};
const arma::mat col("10; 20");
const arma::mat row = {{10, 20}};

arma::mat ev(const std::string& text, double t = 2) {
  return eval(text, {{"M", M}, {"c", col}, {"r", row}, {"t", arma::mat{t}}, {"P", arma::mat{{1, 2}, {2, 4}}}});
}

void expect_value(const std::string& text, const arma::mat& want, double t = 2) {
  expect_near(ev(text, t), want, 1e-12, text);
}

void expect_error(const std::string& text, const std::string& id, const std::string& detail, std::size_t column) {
  const ExprError e = error_of(text, reference_symbols());
  EXPECT_EQ(e.id(), id) << text;
  EXPECT_EQ(e.detail(), detail) << text;
  EXPECT_EQ(e.column(), column) << text;
}

}  // namespace

TEST(Broadcast, ShapeRules) {
  using expr::broadcast_shape;
  EXPECT_EQ(broadcast_shape({4, 3}, {4, 3}), (Shape{4, 3}));
  EXPECT_EQ(broadcast_shape({1, 1}, {4, 3}), (Shape{4, 3}));
  EXPECT_EQ(broadcast_shape({4, 3}, {1, 1}), (Shape{4, 3}));
  EXPECT_EQ(broadcast_shape({4, 1}, {4, 3}), (Shape{4, 3}));
  EXPECT_EQ(broadcast_shape({4, 3}, {4, 1}), (Shape{4, 3}));
  EXPECT_EQ(broadcast_shape({1, 3}, {4, 3}), (Shape{4, 3}));
  EXPECT_EQ(broadcast_shape({4, 3}, {1, 3}), (Shape{4, 3}));
  EXPECT_FALSE(broadcast_shape({4, 1}, {1, 3}));  // no outer broadcast
  EXPECT_FALSE(broadcast_shape({4, 3}, {3, 4}));
  EXPECT_FALSE(broadcast_shape({3, 1}, {4, 3}));
  EXPECT_FALSE(broadcast_shape({4, 1}, {3, 1}));
}

TEST(Operators, AddAndSubtract) {
  expect_value("M + M", {{2, 4}, {6, 8}});
  expect_value("M - 1", {{0, 1}, {2, 3}});
  expect_value("1 - M", {{0, -1}, {-2, -3}});
}

TEST(Operators, ColumnBroadcastsAgainstEachColumnEitherSide) {
  expect_value("M + c", {{11, 12}, {23, 24}});
  expect_value("c + M", {{11, 12}, {23, 24}});
  expect_value("M - c", {{-9, -8}, {-17, -16}});
  expect_value("c - M", {{9, 8}, {17, 16}});
  expect_value("c .* M", {{10, 20}, {60, 80}});
  expect_value("M ./ c", {{0.1, 0.2}, {0.15, 0.2}});
}

TEST(Operators, RowBroadcastsAgainstEachRowEitherSide) {
  expect_value("M + r", {{11, 22}, {13, 24}});
  expect_value("r - M", {{9, 18}, {7, 16}});
  expect_value("r ./ M", {{10, 10}, {10.0 / 3, 5}});
  expect_value("M .* r", {{10, 40}, {30, 80}});
}

TEST(Operators, BroadcastShapes) {
  const Symbols s = reference_symbols();
  EXPECT_EQ(shape_of("q + A'", s), (Shape{3, 4}));
  EXPECT_EQ(shape_of("A' .* q", s), (Shape{3, 4}));
  EXPECT_EQ(shape_of("r + A", s), (Shape{4, 3}));
  EXPECT_EQ(shape_of("A ./ r", s), (Shape{4, 3}));
  EXPECT_EQ(shape_of("wa - A", s), (Shape{4, 3}));
  EXPECT_EQ(shape_of("t .^ A", s), (Shape{4, 3}));
  EXPECT_EQ(shape_of("A < r", s), (Shape{4, 3}));
}

TEST(Operators, ElementwiseProductAndQuotient) {
  expect_value("M .* M", {{1, 4}, {9, 16}});
  expect_value("M ./ M", {{1, 1}, {1, 1}});
  expect_value("1 ./ M", {{1, 0.5}, {1.0 / 3, 0.25}});
}

TEST(Operators, MatrixProduct) {
  expect_value("M * M", {{7, 10}, {15, 22}});
  expect_value("r * c", arma::mat{500});
  expect_value("c * r", {{100, 200}, {200, 400}});
  expect_value("M * c", arma::mat("50; 110"));
  expect_value("2 * M", {{2, 4}, {6, 8}});  // a scalar on either side scales
  expect_value("M * t", {{3, 6}, {9, 12}}, 3);
  EXPECT_EQ(shape_of("A * B", reference_symbols()), (Shape{4, 4}));
  EXPECT_EQ(shape_of("B * A", reference_symbols()), (Shape{3, 3}));
}

TEST(Operators, DivisionByAScalar) {
  expect_value("M / 2", {{0.5, 1}, {1.5, 2}});
  expect_value("M / t", {{0.25, 0.5}, {0.75, 1}}, 4);
  expect_value("6 / t", arma::mat{2}, 3);
}

TEST(Operators, ScalarPower) {
  expect_value("t ^ 0.5", arma::mat{3}, 9);
  expect_value("t ^ t", arma::mat{27}, 3);
}

TEST(Operators, MatrixPowerToIntegers) {
  expect_value("M ^ 2", {{7, 10}, {15, 22}});
  expect_value("M ^ 3", {{37, 54}, {81, 118}});
  expect_value("M ^ 0", {{1, 0}, {0, 1}});
  expect_value("M ^ 1", M);
  expect_value("M ^ -1", {{-2, 1}, {1.5, -0.5}});
  expect_value("M ^ -2", {{5.5, -2.5}, {-3.75, 1.75}});
}

TEST(Operators, MatrixPowerWithAVariableExponent) {
  expect_value("M ^ t", {{37, 54}, {81, 118}}, 3);
  const arma::mat half = ev("M ^ t", 0.5);  // non-integer at run time: NaN, no exception
  EXPECT_TRUE(half.has_nan());
  EXPECT_EQ(half.n_rows, 2u);
}

TEST(Operators, MatrixPowerOfASingularMatrixIsNaN) {
  const arma::mat out = ev("P ^ -1");
  ASSERT_EQ(out.n_elem, 4u);
  for (double v : out) EXPECT_TRUE(std::isnan(v));
}

TEST(Operators, ElementwisePower) {
  expect_value("M .^ 2", {{1, 4}, {9, 16}});
  expect_value("2 .^ M", {{2, 4}, {8, 16}});
  expect_value("M .^ (c / 10)", {{1, 2}, {9, 16}});
  expect_value("M .^ -1", {{1, 0.5}, {1.0 / 3, 0.25}});
}

// Constant integer exponents are computed by multiplication: x .^ 2 is exactly x * x, and the
// other integers agree with std::pow to a few ulps, at negative bases, 0 and NaN too.
TEST(Operators, IntegerPowersByMultiplication) {
  const arma::mat x = {{-1.7, 0.0, 3.1e5}, {2.5e-3, -0.0, 7.25}};
  const Vars vars{{"x", x}};
  const arma::mat sq = eval("x .^ 2", vars);
  for (arma::uword k = 0; k < x.n_elem; ++k) EXPECT_EQ(sq(k), x(k) * x(k)) << k;
  for (int p : {-3, -2, -1, 0, 1, 3, 4, 7, 64}) {
    const arma::mat got = eval("x .^ " + std::to_string(p), vars);
    for (arma::uword k = 0; k < x.n_elem; ++k) {
      const double want = std::pow(x(k), p);
      if (std::isinf(want)) EXPECT_EQ(got(k), want) << p << " " << k;
      else EXPECT_NEAR(got(k), want, 2e-15 * std::abs(want)) << p << " " << k;  // <= 9 ulps
    }
  }
  EXPECT_EQ(eval1("t ^ 3", {{"t", arma::mat{-2}}}), -8.0);
  EXPECT_EQ(eval1("t .^ 0", {{"t", arma::mat{std::nan("")}}}), 1.0);  // as std::pow
  EXPECT_TRUE(std::isnan(eval1("t .^ 2", {{"t", arma::mat{std::nan("")}}})));
  // Non-integer and large exponents still go through std::pow.
  EXPECT_DOUBLE_EQ(eval1("t .^ 0.5", {{"t", arma::mat{2}}}), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(eval1("t .^ 65", {{"t", arma::mat{1.01}}}), std::pow(1.01, 65));
}

TEST(Operators, Comparisons) {
  expect_value("M > 2", {{0, 0}, {1, 1}});
  expect_value("M >= 2", {{0, 1}, {1, 1}});
  expect_value("M < 2", {{1, 0}, {0, 0}});
  expect_value("M <= c / 10 + 1", {{1, 1}, {1, 0}});
  expect_value("r < M * 10", {{0, 0}, {1, 1}});
  expect_value("0 / 0 < 1", arma::mat{0});  // NaN compares false
}

TEST(Operators, NegationAndTranspose) {
  expect_value("-M", {{-1, -2}, {-3, -4}});
  expect_value("c'", {{10, 20}});
  expect_value("r.T", arma::mat("10; 20"));
  expect_value("M.'", {{1, 3}, {2, 4}});
  EXPECT_EQ(shape_of("A'", reference_symbols()), (Shape{3, 4}));
}

TEST(Operators, ShapeErrorsOfElementwiseOperators) {
  const std::string tail = ": shapes differ and neither broadcasts";
  expect_error("A + B", "expr.shape", "cannot add A (4x3) and B (3x4)" + tail, 3);
  expect_error("A - B", "expr.shape", "cannot subtract B (3x4) from A (4x3)" + tail, 3);
  expect_error("A .* B", "expr.shape", "cannot multiply A (4x3) and B (3x4) elementwise" + tail, 3);
  expect_error("A ./ B", "expr.shape", "cannot divide A (4x3) by B (3x4) elementwise" + tail, 3);
  expect_error("A .^ B", "expr.shape", "cannot raise A (4x3) to the power B (3x4) elementwise" + tail, 3);
  expect_error("A < B", "expr.shape", "cannot compare A (4x3) and B (3x4)" + tail, 3);
  expect_error("A >= B", "expr.shape", "cannot compare A (4x3) and B (3x4)" + tail, 3);
}

TEST(Operators, BroadcastingErrors) {
  const std::string tail = ": shapes differ and neither broadcasts";
  expect_error("q + r", "expr.shape", "cannot add q (3x1) and r (1x3)" + tail, 3);
  expect_error("A + q", "expr.shape", "cannot add A (4x3) and q (3x1)" + tail, 3);
  expect_error("wa' .* A", "expr.shape", "cannot multiply wa' (1x4) and A (4x3) elementwise" + tail, 5);
}

TEST(Operators, ShapeErrorOfTheMatrixProduct) {
  const ExprError e = error_of("A * H", reference_symbols());
  EXPECT_EQ(std::string(e.what()),
            "[expr.shape] column 3: cannot multiply A (4x3) by H (4x5): inner sizes 3 and 4\n"
            "  A * H\n"
            "    ^");
}

TEST(Operators, ShapeErrorOfTheDivision) {
  expect_error("A / S", "expr.shape",
               "cannot divide A (4x3) by S (3x3): '/' needs a scalar divisor; use ./ to divide elementwise, or "
               "solve/inv for matrices",
               3);
  expect_error("1 / q", "expr.shape",
               "cannot divide 1 (1x1) by q (3x1): '/' needs a scalar divisor; use ./ to divide elementwise, or "
               "solve/inv for matrices",
               3);
}

TEST(Operators, ShapeErrorsOfThePower) {
  expect_error("A ^ 2", "expr.shape",
               "cannot raise A (4x3) to a power: '^' needs a scalar or a square matrix; use .^ for elementwise powers",
               3);
  expect_error("S ^ q", "expr.shape",
               "cannot raise S (3x3) to the power q (3x1): the exponent of '^' must be a scalar; use .^ for "
               "elementwise powers",
               3);
  expect_error("2 ^ S", "expr.shape",
               "cannot raise 2 (1x1) to the power S (3x3): the exponent of '^' must be a scalar; use .^ for "
               "elementwise powers",
               3);
  expect_error("S ^ half", "expr.value",
               "cannot raise S (3x3) to the power 0.5: a matrix power needs an integer exponent", 3);
}

// Found by fuzzing (tests/fuzz, a timeout): eye(13^n)^03.^020 folds a 2197x2197 identity to the
// power 3^20 at compile time, about 64 products of 2197x2197 matrices (minutes). Products and
// matrix powers past 1e10 operations are an expr.value error now.
TEST(Operators, ExpensiveProductsAndPowersAreRefused) {
  Symbols s = reference_symbols();
  s.add_variable("P", Shape{3000, 3000});  // declared only: nothing of this size is allocated
  s.add_variable("Q", Shape{3000, 2});
  s.add_variable("M", Shape{1000, 1000});
  ExprError e = error_of("eye(13^n)^03.^020", s);
  EXPECT_EQ(e.id(), "expr.value");
  EXPECT_EQ(e.detail(), "eye(13^n)^03.^020 would take about 6.8e+11 operations per evaluation, more than 1e+10 (use "
                        "smaller sizes)");
  EXPECT_EQ(e.column(), 1u);
  EXPECT_EQ(e.length(), 17u);
  e = error_of("sum(sum(P * P))", s);
  EXPECT_EQ(e.id(), "expr.value");
  EXPECT_EQ(e.column(), 9u);
  EXPECT_EQ(error_of("P^t", s).id(), "expr.value");  // an exponent not known at compile time
  // Affordable ones still compile.
  EXPECT_EQ(shape_of("P * Q", s), (Shape{3000, 2}));
  EXPECT_EQ(shape_of("M^2 * M", s), (Shape{1000, 1000}));
  expect_near(eval("(2 * eye(3))^5"), 32 * arma::mat(arma::eye(3, 3)), 1e-12, "(2 * eye(3))^5");
}

// ---------------------------------------------------------------------------------------------
// Complex evaluation: Im f(x + i h e_b) / h against Richardson differences of the real f, and
// the real part of every complex evaluation against the real evaluation.

TEST(OperatorsComplex, ArithmeticAndBroadcasting) {
  test::ComplexCases c;
  for (const char* text : {"A + S", "A - S", "-A", "+A", "A .* S", "A ./ S", "A * S", "N * B", "B * N", "A / t",
                           "t * A", "A * t", "A + v", "A .* r", "r - A", "w ./ A", "A + v + r", "t - A", "A * w",
                           "r * A * w"})
    c.check(text);
}

TEST(OperatorsComplex, Powers) {
  test::ComplexCases c;
  for (const char* text : {"A .^ 2", "w .^ 3", "w .^ -2", "v .^ 0.5", "v .^ -1.5", "v .^ t", "t .^ w", "2 .^ w",
                           "t ^ 3", "t ^ 0.3", "2 ^ t", "t ^ t", "A ^ 3", "A ^ 0", "A ^ -2", "D ^ 5", "S ^ -1",
                           "(-t) ^ 2", "(-t) .^ 3"})
    c.check(text, 1e-8, 1e-13);
}

TEST(OperatorsComplex, TransposesNeverConjugate) {
  test::ComplexCases c;
  for (const char* text : {"A'", "N'", "N.T", "w' * A", "(A * B)'"}) c.check(text);
  const std::complex<double> z(3, 1);
  const arma::cx_mat w = arma::cx_vec{z, 2.0, 1.0};
  EXPECT_EQ(c.at("w'", {{"w", w}})(0, 0), z);
  EXPECT_EQ(c.at("w' * w", {{"w", w}})(0, 0), z * z + 5.0);
}

TEST(OperatorsComplex, ComparisonsDecideOnTheRealPart) {
  test::ComplexCases c;
  for (const char* text : {"(A > S) .* A", "(A < 0.5) + A", "(v >= 1) .* v", "(v <= 1.5) .* v .^ 2",
                           "(w > 0) .* w + (w <= 0) .* exp(w)"})
    c.check(text);
  using cx = std::complex<double>;
  const arma::cx_mat w = arma::cx_vec{cx(1, 9), cx(-1, 9), cx(2, -9)};
  const arma::cx_mat gt = c.at("w > 1.5", {{"w", w}});
  EXPECT_EQ(gt(0), cx(0, 0));
  EXPECT_EQ(gt(1), cx(0, 0));
  EXPECT_EQ(gt(2), cx(1, 0));
  EXPECT_EQ(c.at("w >= 1", {{"w", w}})(0), cx(1, 0));
  EXPECT_EQ(c.at("w < 0", {{"w", w}})(1), cx(1, 0));
  EXPECT_EQ(c.at("w <= -1", {{"w", w}})(1), cx(1, 0));
}

TEST(OperatorsComplex, MatrixPowerWithAVariableExponent) {
  // The exponent is a variable: an integer value works, its imaginary part (a complex step on
  // the exponent) or a non-integer value gives NaN, as the real kernel.
  test::ComplexCases c;
  c.add("k", arma::mat("2"));
  const arma::mat a2 = c.values[0] * c.values[0];
  const arma::cx_mat out = c.at("A ^ k", {});
  for (arma::uword i = 0; i < 9; ++i) EXPECT_NEAR(out[i].real(), a2[i], 1e-14);
  const arma::cx_mat stepped = c.at("A ^ k", {{"k", arma::cx_mat(1, 1, arma::fill::value(std::complex<double>(2, 1e-20)))}});
  EXPECT_TRUE(std::isnan(stepped[0].real()));
}
