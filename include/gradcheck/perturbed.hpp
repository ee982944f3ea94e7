// SPDX-License-Identifier: MIT
// f along single coordinates of one variable, reusing the work done once at a base point.
//
// Finite differences evaluate f at x + delta e_b for every entry b of the wrt variable x. A
// PerturbedFunction is set once at a point (prepare) and then answers f(x + delta e_b) (at) by
// recomputing only what moving x_b changes (see harness/expr/propagate.hpp for the rules of a
// compiled expression). Its values equal a full evaluation to rounding. Not thread-safe: make one
// per thread (PerturbedFactory).
#pragma once

#include <armadillo>
#include <functional>
#include <memory>
#include <vector>

namespace gradcheck {

class PerturbedFunction {
 public:
  virtual ~PerturbedFunction() = default;
  // Sets the base point: `values` as given to f (values[slot] has the variable's shape). Throws
  // std::invalid_argument for a missing or wrongly shaped value.
  virtual void prepare(const std::vector<arma::mat>& values) = 0;
  // f at the base point with entries `first` and `second` (linear indices into the variable;
  // equal for a single entry) each moved by `delta`. Valid until the next call of at or prepare.
  virtual const arma::mat& at(arma::uword first, arma::uword second, double delta) = 0;
  // The complex step along the same coordinates: f(x + i h (e_first + e_second)) by f's
  // holomorphic extension (Expression::evaluate_complex), recomputing only what moving those
  // entries changes; nullptr when f has no complex extension (the caller then evaluates it
  // whole). Valid until the next call of at_complex or prepare. The default has none.
  virtual const arma::cx_mat* at_complex(arma::uword first, arma::uword second, double h) {
    (void)first, (void)second, (void)h;
    return nullptr;
  }
  // The floating-point operations the last call of at() took (an estimate: multiply-adds of the
  // recomputed blocks), for size limits that follow the cost of this evaluator.
  virtual double operations() const = 0;
};

// Makes an independent PerturbedFunction (its own buffers). Safe to call from one thread at a time.
using PerturbedFactory = std::function<std::unique_ptr<PerturbedFunction>()>;

}  // namespace gradcheck
