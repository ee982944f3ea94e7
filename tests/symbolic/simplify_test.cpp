// SPDX-License-Identifier: MIT
// Tests of harness/symbolic/simplify.cpp: each rule gives the textbook form, and never changes
// the value (every simplified expression is compared numerically with its input).
#include <gtest/gtest.h>

#include "expr/parser.hpp"
#include "symbolic/sym.hpp"

namespace gradcheck::symbolic {
namespace {

struct Fixture {
  Symbols s;
  std::vector<arma::mat> values;
  Fixture() {
    arma::arma_rng::set_seed(5);
    for (auto [name, r, c] : std::vector<std::tuple<const char*, int, int>>{
             {"A", 4, 3}, {"B", 3, 4}, {"C", 4, 4}, {"x", 4, 1}, {"y", 3, 1}, {"X", 4, 3}}) {
      s.add_variable(name, Shape{arma::uword(r), arma::uword(c)});
      values.push_back(arma::randn(r, c));
    }
    s.add_dim("m", 5);
  }
};

TEST(Simplify, RulesGiveTheTextbookFormAndKeepTheValue) {
  Fixture f;
  Builder b(f.s, {});
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"2 * X * 3", "6 * X"},
      {"1 * X * 1", "X"},
      {"-(-X)", "X"},
      {"(A * B)'", "B' * A'"},
      {"(X + A)'", "X' + A'"},
      {"(exp(A) .* X)'", "exp(A') .* X'"},
      {"inv(C)'", "inv(C')"},
      {"X''", "X"},
      {"(x' * x)'", "x' * x"},
      {"eye(4) * A", "A"},
      {"A .* ones(4, 3)", "A"},
      {"A * ones(3, 1)", "sum(A, 2)"},
      {"ones(1, 4) * A", "sum(A, 1)"},
      {"X .* X", "X .^ 2"},
      {"A * (2 * B)", "2 * A * B"},
      {"(A / m) * B", "A * B / m"},
      {"2 * X / (2 * m)", "X / m"},
      {"2 * X / 12", "X / 6"},
      {"X + X", "2 * X"},
      {"C * x + C' * x", "(C + C') * x"},
      {"A * y + A * (2 * y)", "3 * A * y"},
      {"X / m + A / m", "(X + A) / m"},
      {"-X + A", "A - X"},
      {"-0.5 * X - 0.5 * A", "-0.5 * (X + A)"},
      {"(X .* A) ./ A", "X"},
      {"X .* (1 ./ A)", "X ./ A"},
      {"X .* A + A .* X", "2 * (X .* A)"},
      {"kron(A', eye(4)) * kron(eye(4), C)", "kron(A', C)"},
      {"sum(2 * X)", "2 * sum(X)"},
      {"sum(x, 2)", "x"},
      {"C * C * C", "C ^ 3"},
      {"X .^ 1", "X"},
  };
  for (const auto& [in, want] : cases) {
    const P raw = b.from_ast(expr::parse(in), false);
    const P simple = b.simplify(b.from_ast(expr::parse(in), true));
    EXPECT_EQ(print(simple), want) << in;
    Expression e1 = Expression::compile(in, f.s), e2 = Expression::compile(print(simple), f.s);
    const arma::mat v1 = e1.evaluate(f.values), v2 = e2.evaluate(f.values);
    EXPECT_TRUE(arma::approx_equal(v1, v2, "absdiff", 1e-10)) << in << " -> " << print(simple);
  }
}

TEST(Simplify, SymmetricVariablesLoseTheirTransposes) {
  Fixture f;
  Builder b(f.s, {"C"});
  EXPECT_EQ(print(b.simplify(b.from_ast(expr::parse("inv(C)' + inv(C)"), true))), "2 * inv(C)");
}

TEST(Simplify, ADroppedTermNeverChangesTheShape) {
  Fixture f;
  Builder b(f.s, {});
  const P p = b.simplify(b.from_ast(expr::parse("x - x + m"), true));
  EXPECT_EQ(p->shape, (Shape{4, 1}));
}

}  // namespace
}  // namespace gradcheck::symbolic
