// SPDX-License-Identifier: MIT
// Tests of harness/expr/propagate.cpp: perturbation propagation gives the values of a full
// evaluation (to rounding) over random programs, and leaves no trace between perturbations.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "gradcheck/expression.hpp"

using namespace gradcheck;

namespace {

// Variables: X (3x4, the one perturbed), Q (4x4, perturbed in the square programs), A (4x4),
// B (3x3), c (3x1), r (1x4), s (1x1).
Symbols symbols() {
  Symbols sym;
  sym.add_variable("X", Shape{3, 4});
  sym.add_variable("Q", Shape{4, 4});
  sym.add_variable("A", Shape{4, 4});
  sym.add_variable("B", Shape{3, 3});
  sym.add_variable("c", Shape{3, 1});
  sym.add_variable("r", Shape{1, 4});
  sym.add_variable("s", Shape{1, 1});
  return sym;
}

std::vector<arma::mat> point(std::mt19937_64& rng) {
  std::normal_distribution<double> n(0.0, 0.5);
  auto draw = [&](arma::uword rows, arma::uword cols) {
    arma::mat m(rows, cols);
    for (double& v : m) v = n(rng);
    return m;
  };
  arma::mat q = draw(4, 4);
  return {draw(3, 4), q * q.t() + 2 * arma::eye(4, 4), draw(4, 4), draw(3, 3), draw(3, 1), draw(1, 4), draw(1, 1)};
}

// A random expression of shape 3x4 (square = false) or 4x4 (true) over the variables; depth
// bounds the nesting. Every rule of propagate.hpp and the fallback appear.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  std::string matrix(int depth, bool square) {
    const std::string leaf = square ? "Q" : "X";
    if (depth <= 0) return pick(3) == 0 ? (square ? "A" : "(c * r)") : leaf;
    const std::string e = matrix(depth - 1, square), f = matrix(depth - 1, square);
    switch (pick(19)) {
      case 0: return "(" + e + " + " + f + ")";
      case 1: return "(" + e + " .* " + f + ")";
      case 2: return "(" + e + " - 0.5 * " + f + ")";
      case 3: return square ? "(A * " + e + ")" : "(B * " + e + ")";
      case 4: return "(" + e + " * A)";
      case 5: return "tanh(" + e + ")";
      case 6: return "(" + e + ").^2";
      case 7: return "(" + e + ").^3";
      case 8: return "-" + e;
      case 9: return "(" + e + ")'" + (square ? "" : "'");  // transposed back for 3x4
      case 10: return square ? "(" + e + " + r)" : "(" + e + " + c)";  // broadcast
      case 11: return "(r .* " + e + ")";
      case 12: return "(s * " + e + ")";
      case 13: return "(" + e + " ./ (1 + (" + f + ").^2))";
      case 14: return "softmax(" + e + ")";  // column-separable
      case 17: return "log(softmax(" + e + "))";  // a shifted softmax's log
      case 15: return "max(" + e + ", 0.1)";
      case 16:  // both factors changed
        return square ? "((" + e + ")' * (" + f + "))" : "(" + e + " * (" + f + ")' * B * c * r)";
      default: return "exp(0.3 * " + e + ")";
    }
  }

  // A program of any result shape: a matrix, its reductions, or (square) a determinant.
  std::string program(bool square) {
    const std::string e = matrix(1 + pick(3), square);
    switch (pick(square ? 9 : 7)) {
      case 0: return e;
      case 1: return "sum(" + e + ")";
      case 2: return "sum(" + e + ", 1)";
      case 3: return "mean(" + e + ", 2)";
      case 4: return "mean(" + e + ")";
      case 5: return "sum((" + e + ").^2) / 16";
      case 6: return "(" + e + ")'";
      case 7: return "logdet(A * A' + 4 * eye(4) + 0.3 * " + e + ")";
      default: return "det(2 * eye(4) + 0.2 * " + e + ")";
    }
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::mt19937_64 rng_;
};

// |propagated - full| <= tol (1 + max |full|) at every entry, for every single-entry move of the
// variable in `slot` by each delta, and for symmetric pairs of a square variable.
void expect_propagation_matches(const std::string& text, std::size_t slot, std::vector<arma::mat> values) {
  SCOPED_TRACE(text);
  Expression f = Expression::compile(text, symbols());
  std::unique_ptr<PerturbedFunction> p = f.perturbed(slot);
  p->prepare(values);
  arma::mat& x = values[slot];
  const arma::uword n = x.n_elem;
  for (double delta : {1e-3, -0.25}) {
    for (arma::uword b = 0; b < n; ++b) {
      for (arma::uword second : {b, (b % x.n_rows) * x.n_rows + b / x.n_rows}) {
        if (second >= n || (second != b && x.n_rows != x.n_cols)) continue;
        const double first_old = x(b), second_old = x(second);
        x(b) += delta;
        if (second != b) x(second) += delta;
        const arma::mat full = f.evaluate(values);
        x(b) = first_old;
        x(second) = second_old;
        const arma::mat& moved = p->at(b, second, delta);
        ASSERT_EQ(moved.n_rows, full.n_rows);
        ASSERT_EQ(moved.n_cols, full.n_cols);
        const double scale = 1 + (full.is_finite() ? arma::abs(full).max() : 0.0);
        for (arma::uword k = 0; k < full.n_elem; ++k) {
          if (!std::isfinite(full(k))) {
            EXPECT_FALSE(std::isfinite(moved(k))) << "entry " << k << " moving " << b << "," << second;
            continue;
          }
          EXPECT_NEAR(moved(k), full(k), 1e-10 * scale) << "entry " << k << " moving " << b << "," << second
                                                        << " by " << delta;
        }
      }
    }
  }
}

// The complex step through the propagator: Im f(x + i h e_b) / h from at_complex equals that of
// a full complex evaluation (evaluate_complex) to rounding, and its real part is f(x), for every
// single-entry move (and symmetric pair) of the variable in `slot`.
void expect_complex_propagation_matches(const std::string& text, std::size_t slot, const std::vector<arma::mat>& values) {
  SCOPED_TRACE(text);
  Expression f = Expression::compile(text, symbols());
  ASSERT_TRUE(f.has_complex_extension());
  std::unique_ptr<PerturbedFunction> p = f.perturbed(slot);
  p->prepare(values);
  std::vector<arma::cx_mat> cx;
  for (const arma::mat& v : values) cx.push_back(arma::conv_to<arma::cx_mat>::from(v));
  const arma::mat f0 = f.evaluate(values);
  const arma::uword n = values[slot].n_elem, rows = values[slot].n_rows;
  const double h = 1e-20;
  for (arma::uword b = 0; b < n; ++b) {
    for (arma::uword second : {b, (b % rows) * rows + b / rows}) {
      if (second >= n || (second != b && rows != values[slot].n_cols)) continue;
      cx[slot](b) += std::complex<double>(0.0, h);
      if (second != b) cx[slot](second) += std::complex<double>(0.0, h);
      const arma::cx_mat full = f.evaluate_complex(cx);
      cx[slot](b) = values[slot](b);
      cx[slot](second) = values[slot](second);
      const arma::cx_mat* moved = p->at_complex(b, second, h);
      ASSERT_NE(moved, nullptr);
      ASSERT_EQ(moved->n_elem, full.n_elem);
      const arma::mat d_full = arma::imag(full) / h, d_moved = arma::imag(*moved) / h;
      const double scale = 1 + (d_full.is_finite() ? arma::abs(d_full).max() : 0.0);
      const double f_scale = 1 + (f0.is_finite() ? arma::abs(f0).max() : 0.0);
      for (arma::uword k = 0; k < full.n_elem; ++k) {
        if (!std::isfinite(d_full(k))) continue;
        EXPECT_NEAR(d_moved(k), d_full(k), 1e-10 * scale) << "entry " << k << " moving " << b << "," << second;
        EXPECT_NEAR(std::real((*moved)(k)), f0(k), 1e-10 * f_scale) << "real part, entry " << k;
      }
    }
  }
}

// The fused sums (sum or mean of C .* L, L = log(softmax(.)) or log_softmax(.), nothing else
// reading L): either order of the product, L alone, moves where the rank-one rule does not apply
// (40: 1 + t below 1e-2 at the large move), a base point where the sum is not finite (log(r):
// non-finite columns; the rule stays off), and L read twice (not fused).
const char* const kFusedSums[] = {"-sum((c * r) .* log(softmax(X * A)))", "sum(log(softmax(X * A)) .* (c * r))",
                                  "mean((c * r) .* log_softmax(X * A))",   "sum(log_softmax(X * A))",
                                  "mean(log(softmax(X * A)))",             "sum((c * r) .* log(softmax(X * A + log(r))))",
                                  "sum((c * r) .* log_softmax(40 * X * A))",
                                  "sum(log(softmax(X * A)) .* log(softmax(X * A)))",
                                  "sum((c * r) .* log(softmax(X * A))) + sum(softmax(X * A))"};

TEST(Propagate, ComplexStepThroughRandomProgramsMatchesFullComplexEvaluation) {
  std::mt19937_64 rng(17);
  Generator plain(4242), square(77);
  for (int i = 0; i < 80; ++i) expect_complex_propagation_matches(plain.program(false), 0, point(rng));
  for (int i = 0; i < 80; ++i) expect_complex_propagation_matches(square.program(true), 1, point(rng));
}

TEST(Propagate, ComplexStepEachRuleAlone) {
  std::mt19937_64 rng(23);
  for (const char* text : {"X", "X'", "B * X", "X * A", "X + c", "sum(X, 1)", "mean(X, 2)",
                           "sum((B * X * A + c).^2) / 16", "X.^3", "softmax(X)", "log_softmax(X')", "logsumexp(X)",
                           "softmax(X * A)", "log_softmax(X * A)", "logsumexp(X * A)", "log(softmax(X * A))",
                           "-sum(sum(c .* log(softmax(3 * X * A))))"})
    expect_complex_propagation_matches(text, 0, point(rng));
  // The fused sums through the complex core (their real base values: no log of a negative r).
  for (const char* text : kFusedSums)
    if (std::string(text).find("log(r)") == std::string::npos) expect_complex_propagation_matches(text, 0, point(rng));
  for (const char* text : {"logdet(Q)", "det(Q)", "logdet(A * Q * A' + eye(4))", "inv(Q)", "solve(Q, A)"})
    expect_complex_propagation_matches(text, 1, point(rng));
}

// A program with a step that has no complex extension (pinv: an SVD) propagates no complex step:
// the caller evaluates f_complex, which does not exist either.
TEST(Propagate, NoComplexExtensionNoComplexStep) {
  Expression f = Expression::compile("sum(sum(pinv(X)))", symbols());
  std::mt19937_64 rng(29);
  std::unique_ptr<PerturbedFunction> p = f.perturbed(0);
  p->prepare(point(rng));
  EXPECT_EQ(p->at_complex(0, 0, 1e-20), nullptr);
  EXPECT_TRUE(std::isfinite(p->at(0, 0, 1e-3)(0)));  // the real propagation still works
}

TEST(Propagate, RandomProgramsMatchFullEvaluation) {
  std::mt19937_64 rng(7);
  Generator gen(2026);
  for (int i = 0; i < 150; ++i) expect_propagation_matches(gen.program(false), 0, point(rng));
}

TEST(Propagate, RandomSquareProgramsMatchFullEvaluationIncludingDeterminants) {
  std::mt19937_64 rng(11);
  Generator gen(99);
  for (int i = 0; i < 150; ++i) expect_propagation_matches(gen.program(true), 1, point(rng));
}

TEST(Propagate, EachRuleAlone) {
  std::mt19937_64 rng(3);
  for (const char* text : {"X", "X'", "B * X", "X * A", "X + c", "r .* X", "s * X", "sum(X)", "sum(X, 1)",
                           "sum(X, 2)", "mean(X)", "mean(X, 1)", "mean(X, 2)", "sum((B * X * A + c).^2) / 16",
                           "X.^2", "X.^-1", "sum(sum(X' * X))", "softmax(X)", "log_softmax(X)", "logsumexp(X)",
                           "sum(log(softmax(B * X)))", "softmax(X')", "logsumexp(X * A)"})
    expect_propagation_matches(text, 0, point(rng));
  // The softmax family's rank-one rule (one changed row: X * A moved in X), with the log of a
  // softmax shifted; steep columns (900: base entries underflow to 0, their log is -inf) and
  // non-finite base columns (log of the negative entries of r), where it must not apply.
  for (const char* text : {"softmax(X * A)", "log_softmax(X * A)", "logsumexp(X * A)", "log(softmax(X * A))",
                           "-sum(sum(c .* log(softmax(3 * X * A))))", "softmax(40 * X * A)", "log(softmax(900 * X * A))",
                           "log_softmax(900 * X * A)", "logsumexp(900 * X * A)", "softmax(X * A + log(r))",
                           "log(softmax(X * A + log(r)))", "logsumexp(X * A + log(r))", "exp(log(softmax(X * A)))"})
    expect_propagation_matches(text, 0, point(rng));
  for (const char* text : kFusedSums) expect_propagation_matches(text, 0, point(rng));
  for (const char* text : {"logdet(Q)", "det(Q)", "logdet(A * Q * A' + eye(4))", "inv(Q)", "solve(Q, A)"})
    expect_propagation_matches(text, 1, point(rng));
}

// A column-separable step recomputes only the changed columns: moving one entry of X in
// softmax(X) costs a column, not the matrix (the operations the evaluator reports).
TEST(Propagate, SoftmaxRecomputesOnlyTheChangedColumn) {
  Symbols sym;
  sym.add_variable("Z", Shape{10, 32});
  Expression f = Expression::compile("-sum(log(softmax(Z)))", sym);
  const double one = f.perturbed_operations(0, 3, 3), whole = 3.0 * 10 * 32;
  EXPECT_LT(one, whole / 8) << one;
}

// The cross-entropy -sum(Y .* log(softmax(W * X))) moved in one entry of W: the fused sum takes
// O(1) per column (the operations the evaluator reports), the softmax, its log and the product
// are not written; after moves on both of its paths (fused, and the kernel where the rank-one
// rule does not apply: a move of 60 in a column of scale 1) a move gives the bits of a fresh
// evaluator, and every value that of a full evaluation.
TEST(Propagate, CrossEntropyIsOneSumPerColumn) {
  Symbols sym;
  sym.add_variable("W", Shape{10, 8});
  sym.add_variable("X", Shape{8, 32});
  sym.add_variable("Y", Shape{10, 32});
  std::mt19937_64 rng(21);
  std::normal_distribution<double> n(0.0, 1.0);
  std::vector<arma::mat> values{arma::mat(10, 8), arma::mat(8, 32), arma::mat(10, 32, arma::fill::zeros)};
  for (double& v : values[0]) v = n(rng);
  for (double& v : values[1]) v = n(rng);
  for (arma::uword j = 0; j < 32; ++j) values[2](j % 10, j) = 1.0;
  Expression f = Expression::compile("-sum(Y .* log(softmax(W * X)))", sym);
  std::unique_ptr<PerturbedFunction> used = f.perturbed(0), fresh = f.perturbed(0);
  used->prepare(values);
  fresh->prepare(values);
  used->at(3, 3, 1e-4);
  EXPECT_LT(used->operations(), 10.0 * 32) << "the softmax alone is 320 entries";
  for (arma::uword b = 0; b < 80; b += 7) used->at(b, b, b % 2 ? 60.0 : -1e-3);
  for (arma::uword b = 0; b < 80; b += 5) {
    for (double delta : {1e-4, 60.0}) {
      const double once = fresh->at(b, b, delta)(0);
      EXPECT_EQ(used->at(b, b, delta)(0), once) << b;
      std::vector<arma::mat> moved = values;
      moved[0](b) += delta;
      const double full = f.evaluate(moved)(0);
      EXPECT_NEAR(once, full, 1e-12 * (1 + std::abs(full))) << b << " by " << delta;
    }
  }
}

// The determinant lemma agrees with the full determinant also at large moves, and a move that
// makes the matrix singular falls back to the full evaluation (1 + t below 1e-2).
TEST(Propagate, DeterminantLemmaNearSingularFallsBack) {
  Symbols sym;
  sym.add_variable("Q", Shape{2, 2});
  Expression f = Expression::compile("det(Q)", sym);
  std::vector<arma::mat> values{arma::mat{{2, 1}, {1, 1}}};
  std::unique_ptr<PerturbedFunction> p = f.perturbed(0);
  p->prepare(values);
  EXPECT_DOUBLE_EQ(p->at(0, 0, 1.0)(0), 2.0);   // [[3, 1], [1, 1]]
  EXPECT_DOUBLE_EQ(p->at(0, 0, -1.0)(0), 0.0);  // [[1, 1], [1, 1]]: singular, recomputed whole
  EXPECT_DOUBLE_EQ(p->at(2, 2, 1.0)(0), 0.0);   // [[2, 2], [1, 1]]
}

// After any sequence of moves, a move gives the same bits as on a fresh evaluator: every changed
// block is restored exactly.
TEST(Propagate, NoTraceBetweenPerturbations) {
  std::mt19937_64 rng(5);
  const std::vector<arma::mat> values = point(rng);
  const std::string text = "sum(tanh(B * X * A + c).^2) + logdet(A * A' + eye(4)) + sum(softmax(X), 1) * r'";
  Expression f = Expression::compile(text, symbols());
  std::unique_ptr<PerturbedFunction> used = f.perturbed(0);
  used->prepare(values);
  for (arma::uword b = 0; b < 12; ++b) used->at(b, b, 0.1 * double(b + 1));
  std::unique_ptr<PerturbedFunction> fresh = f.perturbed(0);
  fresh->prepare(values);
  for (arma::uword b = 0; b < 12; ++b) {
    const double once = fresh->at(b, b, 1e-4)(0);
    EXPECT_EQ(used->at(b, b, 1e-4)(0), once) << b;
  }
}

TEST(Propagate, WrongValuesAreRefused) {
  Expression f = Expression::compile("sum(X)", symbols());
  std::unique_ptr<PerturbedFunction> p = f.perturbed(0);
  EXPECT_THROW(p->prepare({arma::mat(2, 2)}), std::invalid_argument);
  EXPECT_THROW(p->prepare({}), std::invalid_argument);
}

}  // namespace
