// SPDX-License-Identifier: MIT
// Tests of harness/expr/parser.cpp: structure, precedence, associativity and syntax errors.
#include "expr/parser.hpp"

#include <gtest/gtest.h>

#include "expr_test_util.hpp"

using namespace gradcheck;
using expr::Node;
using expr::parse;
using expr::Tok;
using test::eval;
using test::eval1;

namespace {

ExprError syntax_error(const std::string& text) {
  try {
    parse(text);
  } catch (const ExprError& e) {
    EXPECT_EQ(e.id(), "expr.syntax") << text;
    return e;
  }
  ADD_FAILURE() << "expected a syntax error from: " << text;
  return ExprError("none", "", text, 1);
}

}  // namespace

TEST(Parser, ProductBindsTighterThanSum) {
  const Node n = parse("a + b * c");
  ASSERT_EQ(n.kind, Node::Binary);
  EXPECT_EQ(n.op, Tok::Plus);
  EXPECT_EQ(n.children[1].kind, Node::Binary);
  EXPECT_EQ(n.children[1].op, Tok::Star);
  EXPECT_DOUBLE_EQ(eval1("2 + 3 * 4"), 14);
  EXPECT_DOUBLE_EQ(eval1("2 * 3 + 4"), 10);
  EXPECT_DOUBLE_EQ(eval1("(2 + 3) * 4"), 20);
}

TEST(Parser, SumAndProductAreLeftAssociative) {
  EXPECT_DOUBLE_EQ(eval1("2 - 3 - 4"), -5);
  EXPECT_DOUBLE_EQ(eval1("1 - 2 + 3"), 2);
  EXPECT_DOUBLE_EQ(eval1("8 / 4 / 2"), 1);
  EXPECT_DOUBLE_EQ(eval1("8 ./ 4 .* 2"), 4);
}

TEST(Parser, UnaryMinusIsLooserThanPower) {
  EXPECT_DOUBLE_EQ(eval1("-2^2"), -4);
  EXPECT_DOUBLE_EQ(eval1("-3 .^ 2"), -9);
  EXPECT_DOUBLE_EQ(eval1("(-2)^2"), 4);
  EXPECT_DOUBLE_EQ(eval1("2 * -3"), -6);
  EXPECT_DOUBLE_EQ(eval1("- -2"), 2);
  EXPECT_DOUBLE_EQ(eval1("+2 - +1"), 1);
}

TEST(Parser, PowerIsRightAssociative) {
  EXPECT_DOUBLE_EQ(eval1("2^3^2"), 512);
  EXPECT_DOUBLE_EQ(eval1("2.^3.^2"), 512);
}

TEST(Parser, ExponentMayCarryAUnaryMinus) {
  EXPECT_DOUBLE_EQ(eval1("2^-1"), 0.5);
  EXPECT_DOUBLE_EQ(eval1("-2^-2"), -0.25);
  EXPECT_DOUBLE_EQ(eval1("2^-1^2"), 0.5);  // 2^(-(1^2))
  test::expect_near(eval("x.^-1", {{"x", arma::mat("2; 4")}}), arma::mat("0.5; 0.25"), 0, "x.^-1");
}

TEST(Parser, ComparisonsAreLoosestAndLeftAssociative) {
  EXPECT_DOUBLE_EQ(eval1("1 < 2 + 3"), 1);
  EXPECT_DOUBLE_EQ(eval1("2 + 3 > 4"), 1);
  EXPECT_DOUBLE_EQ(eval1("3 > 2 > 1"), 0);  // (3 > 2) > 1 is 1 > 1
  EXPECT_DOUBLE_EQ(eval1("2 * 3 <= 6"), 1);
  EXPECT_DOUBLE_EQ(eval1("2 >= 3"), 0);
}

TEST(Parser, TransposeBindsTightest) {
  // A is 2x3 and B 2x2: A' * B is 3x2.
  const arma::mat A = {{1, 2, 3}, {4, 5, 6}}, B = {{1, 0}, {2, 1}};
  const arma::mat want = {{9, 4}, {12, 5}, {15, 6}};  // (A')(i, :) * B by hand
  test::expect_near(eval("A'*B", {{"A", A}, {"B", B}}), want, 0, "A'*B");
  test::expect_near(eval("A.T*B", {{"A", A}, {"B", B}}), want, 0, "A.T*B");
  test::expect_near(eval("-A'", {{"A", A}}), arma::mat{{-1, -4}, {-2, -5}, {-3, -6}}, 0, "-A'");
  test::expect_near(eval("2.^v'", {{"v", arma::mat("1; 2")}}), arma::mat("2 4"), 0, "2.^v'");
  test::expect_near(eval("A''", {{"A", A}}), A, 0, "A''");
}

TEST(Parser, SpansCoverParenthesesAndOperands) {
  const Node n = parse("(a + b) * c'");
  EXPECT_EQ(n.pos, 8u);
  EXPECT_EQ(n.children[0].begin, 0u);
  EXPECT_EQ(n.children[0].end, 7u);
  EXPECT_EQ(n.children[1].kind, Node::Transpose);
  EXPECT_EQ(n.children[1].begin, 10u);
  EXPECT_EQ(n.children[1].end, 12u);
}

TEST(Parser, CallsTakeZeroOrMoreArguments) {
  const Node n = parse("f(x, g(), 2)");
  ASSERT_EQ(n.kind, Node::Call);
  EXPECT_EQ(n.name, "f");
  ASSERT_EQ(n.children.size(), 3u);
  EXPECT_EQ(n.children[1].kind, Node::Call);
  EXPECT_TRUE(n.children[1].children.empty());
  EXPECT_EQ(n.end, 12u);
}

TEST(Parser, TrailingGarbage) {
  const ExprError e = syntax_error("x y");
  EXPECT_EQ(std::string(e.what()),
            "[expr.syntax] column 3: unexpected 'y': expected an operator or the end of the expression\n"
            "  x y\n"
            "    ^");
  EXPECT_EQ(syntax_error("x + 1 2.5").detail(), "unexpected '2.5': expected an operator or the end of the expression");
  EXPECT_EQ(syntax_error("x + 1 2.5").length(), 3u);
}

TEST(Parser, UnbalancedClosingParenthesis) {
  const ExprError e = syntax_error("x + 1)");
  EXPECT_EQ(e.detail(), "unexpected ')' without a matching '('");
  EXPECT_EQ(e.excerpt(), "  x + 1)\n       ^");
}

TEST(Parser, UnterminatedParenthesis) {
  const ExprError e = syntax_error("2 * (x + 1");
  EXPECT_EQ(std::string(e.what()),
            "[expr.syntax] column 5: unterminated '(': no matching ')'\n"
            "  2 * (x + 1\n"
            "      ^");
  EXPECT_EQ(syntax_error("tr(x").detail(), "unterminated '(': no matching ')'");
  EXPECT_EQ(syntax_error("tr(x").column(), 3u);
  EXPECT_EQ(syntax_error("tr(").column(), 3u);
  EXPECT_EQ(syntax_error("(").detail(), "unterminated '(': no matching ')'");
}

TEST(Parser, UnexpectedTokenInsideParentheses) {
  EXPECT_EQ(syntax_error("(x y)").detail(), "unexpected 'y': expected an operator or ')'");
  const ExprError e = syntax_error("tr(x y)");
  EXPECT_EQ(e.detail(), "unexpected 'y': expected an operator, ',' or ')'");
  EXPECT_EQ(e.column(), 6u);
}

TEST(Parser, MissingOperandAtTheEnd) {
  const ExprError e = syntax_error("x +");
  EXPECT_EQ(std::string(e.what()),
            "[expr.syntax] column 3: expected an expression after '+'\n"
            "  x +\n"
            "    ^");
  EXPECT_EQ(syntax_error("x .* ").detail(), "expected an expression after '.*'");
  EXPECT_EQ(syntax_error("x .* ").length(), 2u);
  EXPECT_EQ(syntax_error("-").detail(), "expected an expression after '-'");
  EXPECT_EQ(syntax_error("x^").detail(), "expected an expression after '^'");
  EXPECT_EQ(syntax_error("f(x,").detail(), "expected an expression after ','");
}

TEST(Parser, MissingOperandBeforeAnotherToken) {
  const ExprError e = syntax_error("x + * y");
  EXPECT_EQ(e.detail(), "expected an expression after '+', got '*'");
  EXPECT_EQ(e.excerpt(), "  x + * y\n      ^");
  EXPECT_EQ(syntax_error("* x").detail(), "expected an expression, got '*'");
  EXPECT_EQ(syntax_error("f(x, )").detail(), "expected an expression after ',', got ')'");
  EXPECT_EQ(syntax_error("(x + )").detail(), "expected an expression after '+', got ')'");
  EXPECT_EQ(syntax_error("f(, x)").detail(), "expected an expression after '(', got ','");
}

TEST(Parser, EmptyParentheses) {
  const ExprError e = syntax_error("2 * ()");
  EXPECT_EQ(e.detail(), "unexpected ')': empty parentheses");
  EXPECT_EQ(e.column(), 6u);
}

TEST(Parser, EmptyExpression) {
  const ExprError e = syntax_error("");
  EXPECT_EQ(e.detail(), "unexpected end of expression: the expression is empty");
  EXPECT_EQ(e.column(), 1u);
  EXPECT_EQ(syntax_error("   ").detail(), "unexpected end of expression: the expression is empty");
}

TEST(Parser, LexerErrorsSurfaceThroughCompile) {
  const ExprError e = test::error_of("x + $", test::reference_symbols());
  EXPECT_EQ(e.id(), "expr.syntax");
  EXPECT_EQ(std::string(e.what()),
            "[expr.syntax] column 5: unexpected character '$'\n"
            "  x + $\n"
            "      ^");
}

TEST(Parser, DeepNestingIsRefused) {
  EXPECT_DOUBLE_EQ(eval1(std::string(100, '(') + "1" + std::string(100, ')')), 1);
  EXPECT_DOUBLE_EQ(eval1(std::string(100, '-') + "1"), 1);
  const ExprError e = syntax_error(std::string(5000, '(') + "1" + std::string(5000, ')'));
  EXPECT_EQ(e.detail(), "expression nested too deeply (more than 200 levels)");
  std::string tower = "2";
  for (int i = 0; i < 1000; ++i) tower += "^2";
  EXPECT_EQ(syntax_error(tower).detail(), "expression nested too deeply (more than 200 levels)");
}

// Found by hand with a 10 MB case file: a chain of 900000 terms (x + x + ...), or a million
// transposes, parses without nesting but the compiler recursed once per operation and the stack
// overflowed (SIGSEGV). Long chains are a syntax error with a caret now.
TEST(Parser, LongChainsAreRefusedNotOverflowed) {
  std::string chain = "1";
  for (int i = 0; i < 900000; ++i) chain += "+1";
  ExprError e = syntax_error(chain);
  EXPECT_EQ(e.detail(),
            "expression too long: more than 1000 operations in a chain (split it, or use sum() and matrix products)");
  EXPECT_EQ(e.column(), 2000u);  // the 1000th '+'
  EXPECT_EQ(syntax_error("x" + std::string(1000000, '\'')).column(), 1001u);
  EXPECT_EQ(syntax_error("sum(" + chain + ")").column(), 2004u);
  // 1000 levels still compile and evaluate.
  std::string ok = "1";
  for (int i = 0; i < 999; ++i) ok += "+1";
  EXPECT_DOUBLE_EQ(eval1(ok), 1000);
  EXPECT_DOUBLE_EQ(eval1("1" + std::string(998, '\'')), 1);
}
