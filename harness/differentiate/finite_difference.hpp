// SPDX-License-Identifier: MIT
// Finite differences: the numeric Jacobian of f with respect to one variable x.
#pragma once

#include <armadillo>
#include <cstdint>
#include <functional>
#include <vector>

#include "gradcheck/check.hpp"
#include "gradcheck/options.hpp"

namespace gradcheck::fd {

// Evaluates f at the current value of x (which the caller's closure reads) into `out`.
using Evaluate = std::function<void(arma::mat& out)>;

// The base step c of the step rule for `options` (see FdOptions::step).
double base_step(const FdOptions& options);

// One "variable" of the differentiation: the entries of x moved together by one perturbation.
// For an unstructured x, each entry alone; for a symmetric x, (i,j) and (j,i) together.
struct Coordinate {
  arma::uword first;   // linear index into x
  arma::uword second;  // == first unless paired
};
std::vector<Coordinate> coordinates(const arma::mat& x, Structure structure);

struct Jacobian {
  arma::mat values;          // numel(f) x numel(x), J[a,b] = d vec(f)[a] / d vec(x)[b]
  arma::mat error_estimate;  // same shape; Ridders' estimate, else empty
  std::uint64_t evaluations = 0;
  double base_step = 0.0;
};

// The numeric Jacobian by `options.method`. x is perturbed in place and restored exactly.
// f0 is f at the unperturbed x (used by forward/backward; saves an evaluation).
// For a symmetric structure, the columns of (i,j) and (j,i) both hold the derivative along the
// paired direction.
Jacobian jacobian(arma::mat& x, const Evaluate& f, const arma::mat& f0, const FdOptions& options,
                  Structure structure);

// The derivative of vec(f) along one coordinate, by `method` with base step `c`
// (h = c * max(1, |x_first|)): the single rule every method above is built on.
// `evaluations` is incremented by the number of evaluations made.
arma::vec column(arma::mat& x, const Evaluate& f, const arma::mat& f0, Coordinate coordinate, FdMethod method,
                 double c, std::uint64_t& evaluations);

}  // namespace gradcheck::fd
