// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "gradcheck/expression.hpp"

using namespace gradcheck;

TEST(Expression, Smoke) {
  Symbols s;
  s.add_variable("x", Shape{2, 1});
  Expression e = Expression::compile("sum(x .^ 2)", s);
  EXPECT_DOUBLE_EQ(e.evaluate({arma::mat("1; 2")})(0, 0), 5.0);
}
