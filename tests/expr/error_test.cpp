// SPDX-License-Identifier: MIT
// Tests of harness/expr/error.cpp: the printable form of ExprError.
#include "gradcheck/error.hpp"

#include <gtest/gtest.h>

using gradcheck::ExprError;

TEST(ExprError, WhatHasIdColumnDetailAndCarets) {
  const ExprError e("expr.name", "unknown function 'f'", "1 + f(x)", 5, 1);
  EXPECT_EQ(std::string(e.what()), "[expr.name] column 5: unknown function 'f'\n  1 + f(x)\n      ^");
  EXPECT_EQ(e.id(), "expr.name");
  EXPECT_EQ(e.detail(), "unknown function 'f'");
  EXPECT_EQ(e.message(), "unknown function 'f'");  // the sentence alone; the column is data
  EXPECT_EQ(e.expression_column(), 5u);
}

TEST(ExprError, ExcerptUsesTheIndentAndLength) {
  const ExprError e("expr.arity", "tr expects 1 argument, got 2", "tr(A, B)", 1, 2);
  EXPECT_EQ(e.excerpt("> "), "> tr(A, B)\n> ^^");
  EXPECT_EQ(e.length(), 2u);
  EXPECT_EQ(ExprError("expr.syntax", "x", "a", 2, 0).length(), 1u);  // at least one caret
}
