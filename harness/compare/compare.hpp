// SPDX-License-Identifier: MIT
// The tolerance test between the analytic and the numeric derivative, entry by entry.
#pragma once

#include <armadillo>
#include <vector>

#include "gradcheck/options.hpp"

namespace gradcheck {

struct Comparison {
  bool pass = true;
  bool nonfinite = false;        // a NaN or infinity on either side
  double max_abs_error = 0.0;    // max_k |a_k - n_k|
  double max_rel_error = 0.0;    // max_k |a_k - n_k| / max(|n_k|, atol)
  double rel_error_norm = 0.0;   // ||A - N||_F / max(||N||_F, atol)
  arma::uvec failing;            // entries outside the tolerance (or non-finite), worst first
  arma::uword worst = 0;         // the entry furthest outside: largest |a-n| / (atol + rtol |n|)
};

// Entry k passes when |a_k - n_k| <= atol + rtol * |n_k| and both are finite. Relative errors
// divide by max(|n_k|, atol), so an entry whose true value is 0 never divides by zero.
// Shapes must be equal (the caller checks shapes first).
Comparison compare(const arma::mat& analytic, const arma::mat& numeric, const Tolerance& tolerance);

// The excess ratio of one entry: |a - n| / (atol + rtol |n|); > 1 fails; +inf if non-finite.
double excess(double analytic, double numeric, const Tolerance& tolerance);

}  // namespace gradcheck
