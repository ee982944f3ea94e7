// SPDX-License-Identifier: MIT
// Tests of harness/expr/compiler.cpp: name resolution, arity, the inner-size error, size and
// dimension arguments, constant folding.
#include "expr/compiler.hpp"

#include <gtest/gtest.h>

#include "expr/parser.hpp"
#include "expr_test_util.hpp"

using namespace gradcheck;
using test::error_of;
using test::reference_symbols;

namespace {

// The program compiled for `text` (before dead steps are dropped).
detail::Program program_of(const std::string& text, const Symbols& s) {
  detail::Program p;
  p.text = text;
  expr::Compiler(p.text, s, p).compile(expr::parse(text));
  return p;
}

}  // namespace

TEST(Compiler, InnerSizeErrorPointsAtTheSecondProduct) {
  const ExprError e = error_of("wa' * A * wb", reference_symbols());
  EXPECT_EQ(e.id(), "expr.shape");
  EXPECT_EQ(e.detail(), "cannot multiply wa' * A (1x3) by wb (4x1): inner sizes 3 and 4");
  EXPECT_EQ(e.column(), 9u);  // the second *
  EXPECT_EQ(std::string(e.what()),
            "[expr.shape] column 9: cannot multiply wa' * A (1x3) by wb (4x1): inner sizes 3 and 4\n"
            "  wa' * A * wb\n"
            "          ^");
}

TEST(Compiler, LongOperandsAreDescribedByShapeAlone) {
  const ExprError e = error_of("(wa + wa + wa + wa + wa + wa + wa) * A", reference_symbols());
  EXPECT_EQ(e.detail(), "cannot multiply 4x1 by A (4x3): inner sizes 1 and 4");
}

TEST(Compiler, UnknownNameSuggestsACloseOne) {
  const ExprError e = error_of("2 * Q + 1", reference_symbols());
  EXPECT_EQ(e.id(), "expr.name");
  EXPECT_EQ(std::string(e.what()),
            "[expr.name] column 5: unknown variable or dim 'Q'; did you mean 'q'?\n"
            "  2 * Q + 1\n"
            "      ^");
  EXPECT_EQ(error_of("wc", reference_symbols()).detail(), "unknown variable or dim 'wc'; did you mean 'wa'?");
  EXPECT_EQ(error_of("hlaf", reference_symbols()).detail(), "unknown variable or dim 'hlaf'; did you mean 'half'?");
}

TEST(Compiler, UnknownNameWithoutACloseOne) {
  const ExprError e = error_of("zeta + 1", reference_symbols());
  EXPECT_EQ(e.detail(), "unknown variable or dim 'zeta'");
  EXPECT_EQ(e.column(), 1u);
  EXPECT_EQ(e.length(), 4u);
  EXPECT_EQ(error_of("y", reference_symbols()).detail(), "unknown variable or dim 'y'");
}

TEST(Compiler, UnknownFunction) {
  const ExprError e = error_of("1 + trace2(S)", reference_symbols());
  EXPECT_EQ(e.id(), "expr.name");
  EXPECT_EQ(std::string(e.what()),
            "[expr.name] column 5: unknown function 'trace2'\n"
            "  1 + trace2(S)\n"
            "      ^^^^^^");
}

TEST(Compiler, VariablesCannotBeCalled) {
  const ExprError e = error_of("q(1)", reference_symbols());
  EXPECT_EQ(e.id(), "expr.syntax");
  EXPECT_EQ(e.detail(), "'q' is not a function: indexing with ( ) is not supported");
}

TEST(Compiler, FunctionsNeedParentheses) {
  const ExprError e = error_of("tr + 1", reference_symbols());
  EXPECT_EQ(e.id(), "expr.syntax");
  EXPECT_EQ(e.detail(), "function 'tr' needs its arguments in parentheses: tr(...)");
}

TEST(Compiler, WrongArity) {
  const ExprError e = error_of("tr(S, S)", reference_symbols());
  EXPECT_EQ(e.id(), "expr.arity");
  EXPECT_EQ(std::string(e.what()),
            "[expr.arity] column 1: tr expects 1 argument, got 2\n"
            "  tr(S, S)\n"
            "  ^^");
  EXPECT_EQ(error_of("sum()", reference_symbols()).detail(), "sum expects 1 or 2 arguments, got 0");
  EXPECT_EQ(error_of("kron(S)", reference_symbols()).detail(), "kron expects 2 arguments, got 1");
  EXPECT_EQ(error_of("reshape(S, 9)", reference_symbols()).detail(), "reshape expects 3 arguments, got 2");
}

TEST(Compiler, ArityIsCheckedBeforeTheArguments) {
  EXPECT_EQ(error_of("det(Q, 1)", reference_symbols()).id(), "expr.arity");
}

TEST(Compiler, DimsAreScalarsAndSizes) {
  const Symbols s = reference_symbols();
  EXPECT_EQ(test::shape_of("m", s), (Shape{1, 1}));
  EXPECT_EQ(test::shape_of("ones(m, n)", s), (Shape{4, 3}));
  EXPECT_EQ(test::shape_of("ones(n + 1, 1)", s), (Shape{4, 1}));
  EXPECT_EQ(test::shape_of("eye(m * 2 - n)", s), (Shape{5, 5}));
  EXPECT_EQ(test::shape_of("zeros(numel(A), rows(q))", s), (Shape{12, 3}));
  EXPECT_DOUBLE_EQ(test::eval1("m * n + half", {}, {{"m", 4}, {"n", 3}, {"half", 0.5}}), 12.5);
}

TEST(Compiler, InfIsInfinityUnlessDeclared) {
  EXPECT_EQ(test::eval1("-inf"), -std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(test::eval1("inf", {}, {{"inf", 3}}), 3);
}

TEST(Compiler, SizeArgumentMustNotDependOnAVariable) {
  const ExprError e = error_of("ones(2 * t, 1)", reference_symbols());
  EXPECT_EQ(e.id(), "expr.value");
  EXPECT_EQ(std::string(e.what()),
            "[expr.value] column 6: size argument of ones must be a constant made of numbers and dims, but it "
            "depends on variable 't'\n"
            "  ones(2 * t, 1)\n"
            "       ^^^^^");
}

TEST(Compiler, SizeArgumentMustBeAPositiveInteger) {
  const Symbols s = reference_symbols();
  ExprError e = error_of("zeros(m, half)", s);
  EXPECT_EQ(e.id(), "expr.value");
  EXPECT_EQ(e.detail(), "size argument of zeros must be a positive integer, got 0.5");
  EXPECT_EQ(e.column(), 10u);
  EXPECT_EQ(e.length(), 4u);
  EXPECT_EQ(error_of("eye(n - 3)", s).detail(), "size argument of eye must be a positive integer, got 0");
  EXPECT_EQ(error_of("eye(-1)", s).detail(), "size argument of eye must be a positive integer, got -1");
  EXPECT_EQ(error_of("ones(ones(2))", s).detail(), "size argument of ones must be a single number, got ones(2) (2x2)");
  EXPECT_EQ(error_of("repmat(q, 1, 1.5)", s).detail(), "size argument of repmat must be a positive integer, got 1.5");
}

// Found by fuzzing (tests/fuzz): eye(86.^n) asked for a 636056x636056 matrix at compile time and
// died in the allocator; a huge size must be an expr.value error, before anything is allocated.
TEST(Compiler, HugeValuesAreRefusedBeforeTheyAreAllocated) {
  Symbols s = reference_symbols();
  s.add_variable("v", Shape{5000, 1});  // declared only: nothing of this size is allocated
  ExprError e = error_of("eye(86.^n)", s);
  EXPECT_EQ(e.id(), "expr.value");
  EXPECT_EQ(std::string(e.what()),
            "[expr.value] column 1: eye(86.^n) would be 636056x636056, more than 10000000 entries: an expression's "
            "values are limited to that many (use smaller sizes)\n"
            "  eye(86.^n)\n"
            "  ^^^^^^^^^^");
  EXPECT_EQ(error_of("ones(100000, 100000)", s).id(), "expr.value");
  EXPECT_EQ(error_of("2 * zeros(1e9)", s).column(), 5u);
  // Sizes that overflow 64 bits when multiplied, and values that are not constants.
  EXPECT_EQ(error_of("repmat(repmat(ones(1000), 1e9, 1e9), 1e9, 1e9)", s).id(), "expr.value");
  e = error_of("sum(sum(v * v'))", s);
  EXPECT_EQ(e.id(), "expr.value");
  EXPECT_EQ(e.detail(), "v * v' would be 5000x5000, more than 10000000 entries: an expression's values are limited "
                        "to that many (use smaller sizes)");
  EXPECT_EQ(e.column(), 9u);
  EXPECT_EQ(error_of("kron(wa, ones(1, 3000000))", s).id(), "expr.value");
  EXPECT_EQ(error_of("diag(repmat(v, 1000, 1))", s).id(), "expr.value");
  // Up to the limit is fine.
  EXPECT_EQ(test::shape_of("ones(1000, 10000)", s), (Shape{1000, 10000}));
  EXPECT_EQ(test::shape_of("v * ones(1, 2000)", s), (Shape{5000, 2000}));
}

// Issue 12: each value may be under the limit of one value while the program together holds
// gigabytes: eye(k*790) beside a variable is not folded and every "- s" keeps a 3160x3160 buffer
// (80 MB). The whole program has a budget (CompileOptions::max_bytes), counted before anything
// is allocated; the caret is under the sub-expression where the total crosses it.
namespace {
std::string minus_s(int terms) {
  std::string t = "sum(eye(k*790)";
  for (int i = 0; i < terms; ++i) t += " - s";
  return t + ")";
}
}  // namespace

TEST(Compiler, TheWholeProgramHasAMemoryBudget) {
  Symbols s;
  s.add_variable("s", Shape{1, 1});
  s.add_dim("k", 4);
  for (int terms : {20, 300}) {
    const ExprError e = error_of(minus_s(terms), s);
    EXPECT_EQ(e.id(), "expr.value");
    // 3160 x 3160 x 72 B = 719 MB a value: the third (eye and two differences) crosses 2 GB.
    EXPECT_EQ(e.detail(),
              "this expression would hold 2.2 GB of values here (limit 2.0 GB): 3 values, each counted 72 bytes an "
              "entry for the evaluators' copies; the largest is eye(k*790) (3160x3160, 719 MB)")
        << terms;
    EXPECT_EQ(e.column(), 5u);  // under eye(k*790) - s - s
    EXPECT_EQ(e.length(), std::string("eye(k*790) - s - s").size());
  }
  // One difference fits; the budget is an option: a larger one lets more through, a smaller one
  // refuses sooner.
  EXPECT_EQ(test::shape_of(minus_s(1), s), (Shape{1, 1}));
  EXPECT_EQ(Expression::compile("sum(ones(100, 100) - s - s)", s, CompileOptions{3e6}).shape(), (Shape{1, 1}));
  try {
    Expression::compile("sum(ones(100, 100) - s - s)", s, CompileOptions{1e6});
    ADD_FAILURE() << "expected the budget of 1 MB to refuse ones(100, 100) - s";
  } catch (const ExprError& e) {
    EXPECT_EQ(e.detail(), "this expression would hold 1.4 MB of values here (limit 1.0 MB): 2 values, each counted 72 "
                          "bytes an entry for the evaluators' copies; the largest is ones(100, 100) (100x100, 720 kB)");
    EXPECT_EQ(e.column(), 5u);
    EXPECT_EQ(e.length(), std::string("ones(100, 100) - s").size());
  }
  // Constants folded together hold one value, however many there are.
  EXPECT_EQ(test::shape_of("sum(sum(eye(3000) + eye(3000) + eye(3000) + eye(3000) + eye(3000) + eye(3000)))", s),
            (Shape{1, 1}));
}

TEST(Compiler, DimensionArgumentMustBeOneOrTwo) {
  const Symbols s = reference_symbols();
  ExprError e = error_of("sum(A, 3)", s);
  EXPECT_EQ(e.id(), "expr.value");
  EXPECT_EQ(e.detail(), "dimension argument of sum must be 1 (columns) or 2 (rows), got 3");
  EXPECT_EQ(e.column(), 8u);
  EXPECT_EQ(error_of("mean(A, t)", s).detail(),
            "dimension argument of mean must be 1 (columns) or 2 (rows), but it depends on variable 't'");
  EXPECT_EQ(test::shape_of("sum(A, n - 1)", s), (Shape{4, 1}));  // a constant expression is fine
}

TEST(Compiler, ConstantsAreFoldedIntoOneStep) {
  const Symbols s = reference_symbols();
  const detail::Program p = program_of("2^3^2 + m * eye(2)", s);
  ASSERT_EQ(p.steps.size(), 1u);
  EXPECT_TRUE(p.steps[0].is_constant());
  EXPECT_DOUBLE_EQ(p.steps[0].out(0, 0), 516);
  EXPECT_DOUBLE_EQ(p.steps[0].out(0, 1), 512);
}

TEST(Compiler, VariablesAreNotFolded) {
  const detail::Program p = program_of("t * (1 + 2)", reference_symbols());
  ASSERT_EQ(p.steps.size(), 3u);  // t, the folded 3, the product
  EXPECT_TRUE(p.steps[0].is_variable());
  EXPECT_TRUE(p.steps[1].is_constant());
  EXPECT_DOUBLE_EQ(p.steps[1].out[0], 3);
  EXPECT_FALSE(p.steps[2].is_constant());
  EXPECT_EQ(p.steps[2].shape, (Shape{1, 1}));
}

TEST(Compiler, ShapeQueriesDoNotReadTheirArgument) {
  const Expression e = Expression::compile("numel(A) + rows(A) * cols(A)", reference_symbols());
  EXPECT_TRUE(e.variables_used().empty());
}

TEST(Compiler, BuffersArePreallocatedWithTheInferredShapes) {
  const detail::Program p = program_of("A * B + 1", reference_symbols());
  for (const auto& s : p.steps) {
    if (s.is_variable()) continue;
    EXPECT_EQ(s.out.n_rows, s.shape.rows);
    EXPECT_EQ(s.out.n_cols, s.shape.cols);
  }
  EXPECT_EQ(p.steps.back().shape, (Shape{4, 4}));
}

TEST(Compiler, FormatNumber) {
  EXPECT_EQ(expr::format_number(3), "3");
  EXPECT_EQ(expr::format_number(0.5), "0.5");
  EXPECT_EQ(expr::format_number(-1e-8), "-1e-08");
}
