// SPDX-License-Identifier: MIT
// The engine: one check of a hand-derived derivative against finite differences.
//
// Both front ends are thin layers over run_check: the case-file runner builds a Problem from
// compiled expressions, the C++ API (gradcheck.hpp) from callables.
#pragma once

#include <armadillo>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gradcheck/expression.hpp"
#include "gradcheck/form.hpp"
#include "gradcheck/index_notation.hpp"
#include "gradcheck/options.hpp"
#include "gradcheck/result.hpp"
#include "gradcheck/types.hpp"

namespace gradcheck {

// How the entries of expected E relate to the derivative of f (p = numel(f)) with respect to
// x (m x n, numel q), with J the p x q Jacobian J[a,b] = d vec(f)[a] / d vec(x)[b] (vec stacks
// columns):
//
//  f scalar, x m x n:  denominator  E is m x n, E[i,j] = df/dx[i,j]   (shaped like x)
//                      numerator    E is n x m, E[j,i] = df/dx[i,j]
//  f p-vector, x n-vector:
//                      denominator  E is n x p, E[b,a] = df[a]/dx[b]
//                      numerator    E is p x n, E[a,b] = df[a]/dx[b]  (the Jacobian)
//  form vec:           numerator    E = J (p x q);  denominator E = J'  (q x p);
//                      order row-major: vec stacks rows instead, on both sides.
//  form index:         E[letters] = df[f letters] / dx[x letters], see index_notation.hpp.
// Layout, Form, VecOrder and Structure: gradcheck/types.hpp.

// FormSpec and Audience: gradcheck/form.hpp.

// A check as the engine sees it.
struct Problem {
  std::vector<std::string> names;   // of the variables, by slot
  std::vector<Shape> shapes;        // by slot
  std::size_t wrt = 0;              // slot of the variable differentiated
  Structure structure = Structure::kNone;
  std::string f_name = "f";         // for labels: "dz(1)/dW(1,2)"
  Shape f_shape;
  FormSpec form;
  // f at `values` (values[slot] has shapes[slot]); writes into `out` (resized as needed).
  // Called many times: keep it cheap.
  std::function<void(const std::vector<arma::mat>& values, arma::mat& out)> f;
  // f at complex values, the holomorphic extension of f (comparisons and kinks decided by the real
  // part): enables the complex-step reference. Empty when f has none (C++ callables, an expression
  // with pinv); `complex_obstacle` then says why, for reports.
  std::function<void(const std::vector<arma::cx_mat>& values, arma::cx_mat& out)> f_complex;
  std::string complex_obstacle;
  // Optional: f at many points in one call (outs[k] = f(points[k])), for an f whose every call is
  // expensive on its own (a program); the finite differences then ask for several points at once.
  std::function<void(const std::vector<std::vector<arma::mat>>& points, std::vector<arma::mat>& outs)> f_batch;
  // The Jacobian J[a,b] = d vec(f)[a] / d x_b (numel(f) x numel(x)) from a formula derived
  // symbolically: enables the symbolic reference. Empty when there is none.
  std::function<arma::mat(const std::vector<arma::mat>& values)> jacobian;
  // Optional: f along single entries of values[wrt] from work done once per point (perturbation
  // propagation of a compiled expression, gradcheck/perturbed.hpp); the finite differences then
  // use it. Each call makes an independent evaluator (one per thread).
  PerturbedFactory perturbed;
  // Optional: f is a polynomial of at most this degree in values[wrt] (the others held fixed);
  // -1: not known to be. The case runner reads it from the compiled expression
  // (Expression::polynomial_degree). At degree <= 2 central differences have no truncation
  // error, and the finite differences take one step instead of two (reference.hpp). Set it for a
  // callable only when it holds: a wrong degree makes the reference's bound wrong.
  int polynomial_degree = -1;
  // f computes in double by construction (a compiled expression that is smooth: set_f sets it):
  // the noise measurement then skips its float32 line (reference/noise.cpp), 10 evaluations
  // fewer. Leave it false for a callable or a program: their arithmetic is what that line finds out.
  bool computed_in_double = false;
  // f has no kink or jump anywhere (Expression::smooth: set_f sets it): one-sided differences
  // that disagree are then never reported as a kink (nondifferentiable); the entry is only
  // undecided. Leave it false for a callable unless that holds.
  bool smooth = false;
  // The hand-derived derivative at `values`, arranged as `form` says. May throw ExprError with
  // id "expr.shape" (the derivation's own sizes do not fit): the check then fails with a
  // `shape-mismatch` diagnosis quoting it. Any other exception makes the check an error.
  std::function<arma::mat(const std::vector<arma::mat>& values)> expected;
  std::string expected_text = "(callable)";
  // False when `expected` is a fixed matrix (C++ API): hypotheses that re-evaluate it at other
  // inputs (symmetric-only) are then not tested.
  bool expected_varies = true;
  // Named sizes, so a factor can be named ("1/16 = 1/m"). Optional.
  std::map<std::string, double> dims;
  // Another point for trial `trial` (attempt 1, 2, ...), when the case lets its point move: a
  // trial whose point sits on a kink or is too ill-conditioned to decide is retried there. Empty:
  // the point is fixed (explicit values, the C++ API's x).
  std::function<std::vector<arma::mat>(int trial, int attempt)> resample;
  // Who reads the advice in diagnoses: case-file fields or C++ names.
  Audience audience = Audience::kCaseFile;

  // Second order (harness/engine/second_order.cpp). With derivative_order 2, f is scalar and the
  // check is of the Hessian block E[a,b] = d2f / d vec(x)[a] d vec(y)[b], x = names[wrt],
  // y = names[wrt2] (wrt2 == wrt: the pure Hessian), numel(x) x numel(y) in form vec (and auto)
  // with vec in form.order, or E[i,j,k,l] = d2f / dX[i,j] dY[k,l] in form index (form.indices
  // then reads "X[i,j] / Y[k,l]": see parse_hessian_indices), or, in form hvp, H V shaped like x
  // with V = values[direction]. Layout does not apply.
  int derivative_order = 1;
  std::size_t wrt2 = 0;
  std::size_t direction = 0;
  // Set only on the first-order problem that second_order.cpp derives when f has no complex
  // extension: this problem's f is then an estimate of the gradient of `gradient_of` with respect
  // to values[gradient_of_wrt], and the reference takes second differences of `gradient_of`
  // instead of differencing f (reference/second_difference.cpp).
  std::function<void(const std::vector<arma::mat>& values, arma::mat& out)> gradient_of;
  std::size_t gradient_of_wrt = 0;
};

// f from a compiled expression, everything the engine can use of it, as the case runner sets it:
// f_shape, f (evaluation), perturbed (perturbation propagation), polynomial_degree (in
// values[wrt]: set wrt first), computed_in_double, smooth, and f_complex (the complex extension), or complex_obstacle ("pinv
// has no complex extension") when it has none. The problem keeps its own copies of f.
void set_f(Problem& problem, const Expression& f);

// Runs `problem` at each point (one trial per point) and returns every figure of the report.
// Never throws on numerical trouble; throws gradcheck::Error ("check.form") when the form cannot
// apply to the shapes (a matrix-valued f with form auto), and ("check.options") when
// options.is_valid() fails (rtol = atol = 0, a step >= 1, ...); callers report both as errors.
CheckResult run_check(const Problem& problem, const std::vector<std::vector<arma::mat>>& points,
                      const Options& options);

}  // namespace gradcheck
