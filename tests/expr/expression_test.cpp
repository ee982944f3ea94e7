// SPDX-License-Identifier: MIT
// Tests of harness/expr/expression.cpp: compile once, evaluate many times, copies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "complex_step_util.hpp"
#include "expr_test_util.hpp"

using namespace gradcheck;
using test::expect_near;

namespace {

Symbols two_vars() {
  Symbols s;
  s.add_variable("A", Shape{2, 2});
  s.add_variable("x", Shape{2, 1});
  s.add_dim("k", 3);
  return s;
}

}  // namespace

TEST(Expression, ShapeAndTextAreKnownBeforeEvaluation) {
  const Expression e = Expression::compile(" A * x + k ", two_vars());
  EXPECT_EQ(e.shape(), (Shape{2, 1}));
  EXPECT_EQ(e.text(), " A * x + k ");
}

TEST(Expression, VariablesUsedAreSortedAndUnique) {
  EXPECT_EQ(Expression::compile("x' * A * x + sum(x)", two_vars()).variables_used(), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(Expression::compile("sum(x .* x)", two_vars()).variables_used(), (std::vector<std::size_t>{1}));
  EXPECT_TRUE(Expression::compile("k + numel(A)", two_vars()).variables_used().empty());
}

TEST(Expression, RepeatedEvaluationSeesNewValues) {
  Expression e = Expression::compile("x' * A * x + k", two_vars());
  const arma::mat I = {{1, 0}, {0, 1}};
  EXPECT_DOUBLE_EQ(e.evaluate({I, arma::mat("1; 2")})[0], 8);  // 1 + 4 + 3
  EXPECT_DOUBLE_EQ(e.evaluate({2 * I, arma::mat("1; 2")})[0], 13);
  EXPECT_DOUBLE_EQ(e.evaluate({I, arma::mat("0; 0")})[0], 3);
  const arma::mat B = {{0, 1}, {1, 0}};
  EXPECT_DOUBLE_EQ(e.evaluate({B, arma::mat("1; 2")})[0], 7);  // 2 * 1 * 2 + 3
}

TEST(Expression, ReturnedReferenceIsTheResultBuffer) {
  Expression e = Expression::compile("A * x", two_vars());
  const arma::mat& first = e.evaluate({arma::mat{{1, 0}, {0, 1}}, arma::mat("1; 2")});
  const double* memory = first.memptr();
  const arma::mat& second = e.evaluate({arma::mat{{2, 0}, {0, 2}}, arma::mat("1; 2")});
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(second.memptr(), memory);  // written in place, not reallocated
  expect_near(second, arma::mat("2; 4"), 0, "A * x");
}

TEST(Expression, AVariableAloneIsCopiedOut) {
  Expression e = Expression::compile("x", two_vars());
  std::vector<arma::mat> values = {arma::mat(2, 2, arma::fill::zeros), arma::mat("1; 2")};
  const arma::mat& out = e.evaluate(values);
  values[1](0) = 5;
  EXPECT_DOUBLE_EQ(out(0), 1);
  EXPECT_DOUBLE_EQ(e.evaluate(values)(0), 5);
}

TEST(Expression, ConstantExpressionsNeedNoValues) {
  Expression e = Expression::compile("k * eye(2)", two_vars());
  expect_near(e.evaluate({}), arma::mat{{3, 0}, {0, 3}}, 0, "k * eye(2)");
}

TEST(Expression, CopiesEvaluateIndependently) {
  Expression e = Expression::compile("A * x", two_vars());
  Expression copy = e;
  const arma::mat& a = e.evaluate({arma::mat{{1, 0}, {0, 1}}, arma::mat("1; 2")});
  const arma::mat& b = copy.evaluate({arma::mat{{3, 0}, {0, 3}}, arma::mat("1; 2")});
  EXPECT_NE(&a, &b);
  expect_near(a, arma::mat("1; 2"), 0, "original");
  expect_near(b, arma::mat("3; 6"), 0, "copy");
  Expression assigned = Expression::compile("k", two_vars());
  assigned = copy;
  EXPECT_EQ(assigned.text(), "A * x");
  expect_near(assigned.evaluate({arma::mat{{0, 1}, {1, 0}}, arma::mat("1; 2")}), arma::mat("2; 1"), 0, "assigned");
  expect_near(b, arma::mat("3; 6"), 0, "copy untouched");
}

TEST(Expression, CopiesRunInParallelThreads) {
  const Expression e = Expression::compile("sum(softmax(A * x) .* log_softmax(A * x))", two_vars());
  std::vector<Expression> copies(4, e);
  std::vector<double> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        results[t] = copies[t].evaluate({arma::mat{{1, 0}, {0, 1}}, arma::mat(arma::vec{0.0, double(t)})})[0];
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    const double p = 1 / (1 + std::exp(-double(t)));  // softmax of [0; t], second entry
    const double want = (1 - p) * std::log(1 - p) + p * std::log(p);
    EXPECT_NEAR(results[t], want, 1e-12) << "thread " << t;
  }
}

TEST(Expression, MovesKeepTheProgram) {
  Expression e = Expression::compile("A * x", two_vars());
  Expression moved = std::move(e);
  expect_near(moved.evaluate({arma::mat{{1, 0}, {0, 1}}, arma::mat("1; 2")}), arma::mat("1; 2"), 0, "moved");
  Expression target = Expression::compile("k", two_vars());
  target = std::move(moved);
  EXPECT_EQ(target.shape(), (Shape{2, 1}));
}

TEST(Expression, NumericalTroubleGivesNaNNotExceptions) {
  Expression e = Expression::compile("inv(A) * x + logdet(A) + sum(chol(A)) + solve(A, x)", two_vars());
  arma::mat out;
  EXPECT_NO_THROW(out = e.evaluate({arma::mat(2, 2, arma::fill::zeros), arma::mat("1; 2")}));
  EXPECT_EQ(out.n_rows, 2u);
  EXPECT_TRUE(out.has_nan());
  // The same object recovers on good values.
  expect_near(e.evaluate({arma::mat{{4, 0}, {0, 1}}, arma::mat("4; 2")}),
              arma::mat("1; 2") + std::log(4.0) + 3 + arma::mat("1; 2"), 1e-12, "recovered");
}

TEST(Expression, WrongValuesAreRejected) {
  Expression e = Expression::compile("A * x", two_vars());
  EXPECT_THROW(e.evaluate({arma::mat(2, 2)}), std::invalid_argument);                   // missing slot
  EXPECT_THROW(e.evaluate({arma::mat(2, 2), arma::mat(3, 1)}), std::invalid_argument);  // wrong shape
}

// ---------------------------------------------------------------------------------------------
// Complex evaluation: the API around evaluate_complex, and a property test over random
// expressions comparing complex-step derivatives with finite differences.

TEST(ExpressionComplex, AgreesWithTheRealEvaluationAtRealValues) {
  Expression e = Expression::compile("A * x + k * exp(x) - inv(A) * x", two_vars());
  const std::vector<arma::mat> values = {arma::mat{{2, 1}, {0.5, 3}}, arma::mat("0.3; -1")};
  const arma::mat real = e.evaluate(values);
  const arma::cx_mat& z = e.evaluate_complex(test::complexify(values));
  ASSERT_EQ(z.n_rows, 2u);
  ASSERT_EQ(z.n_cols, 1u);
  for (arma::uword i = 0; i < 2; ++i) {
    EXPECT_NEAR(z[i].real(), real[i], 1e-15 * std::abs(real[i]));
    EXPECT_EQ(z[i].imag(), 0.0);
  }
  // The real evaluation is untouched by the complex one, and the other way round.
  EXPECT_TRUE(arma::approx_equal(e.evaluate(values), real, "absdiff", 0));
}

TEST(ExpressionComplex, ReturnedReferenceIsTheResultBuffer) {
  Expression e = Expression::compile("A * x", two_vars());
  std::vector<arma::cx_mat> z = {arma::cx_mat(2, 2, arma::fill::eye), arma::cx_mat(2, 1, arma::fill::ones)};
  const arma::cx_mat& first = e.evaluate_complex(z);
  z[1](0) = std::complex<double>(0, 1);
  const arma::cx_mat& second = e.evaluate_complex(z);
  EXPECT_EQ(&first, &second);
  EXPECT_EQ(second(0), std::complex<double>(0, 1));
}

TEST(ExpressionComplex, VariablesAloneAndConstants) {
  Expression x = Expression::compile("x", two_vars());
  const std::vector<arma::cx_mat> z = {arma::cx_mat(2, 2, arma::fill::zeros),
                                       arma::cx_mat(arma::cx_vec{{1.0, 2.0}, {3.0, -4.0}})};
  EXPECT_EQ(x.evaluate_complex(z)(1), std::complex<double>(3, -4));
  Expression c = Expression::compile("k * ones(2, 1) + 1", two_vars());
  const arma::cx_mat& value = c.evaluate_complex({});
  EXPECT_EQ(value(0), std::complex<double>(4, 0));
  EXPECT_EQ(value(1), std::complex<double>(4, 0));
  // A constant operand of a variable step: its complex value is the constant.
  Expression m = Expression::compile("x + ones(2, 1) * k", two_vars());
  EXPECT_EQ(m.evaluate_complex(z)(1), std::complex<double>(6, -4));
}

TEST(ExpressionComplex, CopiesEvaluateIndependently) {
  Expression a = Expression::compile("A * x", two_vars());
  const std::vector<arma::cx_mat> z1 = {arma::cx_mat(2, 2, arma::fill::eye), arma::cx_mat(2, 1, arma::fill::ones)};
  const arma::cx_mat& ra = a.evaluate_complex(z1);
  Expression b = a;  // copied after the complex buffers exist
  std::vector<arma::cx_mat> z2 = z1;
  z2[1] *= std::complex<double>(0, 2);
  const arma::cx_mat& rb = b.evaluate_complex(z2);
  EXPECT_NE(&ra, &rb);
  EXPECT_EQ(ra(0), std::complex<double>(1, 0));
  EXPECT_EQ(rb(0), std::complex<double>(0, 2));
}

TEST(ExpressionComplex, WrongValuesAreRejected) {
  Expression e = Expression::compile("A * x", two_vars());
  EXPECT_THROW(e.evaluate_complex({arma::cx_mat(2, 2, arma::fill::eye)}), std::invalid_argument);
  EXPECT_THROW(e.evaluate_complex({arma::cx_mat(2, 2, arma::fill::eye), arma::cx_mat(3, 1, arma::fill::ones)}),
               std::invalid_argument);
}

TEST(ExpressionComplex, ObstacleIsTheFirstFunctionWithoutAnExtension) {
  Symbols s;
  s.add_variable("A", Shape{3, 2});
  Expression e = Expression::compile("sum(sum(exp(A))) + norm(pinv(A) * 2, 2)", s);
  EXPECT_FALSE(e.has_complex_extension());
  EXPECT_EQ(e.complex_obstacle(), "pinv");
  Expression copy = e;
  EXPECT_EQ(copy.complex_obstacle(), "pinv");
  try {
    copy.evaluate_complex({arma::cx_mat(3, 2, arma::fill::ones)});
    ADD_FAILURE() << "expected gradcheck::Error";
  } catch (const Error& err) {
    EXPECT_EQ(err.id(), "expr.complex");
  }
  // Its real evaluation is unaffected.
  EXPECT_TRUE(std::isfinite(e.evaluate({arma::mat(3, 2, arma::fill::ones)})(0)));
}

namespace {

// Random well-shaped expressions over X (3x3), y (3x1), u (1x3) and s (1x1), built only from
// smooth operations (no abs, relu, max, comparisons: a kink within the differencing step would
// make the finite differences, not the complex step, wrong), with matrix inverses, solves,
// Cholesky factors and log-determinants of 3 I + E E', which stays well conditioned.
class RandomExpressions {
 public:
  explicit RandomExpressions(std::uint32_t seed) : rng_(seed) {}

  enum Kind { S, C, R, M };  // 1x1, 3x1, 1x3, 3x3

  std::string gen(Kind k, int depth) {
    if (depth <= 0 || pick(4) == 0) return leaf(k);
    const int d = depth - 1;
    switch (pick(4)) {
      case 0: return unary(gen(k, d));
      case 1: return binary(k, d);
      case 2: return power(gen(k, d));
      default: return special(k, d);
    }
  }

  double value() { return (static_cast<double>(rng_() % 2001) / 1000.0 - 1.0) * 1.2; }
  std::uint32_t pick(std::uint32_t n) { return rng_() % n; }

 private:
  template <std::size_t N>
  std::string one_of(const char* const (&options)[N]) {
    return options[pick(N)];
  }
  static std::string fill(std::string pattern, const std::string& e) {
    for (std::size_t p; (p = pattern.find('%')) != std::string::npos;) pattern.replace(p, 1, e);
    return pattern;
  }
  // Leaves with an operator are parenthesised, so that they stay one operand.
  std::string leaf(Kind k) {
    const std::string t = bare_leaf(k);
    return t.find(' ') == std::string::npos ? t : "(" + t + ")";
  }
  std::string bare_leaf(Kind k) {
    static const char* const s[] = {"s", "0.7", "sum(y)", "u * y", "tr(X)"};
    static const char* const c[] = {"y", "u'", "X * y", "X' * y"};
    static const char* const r[] = {"u", "y'", "u * X"};
    static const char* const m[] = {"X", "X'", "y * u", "eye(3)", "diag(y)", "X * X"};
    switch (k) {
      case S: return one_of(s);
      case C: return one_of(c);
      case R: return one_of(r);
      default: return one_of(m);
    }
  }
  std::string unary(const std::string& e) {
    static const char* const f[] = {"sin(%)",         "cos(%)",           "tanh(%)",
                                    "sigmoid(%)",     "softplus(%)",      "square(%)",
                                    "exp(tanh(%))",   "log1p(square(%))", "sqrt(1 + square(%))",
                                    "log(1 + sigmoid(%))", "-(%)",        "sinh(tanh(%))",
                                    "cosh(tanh(%))",  "expm1(tanh(%))",   "(%) / 2"};
    return fill(one_of(f), e);
  }
  std::string binary(Kind k, int d) {
    const std::string a = gen(k, d);
    // The other operand: the same shape, a scalar, or (for a matrix) a broadcast column or row.
    Kind other = k;
    const std::uint32_t b = pick(4);
    if (b == 0) other = S;
    if (b == 1 && k == M) other = C;
    if (b == 2 && k == M) other = R;
    const std::string e = gen(other, d);
    switch (pick(5)) {
      case 0: return "(" + a + " + " + e + ")";
      case 1: return "(" + a + " - " + e + ")";
      case 2: return "(" + a + " .* " + e + ")";
      case 3: return "(" + a + " ./ (1.5 + cos(" + e + ")))";
      default: return other == S ? "(" + e + " * " + a + ")" : "(" + a + " .* " + e + ")";
    }
  }
  std::string power(const std::string& e) {
    static const char* const p[] = {"(%) .^ 2", "(%) .^ 3", "(1 + square(%)) .^ -0.5", "(2 + sin(%)) .^ 1.5",
                                    "pow(2 + sin(%), sigmoid(s))", "(2 + sin(%)) .^ (1 + s .^ 2)"};
    return "(" + fill(one_of(p), e) + ")";
  }
  std::string spd(int d) {
    const std::string e = gen(M, d);
    return "(3 * eye(3) + " + e + " * " + e + "')";
  }
  std::string special(Kind k, int d) {
    switch (k) {
      case M:
        switch (pick(14)) {
          case 0: return "(" + gen(M, d) + " * " + gen(M, d) + ")";
          case 1: return "(" + gen(C, d) + " * " + gen(R, d) + ")";
          case 2: return "inv" + spd(d);
          case 3: return "solve(" + spd(d) + ", " + gen(M, d) + ")";
          case 4: return "chol" + spd(d);
          case 5: return "((" + gen(M, d) + " / 3) ^ 2)";
          case 6: return "tril(" + gen(M, d) + ")";
          case 7: return "triu(" + gen(M, d) + ")";
          case 8: return "kron(" + gen(C, d) + ", " + gen(R, d) + ")";
          case 9: return "repmat(" + gen(C, d) + ", 1, 3)";
          case 10: return "transpose(" + gen(M, d) + ")";
          case 11: return "softmax(" + gen(M, d) + ")";
          case 12: return "cumsum(" + gen(M, d) + ", 2)";
          default: return "reshape(" + gen(M, d) + ", 3, 3)";
        }
      case C:
        switch (pick(9)) {
          case 0: return "(" + gen(M, d) + " * " + gen(C, d) + ")";
          case 1: return "sum(" + gen(M, d) + ", 2)";
          case 2: return "mean(" + gen(M, d) + ", 2)";
          case 3: return "diag(" + gen(M, d) + ")";
          case 4: return "log_softmax(" + gen(C, d) + ")";
          case 5: return "cumsum(" + gen(C, d) + ")";
          case 6: return "solve(" + spd(d) + ", " + gen(C, d) + ")";
          case 7: return "vec(" + gen(R, d) + ")";
          default: return "(logsumexp(" + gen(M, d) + ")')";
        }
      case R:
        switch (pick(5)) {
          case 0: return "(" + gen(R, d) + " * " + gen(M, d) + ")";
          case 1: return "sum(" + gen(M, d) + ", 1)";
          case 2: return "var(" + gen(M, d) + ", 1)";
          case 3: return "((" + gen(C, d) + ")')";
          default: return "logsumexp(" + gen(M, d) + ")";
        }
      default:
        switch (pick(12)) {
          case 0: return "sum(sum(" + gen(M, d) + "))";
          case 1: return "mean(" + gen(M, d) + ")";
          case 2: return "tr(" + gen(M, d) + ")";
          case 3: return "det(" + gen(M, d) + ")";
          case 4: return "logdet" + spd(d);
          case 5: return "norm(" + gen(M, d) + " + 2)";
          case 6: return "var(" + gen(C, d) + ")";
          case 7: return "(" + gen(R, d) + " * " + gen(C, d) + ")";
          case 8: return "dot(" + gen(M, d) + ", " + gen(M, d) + ")";
          case 9: return "logsumexp(" + gen(C, d) + ")";
          case 10: return "((" + gen(S, d) + ") ^ 2)";
          default: return "((1 + square(" + gen(S, d) + ")) ^ 0.5)";
        }
    }
  }

  std::mt19937 rng_;
};

}  // namespace

TEST(ExpressionComplex, PropertyComplexStepMatchesFiniteDifferencesOnRandomExpressions) {
  RandomExpressions gen(20260417);
  Symbols symbols;
  symbols.add_variable("X", Shape{3, 3});
  symbols.add_variable("y", Shape{3, 1});
  symbols.add_variable("u", Shape{1, 3});
  symbols.add_variable("s", Shape{1, 1});
  int checked = 0, entries = 0;
  for (int n = 0; n < 300; ++n) {
    const RandomExpressions::Kind kind = static_cast<RandomExpressions::Kind>(gen.pick(4));
    const std::string text = gen.gen(kind, 1 + static_cast<int>(gen.pick(4)));
    std::vector<arma::mat> values = {arma::mat(3, 3), arma::mat(3, 1), arma::mat(1, 3), arma::mat(1, 1)};
    for (arma::mat& v : values)
      for (double& e : v) e = gen.value();
    SCOPED_TRACE(text);
    std::optional<Expression> compiled;
    try {
      compiled = Expression::compile(text, symbols);
    } catch (const ExprError& err) {
      ADD_FAILURE() << "the generator wrote an invalid expression: " << err.what();
      continue;
    }
    Expression& e = *compiled;
    ASSERT_TRUE(e.has_complex_extension()) << e.complex_obstacle();
    const test::Evaluator f = test::evaluator_of(e);
    const arma::vec real = f.real(values);
    if (!real.is_finite()) continue;  // rare: an overflow of the random values, nothing to compare
    ++checked;
    for (std::size_t slot : e.variables_used()) {
      for (arma::uword k = 0; k < values[slot].n_elem; ++k) {
        arma::vec re_part;
        const arma::vec cs = test::complex_step(f, values, slot, k, &re_part);
        const arma::vec fd = test::richardson(f, values, slot, k);
        const double scale = std::max({1.0, arma::abs(fd).max(), arma::abs(real).max()});
        ++entries;
        for (arma::uword i = 0; i < cs.n_elem; ++i) {
          EXPECT_NEAR(cs[i], fd[i], 1e-7 * scale) << "d out[" << i << "] / d slot " << slot << "[" << k << "]";
          EXPECT_NEAR(re_part[i], real[i], 1e-13 * scale) << "real part of out[" << i << "]";
        }
      }
    }
  }
  EXPECT_GE(checked, 290);
  RecordProperty("expressions_checked", checked);
  RecordProperty("derivative_columns_checked", entries);
}

// polynomial_degree: the degree (an upper bound) in the variable asked for, -1 for any step that
// is not a polynomial of its inputs; a claim of degree <= 2 is checked against the function
// itself: its third difference along a random direction vanishes to rounding, at a large step.
// smooth(): false exactly where a step can have a kink or a jump (the functions of can_kink and
// the comparisons), anywhere in the program; everything else is smooth wherever finite.
TEST(Expression, SmoothIsFalseWhereAKinkOrAJumpCanBe) {
  Symbols sym;
  sym.add_variable("W", Shape{3, 4});
  sym.add_variable("x", Shape{4, 1});
  sym.add_variable("A", Shape{4, 4});
  const std::vector<std::pair<const char*, bool>> cases{
      {"sum((W * x).^2)", true},
      {"logdet(A' * A + eye(4))", true},
      {"sum(sum(inv(A)))", true},
      {"sum(log_softmax(W * x))", true},
      {"x' * solve(A, x) + sum(tanh(x)) + sum(exp(x) ./ (1 + x.^2))", true},
      {"sum(relu(W * x))", false},
      {"sum(abs(x))", false},
      {"sum(sign(x) .* x)", false},
      {"max(x)", false},
      {"sum(max(x, 0))", false},
      {"min(x)", false},
      {"norm(x, 1)", false},
      {"sum(sum(pinv(W)))", false},
      {"sum((x > 0) .* x)", false},
      {"sum((x <= 1) .* x)", false},
      {"sum(exp(x)) + sum(abs(W * x))", false},
  };
  for (const auto& [text, smooth] : cases)
    EXPECT_EQ(Expression::compile(text, sym).smooth(), smooth) << text;
}

TEST(Expression, PolynomialDegreeIsAnUpperBoundThatTheFunctionHolds) {
  Symbols sym;
  sym.add_variable("W", Shape{3, 4});
  sym.add_variable("X", Shape{4, 5});
  sym.add_variable("x", Shape{4, 1});
  sym.add_variable("A", Shape{4, 4});
  sym.add_variable("b", Shape{3, 1});
  sym.add_variable("s", Shape{1, 1});
  sym.add_dim("m", 16);
  struct Case {
    const char* text;
    const char* wrt;
    int degree;
  };
  const Case cases[] = {
      {"W * X + b", "W", 1},
      {"W * X + b", "X", 1},
      {"W * X + b", "x", 0},
      {"sum((W * X + b).^2) / m", "W", 2},
      {"x' * A * x", "x", 2},
      {"x' * A * x", "A", 1},
      {"x .^ 3", "x", 3},
      {"s ^ 2 + 3 * s", "s", 2},
      {"-(x .* x) ./ 4 - x / s", "x", 2},
      {"x / s", "s", -1},
      {"x ./ x", "x", -1},
      {"x .^ -1", "x", -1},
      {"x .^ 0.5", "x", -1},
      {"exp(x)", "x", -1},
      {"max(x, 0)", "x", -1},
      {"sum(inv(A)) * x", "x", 1},
      {"inv(A) * x", "A", -1},
      {"x - x", "x", 1},
      {"dot(x, A * x) + trace(A) * sum(x)", "x", 2},
      {"kron(x, x') + repmat(x, 1, 4) + diag(x) + tril(A) + triu(A')", "x", 2},
      {"W' * reshape(vec(W * X), 3, 5)", "W", 2},
      {"mean(W, 2)' * b + transpose(b) * b", "W", 1},
      {"(x' * x) ^ 2", "x", 4},
  };
  std::mt19937_64 rng(17);
  std::normal_distribution<double> normal;
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.text) + " wrt " + c.wrt);
    Expression f = Expression::compile(c.text, sym);
    const std::size_t slot = sym.find_variable(c.wrt)->slot;
    EXPECT_EQ(f.polynomial_degree(slot), c.degree);
    if (c.degree < 0 || c.degree > 2) continue;
    for (int trial = 0; trial < 5; ++trial) {
      std::vector<arma::mat> v;
      for (const char* name : {"W", "X", "x", "A", "b", "s"}) {
        const Shape sh = sym.find_variable(name)->shape;
        arma::mat m(sh.rows, sh.cols);
        for (double& e : m) e = normal(rng);
        v.push_back(m);
      }
      arma::mat u(v[slot].n_rows, v[slot].n_cols);
      for (double& e : u) e = normal(rng);
      const arma::mat x0 = v[slot];
      std::vector<arma::mat> f_at;
      for (int k = 0; k < 4; ++k) {
        v[slot] = x0 + 0.7 * k * u;
        f_at.push_back(f.evaluate(v));
      }
      const arma::mat third = f_at[3] - 3 * f_at[2] + 3 * f_at[1] - f_at[0];
      double scale = 1;
      for (const arma::mat& m : f_at) scale = std::max(scale, arma::abs(m).max());
      EXPECT_LE(arma::abs(third).max(), 1e-11 * scale);
    }
  }
}
