// SPDX-License-Identifier: MIT
// Tests of harness/symbolic/sym.cpp: printing with the fewest parentheses, round trips through
// the parser, shapes from the compiler, sizes named by dims.
#include "symbolic/sym.hpp"

#include <gtest/gtest.h>

#include "expr/parser.hpp"
#include "gradcheck/error.hpp"

namespace gradcheck::symbolic {
namespace {

Symbols symbols() {
  Symbols s;
  s.add_variable("A", Shape{4, 3});
  s.add_variable("B", Shape{3, 4});
  s.add_variable("x", Shape{4, 1});
  s.add_variable("y", Shape{3, 1});
  s.add_dim("m", 3);
  return s;
}

// Printed as written (modulo spaces) and parsed back to the same tree.
TEST(Sym, PrintsWithTheFewestParenthesesAndRoundTrips) {
  const Symbols s = symbols();
  Builder b(s);
  for (const char* text : {"A' * x * y'", "(A * B)'", "-(A * y) + x", "A * y - (x - x)",
                           "-x .^ 2", "(-x) .^ 2", "x .^ -1", "2 ^ 3 ^ 2", "(2 ^ 3) ^ 2", "(x > 0) .* x",
                           "x > 0 > 1", "sum(A, 2) / m", "(A - A) .* A", "x''", "-2 * x",
                           "1e-07 * x", "(A * y)'", "A / (m * m)", "x .^ (1 + 1)"}) {
    const P tree = b.from_ast(expr::parse(text), false);
    const std::string printed = print(tree);
    std::string want = text;
    EXPECT_EQ(printed, want) << text;
    EXPECT_TRUE(equal(b.from_ast(expr::parse(printed), false), tree)) << text << " -> " << printed;
  }
}

TEST(Sym, ShapesComeFromTheCompiler) {
  const Symbols s = symbols();
  Builder b(s);
  EXPECT_EQ(b.from_ast(expr::parse("A * B"), false)->shape, (Shape{4, 4}));
  EXPECT_EQ(b.from_ast(expr::parse("sum(A, 1)"), false)->shape, (Shape{1, 3}));
  EXPECT_EQ(b.from_ast(expr::parse("kron(A, x)"), false)->shape, (Shape{16, 3}));
  EXPECT_EQ(b.ones(2, 5)->shape, (Shape{2, 5}));
  EXPECT_THROW(b.raw(Node::Binary, Tok::Star, "", {b.name("A"), b.name("A")}), ExprError);
  EXPECT_TRUE(b.name("m")->constant);
  EXPECT_FALSE(b.name("A")->constant);
  EXPECT_THROW(b.name("nope"), Error);
}

TEST(Sym, SizesArePrintedAsTheDimOfThatValue) {
  const Symbols s = symbols();
  Builder b(s);
  PrintOptions o;
  o.dims = {{"m", 3}, {"n", 4}, {"k", 4}};
  EXPECT_EQ(print(b.ones(3, 4), o), "ones(m, 4)");  // 4 is both n and k: left as a number
  EXPECT_EQ(print(b.ones(3, 4)), "ones(3, 4)");
  EXPECT_EQ(print(b.num(3), o), "3");               // a number the user wrote stays one
}

// Structural hashing: equal subtrees made by one Builder are one node, however they were built.
TEST(Sym, EqualSubtreesAreOneNode) {
  const Symbols s = symbols();
  Builder b(s);
  const P once = b.call("tanh", {b.mul(b.name("B"), b.name("x"))});
  const P again = b.call("tanh", {b.mul(b.name("B"), b.name("x"))});
  EXPECT_EQ(once.get(), again.get());
  const P parsed = b.from_ast(expr::parse("tanh(B * x) .* exp(B * x)"), true);
  ASSERT_EQ(parsed->kids.size(), 2u);
  EXPECT_EQ(parsed->kids[0].get(), once.get());
  EXPECT_EQ(parsed->kids[0]->kids[0].get(), parsed->kids[1]->kids[0].get());  // B * x, once
  EXPECT_NE(b.call("tanh", {b.name("x")}).get(), once.get());
}

}  // namespace
}  // namespace gradcheck::symbolic
