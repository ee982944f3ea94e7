// SPDX-License-Identifier: MIT
// The parser of index notation (harness/index/parser.cpp): tree shapes and syntax errors.
#include <gtest/gtest.h>

#include "index/ast.hpp"
#include "index/error_text.hpp"

namespace gradcheck::index {
namespace {

using gradcheck::testing::error_text;

// The tree in prefix form, for compact assertions: Mul(Indexed A[i,j], Indexed x[j]).
std::string show(const Tree& t, int n) {
  const Node& nd = t.nodes[static_cast<std::size_t>(n)];
  static const char* kinds[] = {"Number", "Name", "Indexed", "Embedded", "Delta", "Neg", "Add",
                                "Sub",    "Mul",  "Div",     "Pow",      "Func",  "Group", "Sum"};
  std::string s = kinds[nd.kind];
  if (nd.kind == Node::Number) s += " " + std::to_string(nd.value).substr(0, 6);
  if (!nd.name.empty()) s += " " + nd.name;
  if (!nd.letters.empty()) {
    s += "[";
    for (std::size_t k = 0; k < nd.letters.size(); ++k) s += (k ? "," : "") + nd.letters[k].letter;
    s += "]";
  }
  if (!nd.kids.empty()) {
    s += "(";
    for (std::size_t k = 0; k < nd.kids.size(); ++k) s += (k ? ", " : "") + show(t, nd.kids[k]);
    s += ")";
  }
  return s;
}
std::string show(std::string_view text) {
  const Tree t = parse(text);
  return show(t, t.root);
}

TEST(IndexParser, ProductsOfIndexedFactors) {
  EXPECT_EQ(show("A[i,j] * x[j]"), "Mul(Indexed A[i,j], Indexed x[j])");
  EXPECT_EQ(show("delta(i,k)*a[j]"), "Mul(Delta delta[i,k], Indexed a[j])");
}

TEST(IndexParser, Precedence) {
  EXPECT_EQ(show("a[i] + b[i] * c[i]"), "Add(Indexed a[i], Mul(Indexed b[i], Indexed c[i]))");
  EXPECT_EQ(show("-x[i]^2"), "Neg(Pow(Indexed x[i], Number 2.0000))");
  EXPECT_EQ(show("2^3^2"), "Pow(Number 2.0000, Pow(Number 3.0000, Number 2.0000))");
  EXPECT_EQ(show("a - b - c"), "Sub(Sub(Name a, Name b), Name c)");
  EXPECT_EQ(show("x[i] / N"), "Div(Indexed x[i], Name N)");
  EXPECT_EQ(show("x[k]^-1"), "Pow(Indexed x[k], Neg(Number 1.0000))");
}

TEST(IndexParser, Numbers) {
  EXPECT_EQ(show("1.5e-3"), "Number 0.0015");
  EXPECT_EQ(show(".5"), "Number 0.5000");
  EXPECT_EQ(show("2E2"), "Number 200.00");
}

TEST(IndexParser, GroupsFollowedByABracketAreMatrixExpressions) {
  EXPECT_EQ(show("(A*H)[i,k]"), "Embedded (A*H)[i,k]");
  EXPECT_EQ(show("inv(X)[j,i]"), "Embedded inv(X)[j,i]");
  EXPECT_EQ(show("(W') [k,i]"), "Embedded (W')[k,i]");
  EXPECT_EQ(show("kron(W',A)[a,b]"), "Embedded kron(W',A)[a,b]");
  EXPECT_EQ(show("exp(A)[i,j]"), "Embedded exp(A)[i,j]");
  EXPECT_EQ(show("-(A .* B)[i,j]"), "Neg(Embedded (A .* B)[i,j])");
}

TEST(IndexParser, OtherGroupsAreIndexNotation) {
  EXPECT_EQ(show("(a[k] + b[k]) * c[k]"), "Mul(Group(Add(Indexed a[k], Indexed b[k])), Indexed c[k])");
  EXPECT_EQ(show("exp(x[k])"), "Func exp(Indexed x[k])");
  EXPECT_EQ(show("sum(l, A[i,l]*B[l,k])"), "Sum sum[l](Mul(Indexed A[i,l], Indexed B[l,k]))");
}

TEST(IndexParser, CallsOfMatrixFunctionsAreOneByOneMatrixExpressions) {
  EXPECT_EQ(show("tr(A) * x[i]"), "Mul(Embedded tr(A), Indexed x[i])");
  EXPECT_EQ(show("sum(A)"), "Embedded sum(A)");
  EXPECT_EQ(show("sum(x'*y)"), "Embedded sum(x'*y)");
}

TEST(IndexParser, SpansPointIntoTheText) {
  const Tree t = parse("2 * inv(X)[j,i]");
  const Node& e = t.nodes[static_cast<std::size_t>(t.nodes[static_cast<std::size_t>(t.root)].kids[1])];
  EXPECT_EQ(e.pos, 4u);
  EXPECT_EQ(e.name_end, 10u);
  EXPECT_EQ(e.end, 15u);
  EXPECT_EQ(e.letters[1].pos, 13u);
}

TEST(IndexParser, EmptyIsAnError) {
  EXPECT_EQ(error_text([] { parse(" "); }), "[expr.syntax] column 1: the expression is empty\n   \n  ^");
}

TEST(IndexParser, UnbalancedParenthesesAreErrors) {
  EXPECT_EQ(error_text([] { parse("2 * (a[i] + 1"); }),
            "[expr.syntax] column 5: '(' is never closed\n"
            "  2 * (a[i] + 1\n"
            "      ^");
  EXPECT_EQ(error_text([] { parse("a[i] + 1)"); }),
            "[expr.syntax] column 9: ')' without a matching '('\n"
            "  a[i] + 1)\n"
            "          ^");
  EXPECT_EQ(error_text([] { parse("A[i,j"); }),
            "[expr.syntax] column 2: '[' is never closed\n"
            "  A[i,j\n"
            "   ^");
}

TEST(IndexParser, MatrixOperatorsOutsideAGroupPointToGroups) {
  EXPECT_EQ(error_text([] { parse("W'[k,i]"); }),
            "[expr.syntax] column 2: unexpected ''': transposes and elementwise operators belong to matrix "
            "expressions; index one, as in (W')[k,i]\n"
            "  W'[k,i]\n"
            "   ^");
}

TEST(IndexParser, BadLettersAndArgumentsAreErrors) {
  EXPECT_EQ(error_text([] { parse("A[i,J]"); }),
            "[expr.syntax] column 5: expected an index letter (a lowercase name such as i) but found 'J'\n"
            "  A[i,J]\n"
            "      ^");
  EXPECT_EQ(error_text([] { parse("delta(i)"); }),
            "[expr.syntax] column 8: expected ',' (delta takes two index letters, delta(i,k)) but found ')'\n"
            "  delta(i)\n"
            "         ^");
  EXPECT_EQ(error_text([] { parse("exp(a[i], 2)"); }),
            "[expr.arity] column 9: exp takes one argument; to apply it to a matrix expression, index the result, "
            "as in exp(A)[i,j]\n"
            "  exp(a[i], 2)\n"
            "          ^");
  EXPECT_EQ(error_text([] { parse("a[i] *"); }),
            "[expr.syntax] column 7: expected a term but found the end\n"
            "  a[i] *\n"
            "        ^");
  EXPECT_EQ(error_text([] { parse("a[i] b[i]"); }),
            "[expr.syntax] column 6: unexpected 'b'\n"
            "  a[i] b[i]\n"
            "       ^");
}

// Found by hand with a case file: "expected" of 100000 nested parentheses, or a chain of 200000
// terms, overflowed the stack of the index parser (no nesting limit) or of the compiler (SIGSEGV).
TEST(IndexParser, DeepNestingAndLongChainsAreErrors) {
  const auto first_line = [](const std::string& text) { return text.substr(0, text.find('\n')); };
  const std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
  EXPECT_EQ(first_line(error_text([&] { parse(deep); })),
            "[expr.syntax] column 201: expression nested too deeply (more than 200 levels)");
  EXPECT_EQ(first_line(error_text([] { parse(std::string(100000, '-') + "x[i]"); })),
            "[expr.syntax] column 201: expression nested too deeply (more than 200 levels)");
  std::string chain = "delta(i,i)";
  for (int i = 0; i < 200000; ++i) chain += "+delta(i,i)";
  EXPECT_EQ(first_line(error_text([&] { parse(chain); })),  // at the 1000th '+'
            "[expr.syntax] column 11000: expression too long: more than 1000 operations in a chain (split it, or use "
            "sum())");
  // 200 levels and 999 operations are fine.
  EXPECT_NO_THROW(parse(std::string(199, '(') + "1" + std::string(199, ')')));
  std::string ok = "1";
  for (int i = 0; i < 999; ++i) ok += "+1";
  EXPECT_NO_THROW(parse(ok));
}

}  // namespace
}  // namespace gradcheck::index
