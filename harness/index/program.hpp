// SPDX-License-Identifier: MIT
// The compiled form of an index-notation expression (private to harness/index).
//
// Every letter of the expression has become a *binding*: bindings 0..n-1 are the free letters
// (spec.free_letters, in that order); each summation, implicit (Einstein) or sum(l, ...), has one
// binding of its own, so that `l` summed in two terms may range differently in each. A binding
// has a range and, while evaluating, a current value. Factors read their tensor at the current
// values of their bindings.
#pragma once

#include <armadillo>
#include <cstddef>
#include <string>
#include <vector>

#include "gradcheck/expression.hpp"
#include "index/ast.hpp"

namespace gradcheck::detail {

struct IndexProgram {
  struct Op {
    enum Kind : unsigned char { Const, Tensor, Delta, Neg, Add, Sub, Mul, Div, Pow, Func, Sum };
    Kind kind = Const;
    index::Fn fn = nullptr;         // Func
    int a = -1, b = -1;             // operands (indices into ops)
    int tensor = -1;                // Tensor: index into tensors
    int nidx = 0;                   // Tensor: 0 (a 1x1), 1 (linear, a vector) or 2 (row, column)
    int idx[2] = {-1, -1};          // Tensor, Delta: bindings
    int binding = -1;               // Sum: the binding it runs over
    double value = 0;               // Const
  };

  std::vector<Op> ops;
  int root = -1;

  std::vector<Expression> embedded;         // the matrix expressions indexed in the text
  std::size_t variable_count = 0;           // tensors [0, variable_count) are variables, by slot
  std::vector<std::size_t> slots_used;      // variables read directly, with their declared shapes:
  std::vector<Shape> slot_shapes;           //   evaluate() checks the values it is given
  std::vector<const arma::mat*> tensors;    // set at each evaluate(): variables, then embedded results
  std::vector<const arma::cx_mat*> cx_tensors;  // the same for evaluate_complex()

  std::vector<arma::uword> range;   // per binding
  std::vector<arma::uword> at;      // per binding: its current value while evaluating

  std::vector<std::string> free_letters;
  std::vector<arma::uword> free_ranges;
  arma::vec result;  // numel = product of free_ranges
  arma::cx_vec cx_result;  // sized by the first evaluate_complex()
  std::string complex_obstacle;  // the first function without a complex extension, or ""

  // The value of op at the current bindings, reading `tensors` (double) or `cx_tensors`.
  template <class T>
  T eval(int op);
  const arma::vec& evaluate(const std::vector<arma::mat>& values);
  const arma::cx_vec& evaluate_complex(const std::vector<arma::cx_mat>& values);
};

}  // namespace gradcheck::detail
