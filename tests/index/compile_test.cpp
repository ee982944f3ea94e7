// SPDX-License-Identifier: MIT
// IndexExpression::compile (harness/index/compile.cpp): every error it reports, pinned.
#include <gtest/gtest.h>

#include "gradcheck/index_notation.hpp"
#include "index/error_text.hpp"

namespace gradcheck {
namespace {

using testing::error_text;

class IndexCompileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    symbols.add_variable("A", {3, 4});
    symbols.add_variable("B", {4, 5});
    symbols.add_variable("X", {3, 3});
    symbols.add_variable("x", {4, 1});
    symbols.add_variable("v", {5, 1});
    symbols.add_variable("s", {1, 1});
    symbols.add_dim("N", 3);
  }
  // The what() of compiling `expected` against `indices`.
  std::string error(const std::string& expected, const std::string& indices, Shape f, Shape x,
                    bool explicit_sums = false) {
    return error_text(
        [&] { IndexExpression::compile(expected, IndexSpec::parse(indices), f, x, symbols, explicit_sums); });
  }
  Symbols symbols;
};

TEST_F(IndexCompileTest, LetterUsedOnceIsAnError) {
  EXPECT_EQ(error("A[i,m]*B[k,l]", "Z[i,l] / H[j,k]", {3, 5}, {3, 4}),
            "[expr.index] column 5: index 'm' appears once in this product and is not one of the indices of "
            "Z[i,l] / H[j,k]\n"
            "  A[i,m]*B[k,l]\n"
            "      ^");
  // The terms of a sum are separate products.
  EXPECT_EQ(error("x[l] + x[l]", "q / s", {1, 1}, {1, 1}),
            "[expr.index] column 3: index 'l' appears once in this product and is not one of the indices of q / s\n"
            "  x[l] + x[l]\n"
            "    ^");
}

TEST_F(IndexCompileTest, LetterUsedThreeTimesIsAnError) {
  EXPECT_EQ(error("x[l]*x[l]*x[l]", "q / s", {1, 1}, {1, 1}),
            "[expr.index] column 13: index 'l' appears 3 times in this product: Einstein's convention sums a "
            "letter written exactly twice; use sum(l, ...)\n"
            "  x[l]*x[l]*x[l]\n"
            "              ^");
}

TEST_F(IndexCompileTest, ExplicitSummationNeedsSum) {
  EXPECT_EQ(error("A[i,j]*B[j,k]", "C[i,k] / s", {3, 5}, {1, 1}, true),
            "[expr.index] column 5: index 'j' is not one of the indices of C[i,k] / s and no sum(j, ...) "
            "encloses it (summation is explicit)\n"
            "  A[i,j]*B[j,k]\n"
            "      ^");
  EXPECT_EQ(error("sum(j, A[i,j]*B[j,k])", "C[i,k] / s", {3, 5}, {1, 1}, true), "(no ExprError)");
}

TEST_F(IndexCompileTest, SummedRangeClashIsAnError) {
  EXPECT_EQ(error("A[i,j]*v[j]", "y[i] / s", {3, 1}, {1, 1}),
            "[expr.index] column 10: index 'j' ranges over 4 in A[i,j] but over 5 in v[j]\n"
            "  A[i,j]*v[j]\n"
            "           ^");
}

TEST_F(IndexCompileTest, FreeRangeClashIsAnError) {
  EXPECT_EQ(error("A[i,j]*x[j]", "y[i] / s", {4, 1}, {1, 1}),
            "[expr.index] column 3: index 'i' ranges over 4 in y[i] but over 3 in A[i,j]\n"
            "  A[i,j]*x[j]\n"
            "    ^");
}

TEST_F(IndexCompileTest, DiagonalOfUnequalRangesIsAnErrorInTheSpec) {
  EXPECT_EQ(error("x[k]", "z[i] / W[i,k]", {3, 1}, {4, 2}),
            "[expr.index] column 10: index 'i' ranges over 3 in z[i] but over 4 in W[i,k]\n"
            "  z[i] / W[i,k]\n"
            "           ^");
}

TEST_F(IndexCompileTest, SpecIndicesMustFitTheShapes) {
  EXPECT_EQ(error("1", "Z[i] / H[j,k]", {3, 4}, {3, 4}),
            "[expr.index] column 1: Z is 3x4: a matrix takes two indices, as in Z[i,j]\n"
            "  Z[i] / H[j,k]\n"
            "  ^");
  EXPECT_EQ(error("1", "q / x", {1, 1}, {4, 1}),
            "[expr.index] column 5: x is 4x1: a vector takes one index, as in x[i]\n"
            "  q / x\n"
            "      ^");
}

TEST_F(IndexCompileTest, WrongNumberOfIndicesOnAFactorIsAnError) {
  EXPECT_EQ(error("A[i]", "y[i] / s", {3, 1}, {1, 1}),
            "[expr.index] column 1: A is 3x4: a matrix takes two indices, as in A[i,j]\n"
            "  A[i]\n"
            "  ^^^^");
  EXPECT_EQ(error("2 * x", "q / s", {1, 1}, {1, 1}),
            "[expr.index] column 5: x is 4x1: a vector takes one index, as in x[i]\n"
            "  2 * x\n"
            "      ^");
  EXPECT_EQ(error("(A*B)[i]", "y[i] / s", {3, 1}, {1, 1}),
            "[expr.index] column 1: (A*B) is 3x5: a matrix takes two indices, as in (A*B)[i,j]\n"
            "  (A*B)[i]\n"
            "  ^^^^^^^^");
  EXPECT_EQ(error("A[i,j,k]", "q / s", {1, 1}, {1, 1}),
            "[expr.index] column 1: A is 3x4: it takes at most two indices\n"
            "  A[i,j,k]\n"
            "  ^^^^^^^^");
  EXPECT_EQ(error("N[i]", "y[i] / s", {3, 1}, {1, 1}),
            "[expr.index] column 1: N is a dim (a number): it takes no indices\n"
            "  N[i]\n"
            "  ^^^^");
}

TEST_F(IndexCompileTest, LetterWithoutRangeIsAnError) {
  EXPECT_EQ(error("delta(i,l)*delta(l,k)", "Z[i,k] / s", {3, 3}, {1, 1}),
            "[expr.index] column 9: index 'l' has no range: it indexes no variable or matrix expression (delta() "
            "gives none)\n"
            "  delta(i,l)*delta(l,k)\n"
            "          ^");
}

TEST_F(IndexCompileTest, UnknownNamesAreErrorsWithASuggestion) {
  EXPECT_EQ(error("Bb[i,j]", "Z[i,j] / s", {4, 5}, {1, 1}),
            "[expr.name] column 1: unknown variable or dim 'Bb'; did you mean 'B'?\n"
            "  Bb[i,j]\n"
            "  ^^");
  EXPECT_EQ(error("2 * Q", "q / s", {1, 1}, {1, 1}),
            "[expr.name] column 5: unknown variable or dim 'Q'\n"
            "  2 * Q\n"
            "      ^");
}

TEST_F(IndexCompileTest, SumBindsOnlyNewLetters) {
  EXPECT_EQ(error("sum(i, x[i])", "y[i] / s", {4, 1}, {1, 1}),
            "[expr.index] column 5: cannot sum over 'i': it is one of the indices of y[i] / s\n"
            "  sum(i, x[i])\n"
            "      ^");
  EXPECT_EQ(error("sum(l, sum(l, x[l]))", "q / s", {1, 1}, {1, 1}),
            "[expr.index] column 12: 'l' is already summed by an enclosing sum(l, ...)\n"
            "  sum(l, sum(l, x[l]))\n"
            "             ^");
}

// An error inside a matrix expression points at its place in the whole text.
TEST_F(IndexCompileTest, EmbeddedErrorsAreShiftedToTheirPlace) {
  for (const std::string group : {"inv(Q)", "(A*)", "(A*X)"}) {
    std::size_t alone = 0;
    std::string id;
    try {
      Expression::compile(group, symbols);
      FAIL() << group << " compiled";
    } catch (const ExprError& e) {
      alone = e.column();
      id = e.id();
    }
    const std::string text = "1 + 2 * " + group + "[j,i]";
    try {
      IndexExpression::compile(text, IndexSpec::parse("q / X[i,j]"), {1, 1}, {3, 3}, symbols);
      FAIL() << text << " compiled";
    } catch (const ExprError& e) {
      EXPECT_EQ(e.id(), id);
      EXPECT_EQ(e.text(), text);
      EXPECT_EQ(e.column(), 8 + alone) << e.what();
    }
  }
}

TEST_F(IndexCompileTest, EmbeddedErrorCaretIsUnderTheName) {
  try {
    IndexExpression::compile("1 + 2 * inv(Q)[j,i]", IndexSpec::parse("q / X[i,j]"), {1, 1}, {3, 3}, symbols);
    FAIL() << "compiled";
  } catch (const ExprError& e) {
    EXPECT_EQ(e.id(), "expr.name");
    EXPECT_EQ(e.excerpt(), "  1 + 2 * inv(Q)[j,i]\n              ^");
  }
}

TEST_F(IndexCompileTest, EmbeddedScalarNeedsNoIndex) {
  EXPECT_EQ(error("tr(X) * x[k]", "y[k] / s", {4, 1}, {1, 1}), "(no ExprError)");
  // Without brackets, a parenthesised group is index notation, where a matrix needs its indices.
  EXPECT_EQ(error("(A*B)", "q / s", {1, 1}, {1, 1}),
            "[expr.index] column 2: A is 3x4: a matrix takes two indices, as in A[i,j]\n"
            "  (A*B)\n"
            "   ^");
}

TEST_F(IndexCompileTest, FreeLettersNeedNotAppear) {
  IndexExpression e = IndexExpression::compile("1", IndexSpec::parse("q / X[i,j]"), {1, 1}, {3, 3}, symbols);
  std::vector<arma::mat> values = {arma::mat(3, 4), arma::mat(4, 5), arma::mat(3, 3),
                                   arma::mat(4, 1), arma::mat(5, 1), arma::mat(1, 1)};
  EXPECT_TRUE(arma::all(e.evaluate(values) == 1));
  EXPECT_EQ(e.evaluate(values).n_elem, 9u);
}

TEST_F(IndexCompileTest, ValuesOfTheWrongShapeAreRejected) {
  IndexExpression e = IndexExpression::compile("x[k]", IndexSpec::parse("y[k] / s"), {4, 1}, {1, 1}, symbols);
  std::vector<arma::mat> values = {arma::mat(3, 4), arma::mat(4, 5), arma::mat(3, 3),
                                   arma::mat(3, 1), arma::mat(5, 1), arma::mat(1, 1)};
  EXPECT_THROW(e.evaluate(values), std::invalid_argument);
  values.pop_back();
  EXPECT_THROW(e.evaluate(values), std::invalid_argument);
}

// Found by reading the evaluator after fuzzing: nested sums multiply. Three sums over 300 inside
// 90000 free entries are about 2e13 operations per evaluation (days), from a 60-character text.
TEST_F(IndexCompileTest, ExpensiveSumsAreRefused) {
  symbols.add_variable("P", {300, 300});  // declared only: nothing of this size is allocated
  const std::string text = "sum(c, sum(d, sum(e, P[a,c]*P[c,d]*P[d,e]*P[e,b])))";
  const std::string e = error(text, "q / P[a,b]", {1, 1}, {300, 300}, true);
  EXPECT_EQ(e.substr(0, e.find('\n')),
            "[expr.value] column 1: this would take about 1.9e+13 operations per evaluation (90000 entries of about "
            "2.2e+08 operations each), more than 1e+10 (use smaller sizes)");
  // One sum is fine.
  EXPECT_EQ(error("sum(c, P[a,c]*P[c,b])", "q / P[a,b]", {1, 1}, {300, 300}, true), "(no ExprError)");
}

}  // namespace
}  // namespace gradcheck
