// SPDX-License-Identifier: MIT
// Tests of harness/expr/expression.cpp: compile once, evaluate many times, copies.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

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
  EXPECT_THROW(e.evaluate({arma::mat(2, 2)}), std::invalid_argument);                // missing slot
  EXPECT_THROW(e.evaluate({arma::mat(2, 2), arma::mat(3, 1)}), std::invalid_argument);  // wrong shape
}
