// SPDX-License-Identifier: MIT
// Helpers shared by the tests of harness/expr.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "gradcheck/expression.hpp"

namespace gradcheck::test {

using Vars = std::vector<std::pair<std::string, arma::mat>>;
using Dims = std::vector<std::pair<std::string, double>>;

inline Symbols symbols_for(const Vars& vars, const Dims& dims = {}) {
  Symbols s;
  for (const auto& [name, value] : vars) s.add_variable(name, Shape{value.n_rows, value.n_cols});
  for (const auto& [name, value] : dims) s.add_dim(name, value);
  return s;
}

// Compiles `text` over the given variables and dims and evaluates it once at their values.
inline arma::mat eval(const std::string& text, const Vars& vars = {}, const Dims& dims = {}) {
  Expression e = Expression::compile(text, symbols_for(vars, dims));
  std::vector<arma::mat> values;
  for (const auto& v : vars) values.push_back(v.second);
  arma::mat out = e.evaluate(values);
  EXPECT_EQ(out.n_rows, e.shape().rows) << text;
  EXPECT_EQ(out.n_cols, e.shape().cols) << text;
  return out;
}

// The scalar value of a 1x1 expression.
inline double eval1(const std::string& text, const Vars& vars = {}, const Dims& dims = {}) {
  const arma::mat m = eval(text, vars, dims);
  EXPECT_EQ(m.n_elem, 1u) << text;
  return m.n_elem ? m[0] : 0.0;
}

// The shape inferred for `text`.
inline Shape shape_of(const std::string& text, const Symbols& s) { return Expression::compile(text, s).shape(); }

// The ExprError that compiling `text` throws (a default one with id "none" if it compiles).
inline ExprError error_of(const std::string& text, const Symbols& s) {
  try {
    Expression::compile(text, s);
  } catch (const ExprError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an ExprError from: " << text;
  return ExprError("none", "", text, 1);
}

// Symbols used across the error tests: the shapes of the examples in the language reference.
inline Symbols reference_symbols() {
  Symbols s;
  s.add_variable("A", Shape{4, 3});
  s.add_variable("B", Shape{3, 4});
  s.add_variable("H", Shape{4, 5});
  s.add_variable("S", Shape{3, 3});
  s.add_variable("wa", Shape{4, 1});
  s.add_variable("wb", Shape{4, 1});
  s.add_variable("q", Shape{3, 1});
  s.add_variable("r", Shape{1, 3});
  s.add_variable("X", Shape{3, 4});
  s.add_variable("t", Shape{1, 1});
  s.add_dim("m", 4);
  s.add_dim("n", 3);
  s.add_dim("half", 0.5);
  return s;
}

// Expects matrices equal entry by entry within tol.
inline void expect_near(const arma::mat& got, const arma::mat& want, double tol, const std::string& what) {
  ASSERT_EQ(got.n_rows, want.n_rows) << what;
  ASSERT_EQ(got.n_cols, want.n_cols) << what;
  for (arma::uword i = 0; i < got.n_elem; ++i) EXPECT_NEAR(got[i], want[i], tol) << what << " entry " << i;
}

}  // namespace gradcheck::test
