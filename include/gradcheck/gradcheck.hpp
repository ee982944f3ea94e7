// SPDX-License-Identifier: MIT
// gradcheck's C++ API: check hand-written derivatives from your own code and tests.
//
//   double loss(const arma::mat& W);            // your function
//   arma::mat loss_grad(const arma::mat& W);    // your hand-derived gradient
//   auto r = gradcheck::check_gradient(loss, W, loss_grad(W));
//   if (r.status != gradcheck::Status::kPass) std::cout << gradcheck::describe(r);
//
// GoogleTest assertions over these functions: gradcheck/gtest.hpp.
//
// Every function here builds a Problem and calls run_check, the same engine the command line
// uses (check.hpp); results carry every figure of the JSON report.
#pragma once

#include <armadillo>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gradcheck/check.hpp"
#include "gradcheck/options.hpp"
#include "gradcheck/result.hpp"

namespace gradcheck {

using ScalarFunction = std::function<double(const arma::mat&)>;
using MatrixFunction = std::function<arma::mat(const arma::mat&)>;

// Options of the C++ API: the engine's Options plus names for the report.
struct ApiOptions : Options {
  ApiOptions() { trials = 1; }
  // From the engine's options as they are (trials included).
  ApiOptions(const Options& options) : Options(options) {}  // NOLINT: implicit on purpose
  std::string name = "x";   // the variable's name in reports: "W(2,3)"
  std::string f_name = "f";
  // Named sizes, so that a stray factor is named in the diagnosis: with {{"m", 8}} a gradient
  // 8 times too large reads "8 = m", one 8 times too small "1/8 = 1/m".
  std::map<std::string, double> dims;
  Structure structure = Structure::kNone;
  // With a callable derivative and trials > 1, the extra points are the given x plus
  // perturbation_scale * max(1, |x_ij|) * N(0,1) per entry (seeded by `seed`): near the point
  // you chose, so domain restrictions (log x, x > 0) usually still hold.
  double perturbation_scale = 0.1;
};

// Scalar f of a matrix x; `gradient` in `layout` (denominator: shaped like x).
CheckResult check_gradient(const ScalarFunction& f, const arma::mat& x, const arma::mat& gradient,
                           Layout layout = Layout::kDenominator, const ApiOptions& options = {});
// The same with the gradient as a function of x (tried at options.trials points).
CheckResult check_gradient(const ScalarFunction& f, const arma::mat& x, const MatrixFunction& gradient,
                           Layout layout = Layout::kDenominator, const ApiOptions& options = {});

// Matrix-valued f of a matrix x against d vec(f) / d vec(x) (numerator layout: numel(f) x numel(x);
// denominator: its transpose), vec stacking columns or, with row-major, rows.
CheckResult check_jacobian(const MatrixFunction& f, const arma::mat& x, const arma::mat& jacobian,
                           Layout layout = Layout::kNumerator, VecOrder order = VecOrder::kColumnMajor,
                           const ApiOptions& options = {});
CheckResult check_jacobian(const MatrixFunction& f, const arma::mat& x, const MatrixFunction& jacobian,
                           Layout layout = Layout::kNumerator, VecOrder order = VecOrder::kColumnMajor,
                           const ApiOptions& options = {});

// Several inputs at once (a layer with W, b and X): f of all inputs, one gradient per input.
struct Input {
  std::string name;
  arma::mat value;
  Structure structure = Structure::kNone;
};
using MultiScalarFunction = std::function<double(const std::vector<arma::mat>&)>;
// Returns one CheckResult per input, in order. Of the options' names only f_name and dims apply
// (each input carries its own name and structure); the check is made at the inputs as given.
std::vector<CheckResult> check_gradients(const MultiScalarFunction& f, const std::vector<Input>& inputs,
                                         const std::vector<arma::mat>& gradients, Layout layout = Layout::kDenominator,
                                         const ApiOptions& options = {});
// Gradients as functions of all inputs: diagnoses that re-evaluate them at other inputs
// (symmetric-only) become possible.
using MultiGradient = std::function<arma::mat(const std::vector<arma::mat>&)>;
std::vector<CheckResult> check_gradients(const MultiScalarFunction& f, const std::vector<Input>& inputs,
                                         const std::vector<MultiGradient>& gradients,
                                         Layout layout = Layout::kDenominator, const ApiOptions& options = {},
                                         bool gradients_vary = true);

// The text report of one check: its line, the worst entries and the diagnoses.
std::string describe(const CheckResult& check, const std::string& case_name = "");

}  // namespace gradcheck
