// SPDX-License-Identifier: MIT
// Second-order checks (Problem::derivative_order 2): Hessian blocks and Hessian-vector products,
// run as first-order checks of the gradient (see second_order.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gradcheck/check.hpp"

namespace gradcheck {

// The `indices` of a second-order check, "X[i,j], X[k,l]" (x, y: the two names of wrt, the same
// for a pure Hessian), as the IndexSpec of the gradient's Jacobian "X[i,j] / X[k,l]":
// E[i,j,k,l] = d2f / dX[i,j] dY[k,l] = dG[i,j] / dY[k,l] with G = df/dX. spec.text stays as
// written. Throws ExprError ("expr.syntax": no comma between the two; "expr.index": a name that is
// not the variable of wrt in that place) with a caret into `text`.
IndexSpec parse_hessian_indices(std::string_view text, const std::string& x_name, const std::string& y_name);

// The first-order problem whose Jacobian is the second-order check of `problem`: f becomes the
// gradient G = df/dx (shaped like x; exact by complex step where f has a complex extension, else an
// estimate, with `gradient_of` set so that the reference takes second differences of f), and
// differentiated with respect to y (forms vec, auto, index) or along t in x + t V at t = 0 (form
// hvp; the problem then has one more variable, the scalar t, in the last slot).
// Throws gradcheck::Error ("check.form") when the check cannot be second order (f not scalar, a
// symmetric structure, form hvp without a direction shaped like x).
Problem gradient_problem(const Problem& problem);

// Runs a second-order check: the verdict rule and diagnoses of run_check on gradient_problem,
// then what is particular to second order (the `asymmetric` diagnosis, the Taylor slope of
// order 2, labels in the Hessian's terms). Called by run_check for derivative_order 2.
CheckResult run_second_order(const Problem& problem, const std::vector<std::vector<arma::mat>>& points,
                             const Options& options);

}  // namespace gradcheck
